//! The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): while alive a
//! client buys at a Poisson rate λ ~ Gamma(r, α) and stays alive for an
//! exponential lifetime of rate μ ~ Gamma(s, β). The likelihood follows Fader &
//! Hardie's 2005 note on the Pareto/NBD derivations (equations 18 to 20).

use super::bg_nbd::Groups;
use super::optimize::bfgs;
use super::special::{hyp2f1, ln_gamma};
use serde::{Deserialize, Serialize};

/// Fitted Pareto/NBD parameters, in the period unit of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbd {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Rate of the purchase-rate distribution.
    pub alpha: f64,
    /// Shape of the drop-out-rate distribution.
    pub s: f64,
    /// Rate of the drop-out-rate distribution.
    pub beta: f64,
}

impl ParetoNbd {
    /// `ln A₀` of the note (equations 19 and 20); `None` when a hypergeometric
    /// series does not settle; `-∞` when recency equals age.
    fn log_a0(&self, x: f64, recency: f64, age: f64) -> Option<f64> {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let (max, second) = if alpha < beta {
            (beta, r + x)
        } else {
            (alpha, s + 1.0)
        };
        let gap = (alpha - beta).abs();
        let rsx = r + s + x;
        let at = |t: f64| -> Option<f64> {
            Some(hyp2f1(rsx, second, rsx + 1.0, gap / (max + t))?.ln() - rsx * (max + t).ln())
        };
        let (near, far) = (at(recency)?, at(age)?);
        let diff = far - near;
        if diff >= 0.0 {
            return Some(f64::NEG_INFINITY);
        }
        // ln(e^near − e^far), without cancelling.
        Some(near + (-(diff.exp())).ln_1p())
    }

    /// The log-likelihood of one client (`frequency` repeat purchases, the
    /// last `recency` periods after the first, observed for `age` periods);
    /// NaN when a hypergeometric series does not settle.
    pub fn log_likelihood(&self, frequency: u32, recency: f64, age: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = f64::from(frequency);
        let Some(log_a0) = self.log_a0(x, recency, age) else {
            return f64::NAN;
        };
        let head = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let alive = -(r + x) * (alpha + age).ln() - s * (beta + age).ln();
        let gone = s.ln() + log_a0 - (r + s + x).ln();
        let (hi, lo) = if alive >= gone {
            (alive, gone)
        } else {
            (gone, alive)
        };
        head + hi + (lo - hi).exp().ln_1p()
    }

    /// The probability the client is still alive at the end of observation.
    pub fn p_alive(&self, frequency: u32, recency: f64, age: f64) -> Option<f64> {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = f64::from(frequency);
        let log_a0 = self.log_a0(x, recency, age)?;
        let log_ratio = s.ln() - (r + s + x).ln()
            + (r + x) * (alpha + age).ln()
            + s * (beta + age).ln()
            + log_a0;
        let p = 1.0 / (1.0 + log_ratio.exp());
        p.is_finite().then_some(p)
    }
}

/// The summed log-likelihood of grouped clients.
pub(crate) fn total_log_likelihood(g: &Groups, p: &ParetoNbd) -> f64 {
    g.iter()
        .map(|(x, recency, age, w)| w * p.log_likelihood(x, recency, age))
        .sum()
}

/// A maximum-likelihood fit.
pub(crate) struct Fitted {
    pub params: ParetoNbd,
    pub log_likelihood: f64,
    pub iterations: u32,
    pub converged: bool,
}

/// Fits by BFGS on the log-parameters with central-difference gradients.
pub(crate) fn fit(g: &Groups, tolerance: f64, max_iterations: u32) -> Fitted {
    let n = g.clients.max(1) as f64;
    let of = |theta: &[f64; 4]| ParetoNbd {
        r: theta[0].exp(),
        alpha: theta[1].exp(),
        s: theta[2].exp(),
        beta: theta[3].exp(),
    };
    let value = |theta: &[f64; 4]| {
        if theta.iter().any(|v| v.abs() > 40.0) {
            return f64::INFINITY;
        }
        let v = -total_log_likelihood(g, &of(theta)) / n;
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let objective = |theta: &[f64; 4], grad: &mut [f64; 4]| {
        let f = value(theta);
        if !f.is_finite() {
            return f;
        }
        for i in 0..4 {
            let h = 1e-6 * (1.0 + theta[i].abs());
            let (mut up, mut down) = (*theta, *theta);
            up[i] += h;
            down[i] -= h;
            grad[i] = (value(&up) - value(&down)) / (2.0 * h);
        }
        f
    };
    let start = [
        0.0,
        (1.0 / g.rate_guess.max(1e-9)).ln().clamp(-30.0, 30.0),
        0.0,
        (1.0 / g.rate_guess.max(1e-9)).ln().clamp(-30.0, 30.0),
    ];
    // Differences carry error of about 1e-10: ask no more of the gradient.
    let m = bfgs(objective, start, tolerance.max(1e-6), max_iterations);
    Fitted {
        params: of(&m.x),
        log_likelihood: -m.value * n,
        iterations: m.iterations,
        converged: m.converged,
    }
}
