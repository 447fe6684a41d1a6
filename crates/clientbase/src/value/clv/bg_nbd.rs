//! The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005): while alive a
//! client buys at a Poisson rate λ ~ Gamma(r, α); after each repeat purchase
//! the client drops out for good with probability p ~ Beta(a, b).

use super::optimize::{bfgs, bfgs_from};
use super::special::{digamma, hyp2f1, ln_gamma};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Fitted BG/NBD parameters. Times are in the period unit of the summary the
/// model was fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Scale (rate) of the purchase-rate distribution, in periods.
    pub alpha: f64,
    /// First shape of the drop-out probability's Beta distribution.
    pub a: f64,
    /// Second shape of the drop-out probability's Beta distribution.
    pub b: f64,
}

impl BgNbd {
    /// The log-likelihood of one client with `frequency` repeat purchases,
    /// the last `recency` periods after the first, observed for `age` periods.
    pub fn log_likelihood(&self, frequency: u32, recency: f64, age: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(frequency);
        let constant = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b)
            - ln_gamma(a + b + x)
            + ln_gamma(b + x)
            - ln_gamma(b);
        let still = -(r + x) * (alpha + age).ln();
        if frequency == 0 {
            return constant + still;
        }
        let gone = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + recency).ln();
        constant + log_add_exp(still, gone)
    }

    /// The probability that the client is still active at the end of the
    /// observation. A client who never bought again (`frequency` 0) is alive
    /// with probability 1 in BG/NBD: drop-out happens only after a repeat purchase.
    pub fn p_alive(&self, frequency: u32, recency: f64, age: f64) -> f64 {
        if frequency == 0 {
            return 1.0;
        }
        let x = f64::from(frequency);
        let log_ratio = (self.a / (self.b + x - 1.0)).ln()
            + (self.r + x) * ((self.alpha + age).ln() - (self.alpha + recency).ln());
        1.0 / (1.0 + log_ratio.exp())
    }

    /// The expected number of purchases in the next `periods` periods of a
    /// client with this history; `None` when the hypergeometric series does
    /// not settle or the result is not finite.
    pub fn expected_purchases(
        &self,
        periods: f64,
        frequency: u32,
        recency: f64,
        age: f64,
    ) -> Option<f64> {
        if periods <= 0.0 {
            return Some(0.0);
        }
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(frequency);
        let z = periods / (alpha + age + periods);
        let series = hyp2f1(r + x, b + x, a + b + x - 1.0, z)?;
        let decay = ((r + x) * ((alpha + age).ln() - (alpha + age + periods).ln())).exp();
        let value = (a + b + x - 1.0) / (a - 1.0)
            * (1.0 - decay * series)
            * self.p_alive(frequency, recency, age);
        (value.is_finite() && value >= -1e-12).then_some(value.max(0.0))
    }
}

impl BgNbd {
    /// The discounted value of a client's next `months` months: for each
    /// month `i`, the purchases expected in it times `spend`, divided by
    /// `(1 + discount_rate)^i`, with `periods_per_month` model periods to a
    /// month (as `lifetimes`' `customer_lifetime_value` sums it). `None` when
    /// a forecast is not finite.
    #[allow(clippy::too_many_arguments)]
    pub fn lifetime_value(
        &self,
        spend: f64,
        frequency: u32,
        recency: f64,
        age: f64,
        months: u32,
        discount_rate: f64,
        periods_per_month: f64,
    ) -> Option<f64> {
        let mut total = 0.0;
        let mut before = 0.0;
        for i in 1..=months {
            let upto =
                self.expected_purchases(f64::from(i) * periods_per_month, frequency, recency, age)?;
            total += (upto - before) * spend / (1.0 + discount_rate).powi(i as i32);
            before = upto;
        }
        total.is_finite().then_some(total)
    }
}

fn log_add_exp(u: f64, v: f64) -> f64 {
    let (hi, lo) = if u >= v { (u, v) } else { (v, u) };
    hi + (lo - hi).exp().ln_1p()
}

/// Clients with the same (frequency, recency, age), counted once. Ages and
/// recencies are few distinct values (whole days), so their logarithms are
/// computed once per value, not once per group.
pub(crate) struct Groups {
    x: Vec<f64>,
    x_index: Vec<u32>,
    distinct_x: Vec<f64>,
    recency_index: Vec<u32>,
    distinct_recency: Vec<f64>,
    age_index: Vec<u32>,
    distinct_age: Vec<f64>,
    weight: Vec<f64>,
    pub(crate) clients: usize,
    pub(crate) rate_guess: f64,
}

