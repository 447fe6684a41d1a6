//! Small sampling helpers shared by the generator: weighted tables, skewed counts, dates.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;

/// Picks indices of a table in proportion to fixed weights.
pub(crate) struct Weighted {
    cumulative: Vec<u64>,
}

impl Weighted {
    /// A picker over `weights`; zero weights are never picked. At least one weight must be positive.
    pub(crate) fn new(weights: impl IntoIterator<Item = u64>) -> Weighted {
        let mut total = 0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    /// A picker from floating weights, scaled to integers.
    pub(crate) fn from_f64(weights: impl IntoIterator<Item = f64>) -> Weighted {
        Weighted::new(
            weights
                .into_iter()
                .map(|w| (w * 1_000_000.0).round() as u64),
        )
    }

    /// A random index.
    pub(crate) fn index<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0);
        if total == 0 {
            return 0;
        }
        let x = rng.random_range(0..total);
        self.cumulative.partition_point(|&c| c <= x)
    }
}

/// Picks from a `(item, weight)` table.
pub(crate) fn weighted<'a, T, R: Rng + ?Sized>(rng: &mut R, table: &'a [(T, u32)]) -> &'a T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in table {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &table[table.len() - 1].0
}

/// Picks uniformly from a non-empty slice.
pub(crate) fn one_of<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A count with mean `mean` and a long tail (geometric, starting at 0), capped at `cap`.
pub(crate) fn geometric<R: Rng + ?Sized>(rng: &mut R, mean: f64, cap: u32) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    let p = 1.0 / (1.0 + mean);
    let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let k = (u.ln() / (1.0 - p).ln()).floor();
    if k.is_finite() && k >= 0.0 {
        (k as u32).min(cap)
    } else {
        0
    }
}

/// A time of day in office hours, Moscow time (06:00 to 17:00 UTC), as seconds.
pub(crate) fn office_seconds<R: Rng + ?Sized>(rng: &mut R) -> i64 {
    rng.random_range(6 * 3600..17 * 3600)
}

/// Midnight UTC of `date`.
pub(crate) fn midnight(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// A moment on `date` in office hours.
pub(crate) fn at_office_hours<R: Rng + ?Sized>(rng: &mut R, date: NaiveDate) -> DateTime<Utc> {
    midnight(date) + Duration::seconds(office_seconds(rng))
}

/// A uniformly random day in `[from, to]` (inclusive); `from` when the range is empty.
pub(crate) fn day_between<R: Rng + ?Sized>(
    rng: &mut R,
    from: NaiveDate,
    to: NaiveDate,
) -> NaiveDate {
    let span = (to - from).num_days();
    if span <= 0 {
        return from;
    }
    from + Duration::days(rng.random_range(0..=span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn geometric_has_the_requested_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 200_000;
        let sum: u64 = (0..n).map(|_| geometric(&mut rng, 3.0, 1000) as u64).sum();
        let mean = sum as f64 / n as f64;
        assert!((mean - 3.0).abs() < 0.05, "{mean}");
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let w = Weighted::new([0, 5, 0, 5]);
        for _ in 0..1000 {
            let i = w.index(&mut rng);
            assert!(i == 1 || i == 3);
        }
    }
}
