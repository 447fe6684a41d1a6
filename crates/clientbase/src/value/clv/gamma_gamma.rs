//! The Gamma-Gamma model of spend (Fader, Hardie & Lee 2005, "RFM and CLV"):
//! each purchase of a client is Gamma(p, ν) with the client's ν ~ Gamma(q, v),
//! so a client's mean repeat spend is shrunk toward the population mean by
//! how many repeat purchases back it.

use super::optimize::{bfgs_from, Minimum};
use super::special::{digamma, ln_gamma};
use serde::{Deserialize, Serialize};

/// Fitted Gamma-Gamma parameters; `v` is in major units of the currency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of each purchase's amount.
    pub p: f64,
    /// Shape of the clients' scale distribution.
    pub q: f64,
    /// Rate of the clients' scale distribution (in major currency units).
    pub v: f64,
}

impl GammaGamma {
    /// The log-likelihood of a client's mean spend `mean` over `frequency`
    /// (at least 1) repeat purchases; `mean` must be positive.
    pub fn log_likelihood(&self, frequency: u32, mean: f64) -> f64 {
        let GammaGamma { p, q, v } = *self;
        let x = f64::from(frequency);
        ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
            + q * v.ln()
            + (p * x - 1.0) * mean.ln()
            + p * x * x.ln()
            - (p * x + q) * (x * mean + v).ln()
    }

    /// The expected spend per purchase of a client with `frequency` repeat
    /// purchases of mean `mean` (the population mean `p v / (q - 1)` when
    /// `frequency` is 0). `None` when `q ≤ 1`: the mean spend is then infinite.
    pub fn expected_spend(&self, frequency: u32, mean: f64) -> Option<f64> {
        let GammaGamma { p, q, v } = *self;
        if q <= 1.0 {
            return None;
        }
        let x = f64::from(frequency);
        let population = p * v / (q - 1.0);
        let weight = p * x / (p * x + q - 1.0);
        let value = (1.0 - weight) * population + weight * mean;
        value.is_finite().then_some(value)
    }
}

/// A maximum-likelihood fit.
pub(crate) struct Fitted {
    pub params: GammaGamma,
    pub log_likelihood: f64,
    pub iterations: u32,
    pub converged: bool,
}

/// Fits on clients with at least one repeat purchase and a positive mean
/// (the caller filters). `frequency` and `mean` have the same length, at least 1.
pub(crate) fn fit(frequency: &[u32], mean: &[f64], tolerance: f64, max_iterations: u32) -> Fitted {
    // Many clients: a rough fit on every 16th first, whose minimum and
    // curvature start the fit on all of them.
    let mut from = None;
    if frequency.len() >= 16_384 {
        let f: Vec<u32> = frequency.iter().step_by(16).copied().collect();
        let m: Vec<f64> = mean.iter().step_by(16).copied().collect();
        let rough = minimise(&f, &m, None, tolerance.max(1e-6), max_iterations);
        if rough.value.is_finite() {
            from = Some((rough.x, rough.inverse_hessian));
        }
    }
    let m = minimise(frequency, mean, from, tolerance, max_iterations);
    let n = mean.len().max(1) as f64;
    Fitted {
        params: GammaGamma {
            p: m.x[0].exp(),
            q: m.x[1].exp(),
            v: m.x[2].exp(),
        },
        log_likelihood: -m.value * n,
        iterations: m.iterations,
        converged: m.converged,
    }
}

/// Minimises the mean negative log-likelihood over the log-parameters, from
/// `from` (a point and inverse-Hessian estimate) or a default start.
fn minimise(
    frequency: &[u32],
    mean: &[f64],
    from: Option<([f64; 3], [[f64; 3]; 3])>,
    tolerance: f64,
    max_iterations: u32,
) -> Minimum<3> {
    let mut distinct: Vec<u32> = frequency.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let index: Vec<usize> = frequency
        .iter()
        .map(|x| distinct.binary_search(x).unwrap_or(0))
        .collect();
    let x: Vec<f64> = frequency.iter().map(|&x| f64::from(x)).collect();
    // ln m and x ln x do not depend on the parameters.
    let log_mean: Vec<f64> = mean.iter().map(|m| m.ln()).collect();
    let log_x: Vec<f64> = x.iter().map(|x| x.ln()).collect();
    let n = mean.len().max(1) as f64;
    let objective = |theta: &[f64; 3], grad: &mut [f64; 3]| {
        if theta.iter().any(|t| t.abs() > 40.0) {
            return f64::INFINITY;
        }
        let (p, q, v) = (theta[0].exp(), theta[1].exp(), theta[2].exp());
        let (lg_q, dg_q, ln_v) = (ln_gamma(q), digamma(q), v.ln());
        let per_x: Vec<[f64; 3]> = distinct
            .iter()
            .map(|&x| {
                let px = p * f64::from(x);
                let dg_pxq = digamma(px + q);
                [
                    ln_gamma(px + q) - ln_gamma(px) - lg_q,
                    dg_pxq - digamma(px),
                    dg_pxq - dg_q,
                ]
            })
            .collect();
        let sum = |range: std::ops::Range<usize>| {
            let mut s = [0.0; 4];
            for i in range {
                let t = &per_x[index[i]];
                let (xi, px) = (x[i], p * x[i]);
                let total = xi * mean[i] + v;
                let l_total = total.ln();
                s[0] +=
                    t[0] + q * ln_v + (px - 1.0) * log_mean[i] + px * log_x[i] - (px + q) * l_total;
                s[1] += xi * (t[1] + log_mean[i] + log_x[i] - l_total);
                s[2] += t[2] + ln_v - l_total;
                s[3] += q / v - (px + q) / total;
            }
            s
        };
        // Fixed chunks summed in chunk order: the same sums whatever the
        // thread count.
        let chunk = 8_192;
        let chunks = x.len().div_ceil(chunk);
        let range = |c: usize| c * chunk..((c + 1) * chunk).min(x.len());
        #[cfg(feature = "parallel")]
        let parts: Vec<[f64; 4]> = if x.len() >= 4 * chunk {
            use rayon::prelude::*;
            (0..chunks).into_par_iter().map(|c| sum(range(c))).collect()
        } else {
            (0..chunks).map(|c| sum(range(c))).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let parts: Vec<[f64; 4]> = (0..chunks).map(|c| sum(range(c))).collect();
        let s = parts
            .into_iter()
            .fold([0.0; 4], |u, w| std::array::from_fn(|i| u[i] + w[i]));
        grad[0] = -s[1] * p / n;
        grad[1] = -s[2] * q / n;
        grad[2] = -s[3] * v / n;
        -s[0] / n
    };
    let average = mean.iter().sum::<f64>() / n;
    let start = [0.0, 2_f64.ln(), average.max(1e-9).ln().clamp(-30.0, 30.0)];
    let identity = std::array::from_fn(|i| std::array::from_fn(|j| f64::from(u8::from(i == j))));
    let (start, h0) = from.unwrap_or((start, identity));
    bfgs_from(objective, start, h0, tolerance, max_iterations)
}