/// The index of `value` among the distinct values seen so far, adding it.
fn intern(map: &mut FxHashMap<u64, u32>, values: &mut Vec<f64>, value: f64) -> u32 {
    *map.entry(value.to_bits()).or_insert_with(|| {
        values.push(value);
        (values.len() - 1) as u32
    })
}

impl Groups {
    pub(crate) fn new(frequency: &[u32], recency: &[f64], age: &[f64]) -> Groups {
        let mut index: FxHashMap<(u32, u64, u64), usize> = FxHashMap::default();
        let mut g = Groups {
            x: Vec::new(),
            x_index: Vec::new(),
            distinct_x: Vec::new(),
            recency_index: Vec::new(),
            distinct_recency: Vec::new(),
            age_index: Vec::new(),
            distinct_age: Vec::new(),
            weight: Vec::new(),
            clients: frequency.len(),
            rate_guess: 0.0,
        };
        let (mut recencies, mut ages) = (FxHashMap::default(), FxHashMap::default());
        let mut raw_x = Vec::new();
        let (mut purchases, mut time) = (0.0, 0.0);
        for i in 0..frequency.len() {
            purchases += f64::from(frequency[i]);
            time += age[i];
            let key = (frequency[i], recency[i].to_bits(), age[i].to_bits());
            let next = g.weight.len();
            let k = *index.entry(key).or_insert(next);
            if k == next {
                raw_x.push(frequency[i]);
                g.x.push(f64::from(frequency[i]));
                g.recency_index
                    .push(intern(&mut recencies, &mut g.distinct_recency, recency[i]));
                g.age_index
                    .push(intern(&mut ages, &mut g.distinct_age, age[i]));
                g.weight.push(0.0);
            }
            g.weight[k] += 1.0;
        }
        let mut distinct: Vec<u32> = raw_x.clone();
        distinct.sort_unstable();
        distinct.dedup();
        g.x_index = raw_x
            .iter()
            .map(|x| distinct.binary_search(x).unwrap_or(0) as u32)
            .collect();
        g.distinct_x = distinct.iter().map(|&x| f64::from(x)).collect();
        g.rate_guess = if time > 0.0 { purchases / time } else { 1.0 };
        g
    }

    fn len(&self) -> usize {
        self.weight.len()
    }

    /// Every `step`-th group (from the first), with its weight: a sample for
    /// a rough fit.
    fn sample(&self, step: usize) -> Groups {
        let pick = |v: &[u32]| v.iter().step_by(step).copied().collect::<Vec<_>>();
        let weight: Vec<f64> = self.weight.iter().step_by(step).copied().collect();
        Groups {
            x: self.x.iter().step_by(step).copied().collect(),
            x_index: pick(&self.x_index),
            distinct_x: self.distinct_x.clone(),
            recency_index: pick(&self.recency_index),
            distinct_recency: self.distinct_recency.clone(),
            age_index: pick(&self.age_index),
            distinct_age: self.distinct_age.clone(),
            clients: weight.iter().sum::<f64>() as usize,
            weight,
            rate_guess: self.rate_guess,
        }
    }

    /// Each group's frequency, recency, age and number of clients.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, f64, f64, f64)> + '_ {
        (0..self.len()).map(|k| {
            (
                self.x[k] as u32,
                self.distinct_recency[self.recency_index[k] as usize],
                self.distinct_age[self.age_index[k] as usize],
                self.weight[k],
            )
        })
    }
}

/// `ln(α + t)` and `1 / (α + t)` for each distinct time `t`.
fn log_table(alpha: f64, times: &[f64]) -> (Vec<f64>, Vec<f64>) {
    times
        .iter()
        .map(|&t| ((alpha + t).ln(), 1.0 / (alpha + t)))
        .unzip()
}

/// Terms that depend only on the frequency, computed once per distinct frequency.
struct PerFrequency {
    constant: Vec<f64>,
    d_r: Vec<f64>,
    d_a: Vec<f64>,
    d_b: Vec<f64>,
    log_gone: Vec<f64>,
}

