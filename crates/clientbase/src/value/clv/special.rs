//! The special functions the models need: log-gamma, digamma and the Gauss
//! hypergeometric series, written out so the core needs no maths crate.

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, nine terms; relative error about 1e-15).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the series in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, &c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The digamma function `ψ(x) = d ln Γ(x) / dx` for `x > 0`.
pub(crate) fn digamma(mut x: f64) -> f64 {
    let mut shift = 0.0;
    while x < 10.0 {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let series = inv2
        * (1.0 / 12.0
            - inv2
                * (1.0 / 120.0
                    - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0)))));
    shift + x.ln() - 0.5 * inv - series
}

/// The Gauss hypergeometric function `₂F₁(a, b; c; z)` for `0 ≤ z < 1` by its
/// series; `None` when the series does not settle (or `c` is a pole).
pub(crate) fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 0..200_000 {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if !sum.is_finite() {
            return None;
        }
        if term.abs() <= 1e-15 * sum.abs() {
            return Some(sum);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-14);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        // ln(9!) = ln 362880
        assert!((ln_gamma(10.0) - 362_880_f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.1) - 2.252_712_651_734_206).abs() < 1e-12);
        assert!((ln_gamma(1000.5) - 5_908.674_175_848_678).abs() < 1e-9);
    }

    #[test]
    fn digamma_values() {
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-13);
        assert!((digamma(0.5) + euler + 2.0 * 2_f64.ln()).abs() < 1e-13);
        // The derivative of ln Γ, checked numerically.
        for x in [0.3, 2.5, 17.0, 250.0] {
            let h = 1e-5 * x;
            let numeric = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!((digamma(x) - numeric).abs() < 1e-7, "{x}");
        }
    }

    #[test]
    fn hypergeometric_values() {
        // ₂F₁(1, 1; 2; z) = -ln(1 - z) / z
        let z: f64 = 0.6;
        let want = -(1.0 - z).ln() / z;
        assert!((hyp2f1(1.0, 1.0, 2.0, z).unwrap() - want).abs() < 1e-13);
        // ₂F₁(a, b; b; z) = (1 - z)^-a
        let want = (1.0 - z).powf(-2.5);
        assert!((hyp2f1(2.5, 3.0, 3.0, z).unwrap() - want).abs() < 1e-12);
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 0.0), Some(1.0));
    }
}
