//! Purchase histories drawn from the BG/NBD and Gamma-Gamma models with known
//! parameters, to check that fitting recovers them and to time the fits.

use crate::error::{invalid, Result};
use crate::money::Currency;
use crate::table::date_to_days;
use crate::value::{BgNbd, ClientKeys, GammaGamma, ParetoNbd, Purchases, TimeUnit};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What [`purchase_histories`] draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseHistoryConfig {
    /// How many clients (ids 1 to `clients`).
    pub clients: usize,
    /// The seed: the same config gives the same histories.
    pub seed: u64,
    /// The purchase process, in `period` units.
    pub bg_nbd: BgNbd,
    /// When set, purchases follow this Pareto/NBD process instead of `bg_nbd`.
    #[serde(default)]
    pub pareto_nbd: Option<ParetoNbd>,
    /// The spend per purchase, in major units of `currency`.
    pub gamma_gamma: GammaGamma,
    /// The time unit of `bg_nbd`.
    pub period: TimeUnit,
    /// First purchases fall uniformly on the `cohort_days` days up to
    /// `cohort_end` (inclusive).
    pub cohort_days: u32,
    /// The last day a first purchase can fall on.
    pub cohort_end: NaiveDate,
    /// The end of observation: no purchase is drawn after it.
    pub as_of: NaiveDate,
    /// The currency of the amounts.
    pub currency: Currency,
}

impl PurchaseHistoryConfig {
    /// `clients` clients with the CDNOW estimates of Fader, Hardie & Lee
    /// (BG/NBD r = 0.243, α = 4.414, a = 0.793, b = 2.426 per week; Gamma-Gamma
    /// p = 6.25, q = 3.74, v = 15.44), first purchases over 12 weeks and 78
    /// weeks of observation in all, in roubles.
    pub fn cdnow_like(clients: usize, seed: u64) -> PurchaseHistoryConfig {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
        PurchaseHistoryConfig {
            clients,
            seed,
            bg_nbd: BgNbd {
                r: 0.243,
                alpha: 4.414,
                a: 0.793,
                b: 2.426,
            },
            pareto_nbd: None,
            gamma_gamma: GammaGamma {
                p: 6.25,
                q: 3.74,
                v: 15.44,
            },
            period: TimeUnit::Week,
            cohort_days: 84,
            cohort_end: start + chrono::Days::new(83),
            as_of: start + chrono::Days::new(78 * 7 - 1),
            currency: Currency::RUB,
        }
    }
}

/// Draws each client's purchases: the first on a uniform day of the cohort,
/// then BG/NBD repeat purchases (rate λ ~ Gamma(r, α), drop-out after each
/// repeat purchase with probability p ~ Beta(a, b)) up to `as_of`, each amount
/// Gamma(p, ν) with the client's ν ~ Gamma(q, v), rounded to minor units.
/// Purchases that fall on the same day are summed, as [`Purchases`] keeps one
/// per day.
pub fn purchase_histories(config: &PurchaseHistoryConfig) -> Result<Purchases> {
    let BgNbd { r, alpha, a, b } = config.bg_nbd;
    let GammaGamma { p, q, v } = config.gamma_gamma;
    for (field, value) in [
        ("bg_nbd.r", r),
        ("bg_nbd.alpha", alpha),
        ("bg_nbd.a", a),
        ("bg_nbd.b", b),
        ("gamma_gamma.p", p),
        ("gamma_gamma.q", q),
        ("gamma_gamma.v", v),
    ] {
        if !(value.is_finite() && value > 0.0) {
            return Err(invalid(field, format!("{value} is not positive")));
        }
    }
    if let Some(pareto) = &config.pareto_nbd {
        for (field, value) in [
            ("pareto_nbd.r", pareto.r),
            ("pareto_nbd.alpha", pareto.alpha),
            ("pareto_nbd.s", pareto.s),
            ("pareto_nbd.beta", pareto.beta),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(invalid(field, format!("{value} is not positive")));
            }
        }
    }
    if config.cohort_days == 0 {
        return Err(invalid("cohort_days", "must be at least 1"));
    }
    let end = date_to_days(config.as_of);
    let cohort_end = date_to_days(config.cohort_end);
    if cohort_end > end {
        return Err(invalid("cohort_end", "is after as_of"));
    }
    let unit_days = config.period.days();
    let minor = 10_f64.powi(config.currency.minor_digits() as i32);
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut offsets = Vec::with_capacity(config.clients + 1);
    offsets.push(0);
    let (mut days, mut amounts) = (Vec::new(), Vec::new());
    for _ in 0..config.clients {
        let first = cohort_end - rng.random_range(0..config.cohort_days) as i32;
        // Pareto/NBD: a lifetime drawn up front and no drop-out per purchase.
        let (rate, dropout, lifetime) = match &config.pareto_nbd {
            Some(p) => {
                let rate = gamma(&mut rng, p.r) / p.alpha;
                let death = gamma(&mut rng, p.s) / p.beta;
                (rate, 0.0, exponential(&mut rng) / death)
            }
            None => (
                gamma(&mut rng, r) / alpha,
                beta(&mut rng, a, b),
                f64::INFINITY,
            ),
        };
        let scale = gamma(&mut rng, q) / v;
        let spend = |rng: &mut ChaCha8Rng| (gamma(rng, p) / scale * minor).round() as i64;
        days.push(first);
        amounts.push(spend(&mut rng));
        let horizon = (f64::from(end - first) / unit_days).min(lifetime);
        let mut t = 0.0;
        loop {
            t += exponential(&mut rng) / rate;
            if t > horizon || t.is_nan() {
                break;
            }
            let day = (first + (t * unit_days).floor() as i32).min(end);
            let amount = spend(&mut rng);
            if days.last() == Some(&day) {
                *amounts.last_mut().expect("a purchase") += amount;
            } else {
                days.push(day);
                amounts.push(amount);
            }
            if rng.random::<f64>() < dropout {
                break;
            }
        }
        offsets.push(days.len());
    }
    let ids = (1..=config.clients as u64).collect();
    Purchases::new(
        ClientKeys::Ids(ids),
        offsets,
        days,
        amounts,
        config.currency,
    )
}

fn exponential(rng: &mut ChaCha8Rng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u = 1.0 - rng.random::<f64>();
    let w = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * w).cos()
}

/// Gamma(shape, 1) by Marsaglia and Tsang.
fn gamma(rng: &mut ChaCha8Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = 1.0 - rng.random::<f64>();
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let z = normal(rng);
        let t = 1.0 + c * z;
        if t <= 0.0 {
            continue;
        }
        let t3 = t * t * t;
        let u = 1.0 - rng.random::<f64>();
        if u.ln() < 0.5 * z * z + d - d * t3 + d * t3.ln() {
            return d * t3;
        }
    }
}

fn beta(rng: &mut ChaCha8Rng, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    x / (x + y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_draws_have_their_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for shape in [0.3, 1.0, 4.5] {
            let n = 40_000;
            let mean: f64 = (0..n).map(|_| gamma(&mut rng, shape)).sum::<f64>() / n as f64;
            assert!(
                (mean - shape).abs() < 0.03 * shape.max(1.0),
                "{shape}: {mean}"
            );
        }
    }

    #[test]
    fn same_seed_same_histories() {
        let config = PurchaseHistoryConfig::cdnow_like(500, 9);
        assert_eq!(
            purchase_histories(&config).unwrap(),
            purchase_histories(&config).unwrap()
        );
    }
}