impl PerFrequency {
    fn new(distinct_x: &[f64], r: f64, a: f64, b: f64) -> PerFrequency {
        let n = distinct_x.len();
        let mut t = PerFrequency {
            constant: Vec::with_capacity(n),
            d_r: Vec::with_capacity(n),
            d_a: Vec::with_capacity(n),
            d_b: Vec::with_capacity(n),
            log_gone: Vec::with_capacity(n),
        };
        let (lg_r, lg_ab, lg_b) = (ln_gamma(r), ln_gamma(a + b), ln_gamma(b));
        let (dg_r, dg_ab, dg_b) = (digamma(r), digamma(a + b), digamma(b));
        for &x in distinct_x {
            let (lg_abx, dg_abx) = (ln_gamma(a + b + x), digamma(a + b + x));
            t.constant
                .push(ln_gamma(r + x) - lg_r + lg_ab - lg_abx + ln_gamma(b + x) - lg_b);
            t.d_r.push(digamma(r + x) - dg_r);
            t.d_a.push(dg_ab - dg_abx);
            t.d_b.push(dg_ab + digamma(b + x) - dg_b - dg_abx);
            t.log_gone.push(if x > 0.0 {
                a.ln() - (b + x - 1.0).ln()
            } else {
                f64::NEG_INFINITY
            });
        }
        t
    }
}

/// Terms that depend only on a time: `ln(α + t)` and `1 / (α + t)` for each
/// distinct age and recency.
struct PerTime {
    log_age: Vec<f64>,
    inv_age: Vec<f64>,
    log_recency: Vec<f64>,
    inv_recency: Vec<f64>,
}

/// The summed log-likelihood over `range` of groups and its gradient with
/// respect to (r, α, a, b).
fn accumulate(
    g: &Groups,
    t: &PerFrequency,
    times: &PerTime,
    p: &BgNbd,
    range: std::ops::Range<usize>,
) -> [f64; 5] {
    let BgNbd { r, alpha, a, b } = *p;
    let ln_alpha = alpha.ln();
    let mut s = [0.0; 5];
    for k in range {
        let (x, xi, w) = (g.x[k], g.x_index[k] as usize, g.weight[k]);
        let ai = g.age_index[k] as usize;
        let rx = r + x;
        let l_age = times.log_age[ai];
        let still = -rx * l_age;
        let (log_sum, w_still, w_gone, l_rec, inv_rec) = if x > 0.0 {
            let ri = g.recency_index[k] as usize;
            let l_rec = times.log_recency[ri];
            let gone = t.log_gone[xi] - rx * l_rec;
            let e = (-(still - gone).abs()).exp();
            let share_hi = 1.0 / (1.0 + e);
            let (ws, wg) = if still >= gone {
                (share_hi, 1.0 - share_hi)
            } else {
                (1.0 - share_hi, share_hi)
            };
            (
                still.max(gone) + e.ln_1p(),
                ws,
                wg,
                l_rec,
                times.inv_recency[ri],
            )
        } else {
            (still, 1.0, 0.0, 0.0, 0.0)
        };
        s[0] += w * (t.constant[xi] + r * ln_alpha + log_sum);
        s[1] += w * (t.d_r[xi] + ln_alpha - w_still * l_age - w_gone * l_rec);
        s[2] += w * (r / alpha - rx * (w_still * times.inv_age[ai] + w_gone * inv_rec));
        s[3] += w * (t.d_a[xi] + w_gone / a);
        s[4] += w * (t.d_b[xi] - if x > 0.0 { w_gone / (b + x - 1.0) } else { 0.0 });
    }
    s
}

/// The summed log-likelihood and its gradient over all groups, in parallel
/// when the `parallel` feature is on and there are many groups.
fn log_likelihood_and_gradient(g: &Groups, p: &BgNbd) -> [f64; 5] {
    let t = PerFrequency::new(&g.distinct_x, p.r, p.a, p.b);
    let (log_age, inv_age) = log_table(p.alpha, &g.distinct_age);
    let (log_recency, inv_recency) = log_table(p.alpha, &g.distinct_recency);
    let times = PerTime {
        log_age,
        inv_age,
        log_recency,
        inv_recency,
    };
    // Fixed chunks summed in chunk order: the same sums whatever the thread
    // count.
    #[cfg(feature = "parallel")]
    if g.len() >= 32_768 {
        use rayon::prelude::*;
        let chunk = 8_192;
        let chunks = g.len().div_ceil(chunk);
        let parts: Vec<[f64; 5]> = (0..chunks)
            .into_par_iter()
            .map(|c| accumulate(g, &t, &times, p, c * chunk..((c + 1) * chunk).min(g.len())))
            .collect();
        return parts
            .into_iter()
            .fold([0.0; 5], |u, v| std::array::from_fn(|i| u[i] + v[i]));
    }
    accumulate(g, &t, &times, p, 0..g.len())
}

