//! BFGS with a backtracking line search, for the few-parameter likelihoods of
//! the lifetime-value models (minimised over log-parameters, so every
//! parameter stays positive without bounds).

/// Where a minimisation ended.
pub(crate) struct Minimum<const N: usize> {
    pub x: [f64; N],
    /// The inverse-Hessian estimate at the end, to start a related fit.
    pub inverse_hessian: [[f64; N]; N],
    pub value: f64,
    pub iterations: u32,
    pub converged: bool,
}

/// Minimises `f` from `x0`. `f(x, grad)` returns the value and writes the
/// gradient. Converged when the largest gradient component is below
/// `tolerance`, or when a full step no longer changes the value.
pub(crate) fn bfgs<const N: usize>(
    f: impl FnMut(&[f64; N], &mut [f64; N]) -> f64,
    x0: [f64; N],
    tolerance: f64,
    max_iterations: u32,
) -> Minimum<N> {
    bfgs_from(f, x0, identity::<N>(), tolerance, max_iterations)
}

/// [`bfgs`] from an inverse-Hessian estimate `h0` (a related fit's), so that
/// the first steps are already scaled to the curvature.
pub(crate) fn bfgs_from<const N: usize>(
    mut f: impl FnMut(&[f64; N], &mut [f64; N]) -> f64,
    x0: [f64; N],
    h0: [[f64; N]; N],
    tolerance: f64,
    max_iterations: u32,
) -> Minimum<N> {
    let mut x = x0;
    let mut g = [0.0; N];
    let mut value = f(&x, &mut g);
    let mut h = h0;
    let mut iterations = 0;
    let mut converged = false;
    let mut reset = false;
    while iterations < max_iterations {
        if max_abs(&g) < tolerance {
            converged = true;
            break;
        }
        iterations += 1;
        let mut d = [0.0; N];
        for i in 0..N {
            d[i] = -(0..N).map(|j| h[i][j] * g[j]).sum::<f64>();
        }
        let mut slope = dot(&d, &g);
        if slope >= 0.0 || slope.is_nan() {
            h = identity::<N>();
            d = g.map(|gi| -gi);
            slope = dot(&d, &g);
        }
        // Log-parameters: a step of more than e^3 at once is never wanted.
        let longest = max_abs(&d);
        if longest > 3.0 {
            let scale = 3.0 / longest;
            d = d.map(|di| di * scale);
            slope *= scale;
        }
        let mut step = 1.0;
        let mut next = x;
        let mut next_g = [0.0; N];
        let mut next_value;
        loop {
            for i in 0..N {
                next[i] = x[i] + step * d[i];
            }
            next_value = f(&next, &mut next_g);
            if next_value.is_finite() && next_value <= value + 1e-4 * step * slope {
                break;
            }
            step *= 0.5;
            if step < 1e-14 {
                break;
            }
        }
        if !(next_value.is_finite() && next_value <= value) {
            if reset {
                // No step along the gradient helps either: as good as it gets.
                converged = max_abs(&g) < tolerance.sqrt();
                break;
            }
            h = identity::<N>();
            reset = true;
            continue;
        }
        reset = false;
        let s: [f64; N] = std::array::from_fn(|i| next[i] - x[i]);
        let y: [f64; N] = std::array::from_fn(|i| next_g[i] - g[i]);
        let sy = dot(&s, &y);
        if sy > 1e-300 {
            let hy: [f64; N] = std::array::from_fn(|i| (0..N).map(|j| h[i][j] * y[j]).sum());
            let yhy = dot(&y, &hy);
            let rho = 1.0 / sy;
            for i in 0..N {
                for j in 0..N {
                    h[i][j] +=
                        (1.0 + yhy * rho) * rho * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j]);
                }
            }
        }
        let change = value - next_value;
        x = next;
        g = next_g;
        value = next_value;
        if change <= 1e-15 * (1.0 + value.abs()) && max_abs(&g) < tolerance.sqrt() {
            converged = true;
            break;
        }
    }
    Minimum {
        x,
        inverse_hessian: h,
        value,
        iterations,
        converged,
    }
}

fn identity<const N: usize>() -> [[f64; N]; N] {
    std::array::from_fn(|i| std::array::from_fn(|j| if i == j { 1.0 } else { 0.0 }))
}

fn dot<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs<const N: usize>(a: &[f64; N]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let rosenbrock = |x: &[f64; 2], g: &mut [f64; 2]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let m = bfgs(rosenbrock, [-1.2, 1.0], 1e-9, 500);
        assert!(m.converged);
        assert!((m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6);
    }
}