/// The summed log-likelihood of grouped clients.
pub(crate) fn total_log_likelihood(g: &Groups, p: &BgNbd) -> f64 {
    log_likelihood_and_gradient(g, p)[0]
}

/// A maximum-likelihood fit.
pub(crate) struct Fitted {
    pub params: BgNbd,
    pub log_likelihood: f64,
    pub iterations: u32,
    pub converged: bool,
}

const LOG_BOUND: f64 = 40.0;

/// Fits by BFGS on the log-parameters with the analytic gradient.
pub(crate) fn fit(g: &Groups, tolerance: f64, max_iterations: u32) -> Fitted {
    let start = [
        0.0,
        (1.0 / g.rate_guess.max(1e-9)).ln().clamp(-30.0, 30.0),
        0.0,
        0.0,
    ];
    // Many groups: a rough fit on every 16th group first, whose minimum and
    // curvature start the fit on all of them, which then takes a few
    // iterations instead of a few dozen.
    let m = if g.len() >= 16_384 {
        let sample = g.sample(16);
        let rough = bfgs(
            objective(&sample),
            start,
            tolerance.max(1e-6),
            max_iterations,
        );
        if rough.value.is_finite() {
            bfgs_from(
                objective(g),
                rough.x,
                rough.inverse_hessian,
                tolerance,
                max_iterations,
            )
        } else {
            bfgs(objective(g), start, tolerance, max_iterations)
        }
    } else {
        bfgs(objective(g), start, tolerance, max_iterations)
    };
    let n = g.clients.max(1) as f64;
    let params = BgNbd {
        r: m.x[0].exp(),
        alpha: m.x[1].exp(),
        a: m.x[2].exp(),
        b: m.x[3].exp(),
    };
    Fitted {
        params,
        log_likelihood: -m.value * n,
        iterations: m.iterations,
        converged: m.converged,
    }
}

/// The mean negative log-likelihood of `g` over the log-parameters, and its
/// gradient.
fn objective(g: &Groups) -> impl FnMut(&[f64; 4], &mut [f64; 4]) -> f64 + '_ {
    let n = g.clients.max(1) as f64;
    move |theta: &[f64; 4], grad: &mut [f64; 4]| {
        if theta.iter().any(|v| v.abs() > LOG_BOUND) {
            return f64::INFINITY;
        }
        let p = BgNbd {
            r: theta[0].exp(),
            alpha: theta[1].exp(),
            a: theta[2].exp(),
            b: theta[3].exp(),
        };
        let s = log_likelihood_and_gradient(g, &p);
        let scale = [p.r, p.alpha, p.a, p.b];
        for i in 0..4 {
            grad[i] = -s[i + 1] * scale[i] / n;
        }
        -s[0] / n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_differences() {
        let g = Groups::new(
            &[0, 1, 3, 7, 3],
            &[0.0, 5.0, 20.0, 30.5, 20.0],
            &[10.0, 30.0, 38.0, 39.0, 38.0],
        );
        let p = BgNbd {
            r: 0.7,
            alpha: 3.0,
            a: 0.9,
            b: 2.1,
        };
        let s = log_likelihood_and_gradient(&g, &p);
        let f = |q: BgNbd| total_log_likelihood(&g, &q);
        let h = 1e-6;
        let numeric = [
            (f(BgNbd { r: p.r + h, ..p }) - f(BgNbd { r: p.r - h, ..p })) / (2.0 * h),
            (f(BgNbd {
                alpha: p.alpha + h,
                ..p
            }) - f(BgNbd {
                alpha: p.alpha - h,
                ..p
            })) / (2.0 * h),
            (f(BgNbd { a: p.a + h, ..p }) - f(BgNbd { a: p.a - h, ..p })) / (2.0 * h),
            (f(BgNbd { b: p.b + h, ..p }) - f(BgNbd { b: p.b - h, ..p })) / (2.0 * h),
        ];
        for i in 0..4 {
            assert!(
                (s[i + 1] - numeric[i]).abs() < 1e-5,
                "{i}: {} vs {}",
                s[i + 1],
                numeric[i]
            );
        }
        // Grouping counts the repeated client twice.
        let single: f64 = [
            (0, 0.0, 10.0),
            (1, 5.0, 30.0),
            (3, 20.0, 38.0),
            (7, 30.5, 39.0),
            (3, 20.0, 38.0),
        ]
        .iter()
        .map(|&(x, t, a)| p.log_likelihood(x, t, a))
        .sum();
        assert!((s[0] - single).abs() < 1e-9);
    }
}
