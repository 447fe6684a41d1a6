//! The grouping engine: deals and lines of a period summed per slice and currency.

use super::lines::{Attr, DealLines, State, NO_DAY};
use super::By;
use crate::error::{Error, ErrorKind, Result};
use crate::money::Currency;
use crate::table::{days_to_date, Column, TextValues};
use chrono::Datelike;

/// The figures of one slice in one currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Slice {
    /// The slice's key (`None`: not given).
    pub(crate) key: Option<String>,
    pub(crate) currency: Option<Currency>,
    /// Won revenue in minor units.
    pub(crate) revenue: i64,
    pub(crate) lines: u64,
    pub(crate) deals: u64,
    pub(crate) won: u64,
    pub(crate) lost: u64,
    pub(crate) open: u64,
    /// Sales cycles (close day less creation day) of the won deals.
    pub(crate) cycles: Vec<i32>,
}

impl Slice {
    pub(crate) fn won_rate(&self) -> Option<f64> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| self.won as f64 / closed as f64)
    }

    /// Revenue over won deals, rounded half away from zero.
    pub(crate) fn average_deal(&self) -> Option<i64> {
        if self.won == 0 {
            return None;
        }
        let (n, d) = (i128::from(self.revenue), i128::from(self.won));
        let q = (2 * n.abs() + d) / (2 * d);
        Some((if n < 0 { -q } else { q }) as i64)
    }

    pub(crate) fn cycle_mean(&self) -> Option<f64> {
        (!self.cycles.is_empty()).then(|| {
            self.cycles.iter().map(|&c| f64::from(c)).sum::<f64>() / self.cycles.len() as f64
        })
    }

    pub(crate) fn cycle_median(&self) -> Option<f64> {
        if self.cycles.is_empty() {
            return None;
        }
        // [`slices`] sorts them; a copy is sorted only for other callers.
        let sorted;
        let c: &[i32] = if self.cycles.is_sorted() {
            &self.cycles
        } else {
            let mut copy = self.cycles.clone();
            copy.sort_unstable();
            sorted = copy;
            &sorted
        };
        let m = c.len() / 2;
        Some(if c.len() % 2 == 1 {
            f64::from(c[m])
        } else {
            (f64::from(c[m - 1]) + f64::from(c[m])) / 2.0
        })
    }
}

/// A month index (year × 12 + month − 1) of a day.
pub(crate) fn month_index(day: i32) -> i32 {
    days_to_date(day).map_or(0, |d| d.year() * 12 + d.month0() as i32)
}

/// Each included deal's month index (0 for the others). The days of a
/// period span a few thousand at most, so each day's month is worked out
/// once, in a table, rather than once per deal.
fn deal_months(lines: &DealLines, included: &[bool]) -> Vec<i32> {
    let (lo, hi) = (0..included.len())
        .filter(|&d| included[d])
        .map(|d| lines.day(d))
        .fold((i32::MAX, i32::MIN), |(lo, hi), day| {
            (lo.min(day), hi.max(day))
        });
    const MAX_TABLE: i64 = 1 << 20;
    if lo > hi || i64::from(hi) - i64::from(lo) >= MAX_TABLE {
        return (0..included.len())
            .map(|d| {
                if included[d] {
                    month_index(lines.day(d))
                } else {
                    0
                }
            })
            .collect();
    }
    let table: Vec<i32> = (lo..=hi).map(month_index).collect();
    (0..included.len())
        .map(|d| {
            if included[d] {
                table[(lines.day(d) - lo) as usize]
            } else {
                0
            }
        })
        .collect()
}

/// The slices of the deals whose day (close day, or creation day for open
/// deals) is within `from..=to`, by `by`, in key order (a missing key last)
/// and currency order.
pub(crate) fn slices(lines: &DealLines, by: By, from: i32, to: i32) -> Result<Vec<Slice>> {
    let n = lines.deals();
    let ncur = lines.currencies.len().max(1);
    let included: Vec<bool> = (0..n)
        .map(|d| lines.state[d].is_some() && (from..=to).contains(&lines.day(d)))
        .collect();
    // Each deal's key code, for deal-level slices; months coded here.
    let mut month_values = TextValues::default();
    let deal_attr: Option<(Vec<u32>, &TextValues)> = match by {
        By::None => Some((vec![0; n], &EMPTY)),
        By::Client => Some((lines.client.codes.clone(), &lines.client.values)),
        By::Manager => Some((lines.manager.codes.clone(), &lines.manager.values)),
        By::Source => Some((lines.source.codes.clone(), &lines.source.values)),
        By::City => Some((lines.city.codes.clone(), &lines.city.values)),
        By::Region => Some((lines.region.codes.clone(), &lines.region.values)),
        By::Month => {
            let months = deal_months(lines, &included);
            let (lo, hi) = months
                .iter()
                .zip(&included)
                .filter(|(_, &inc)| inc)
                .fold((i32::MAX, i32::MIN), |(lo, hi), (&m, _)| {
                    (lo.min(m), hi.max(m))
                });
            let mut codes = vec![0u32; n];
            if lo <= hi {
                for m in lo..=hi {
                    let (y, mo) = (m.div_euclid(12), m.rem_euclid(12) + 1);
                    month_values.push(&format!("{y:04}-{mo:02}"));
                }
                for d in 0..n {
                    if included[d] {
                        codes[d] = (months[d] - lo) as u32;
                    }
                }
            } else {
                month_values.push("");
            }
            Some((codes, &month_values))
        }
        By::Product | By::Category => None,
    };
    let line_attr: Option<&Attr> = match by {
        By::Product => Some(&lines.product),
        By::Category => Some(&lines.category),
        _ => None,
    };
    let keys: &TextValues = match (&deal_attr, line_attr) {
        (Some((_, values)), _) => values,
        (None, Some(attr)) => &attr.values,
        (None, None) => unreachable!("every by is deal-level or line-level"),
    };
    let groups = keys.len().max(1) * ncur;
    let mut out: Vec<Slice> = vec![Slice::default(); groups];
    let cycle = |d: usize| -> Option<i32> {
        (lines.state[d] == Some(State::Won) && lines.created[d] != NO_DAY)
            .then(|| lines.closed[d] - lines.created[d])
    };
    let count = |s: &mut Slice, d: usize| {
        s.deals += 1;
        match lines.state[d] {
            Some(State::Won) => {
                s.won += 1;
                if let Some(c) = cycle(d) {
                    s.cycles.push(c);
                }
            }
            Some(State::Lost) => s.lost += 1,
            _ => s.open += 1,
        }
    };
    let line_group: Box<dyn Fn(usize) -> usize + Sync + '_> = match (&deal_attr, line_attr) {
        (Some((codes, _)), _) => {
            for d in 0..n {
                if included[d] {
                    let g = codes[d] as usize * ncur + lines.currency[d] as usize;
                    count(&mut out[g], d);
                }
            }
            Box::new(move |l| {
                let d = lines.line_deal[l] as usize;
                codes[d] as usize * ncur + lines.currency[d] as usize
            })
        }
        (None, Some(attr)) => {
            // A deal counts once in each slice it has lines in.
            let mut seen: Vec<u32> = vec![u32::MAX; attr.values.len().max(1)];
            let mut visit = |d: usize, ls: &mut dyn Iterator<Item = usize>| {
                for l in ls {
                    let k = attr.codes[l] as usize;
                    if seen[k] != d as u32 {
                        seen[k] = d as u32;
                        count(&mut out[k * ncur + lines.currency[d] as usize], d);
                    }
                }
            };
            if lines.contiguous {
                // Each deal's lines are one run: no grouping needed.
                let total = lines.line_deal.len();
                let mut start = 0;
                while start < total {
                    let d = lines.line_deal[start] as usize;
                    let mut end = start + 1;
                    while end < total && lines.line_deal[end] as usize == d {
                        end += 1;
                    }
                    if included[d] {
                        visit(d, &mut (start..end));
                    }
                    start = end;
                }
            } else {
                let (offsets, by_deal) = crate::value::orders::group_by_code(&lines.line_deal, n);
                for d in 0..n {
                    if included[d] {
                        let mut ls = by_deal[offsets[d]..offsets[d + 1]]
                            .iter()
                            .map(|&l| l as usize);
                        visit(d, &mut ls);
                    }
                }
            }
            Box::new(move |l| {
                let d = lines.line_deal[l] as usize;
                attr.codes[l] as usize * ncur + lines.currency[d] as usize
            })
        }
        (None, None) => unreachable!("every by is deal-level or line-level"),
    };
    let sums = line_sums(lines, &included, groups, &line_group);
    for (g, (revenue, count)) in sums.into_iter().enumerate() {
        out[g].lines = count;
        out[g].revenue = i64::try_from(revenue).map_err(|_| {
            let deal = overflowing_deal(lines, &included, g, &line_group);
            Error::new(
                ErrorKind::InvalidValue,
                "the won revenue of its slice overflows the exact amount range",
            )
            .with_record(format!("deal {deal}"))
            .with_field("amount")
        })?;
    }
    for (g, slice) in out.iter_mut().enumerate() {
        let k = g / ncur;
        let key = if k < keys.len() {
            keys.get(k).trim()
        } else {
            ""
        };
        slice.key = (!key.is_empty()).then(|| key.to_string());
        slice.currency = lines.currencies.get(g % ncur).copied();
        slice.cycles.sort_unstable();
    }
    let mut out: Vec<Slice> = out
        .into_iter()
        .filter(|s| s.deals > 0 || s.lines > 0)
        .collect();
    // Keys and currencies are distinct pairs, so the order is total; a
    // currency orders as its code does.
    out.sort_unstable_by(|a, b| {
        (a.key.is_none(), &a.key, a.currency).cmp(&(b.key.is_none(), &b.key, b.currency))
    });
    Ok(out)
}

static EMPTY: std::sync::LazyLock<TextValues> = std::sync::LazyLock::new(|| {
    let mut v = TextValues::default();
    v.push("");
    v
});

/// Lines summed per group: won revenue (in `i128`, which cannot overflow on
/// any number of `i64` lines a machine holds) and the count of lines of the
/// included deals; on all cores with the `parallel` feature when the groups
/// are few enough for one array per task.
fn line_sums(
    lines: &DealLines,
    included: &[bool],
    groups: usize,
    group: &(dyn Fn(usize) -> usize + Sync),
) -> Vec<(i128, u64)> {
    let sum_range = |range: std::ops::Range<usize>, acc: &mut Vec<(i128, u64)>| {
        for l in range {
            let d = lines.line_deal[l] as usize;
            if !included[d] {
                continue;
            }
            let slot = &mut acc[group(l)];
            slot.1 += 1;
            if lines.state[d] == Some(State::Won) {
                slot.0 += i128::from(lines.amount[l]);
            }
        }
    };
    let total = lines.line_deal.len();
    #[cfg(feature = "parallel")]
    if groups <= 1 << 16 && total >= 1 << 18 {
        use rayon::prelude::*;
        let size = 1 << 18;
        let parts: Vec<Vec<(i128, u64)>> = (0..total.div_ceil(size))
            .into_par_iter()
            .map(|p| {
                let mut acc = vec![(0i128, 0u64); groups];
                sum_range(p * size..((p + 1) * size).min(total), &mut acc);
                acc
            })
            .collect();
        let mut acc = vec![(0i128, 0u64); groups];
        for part in parts {
            for (a, b) in acc.iter_mut().zip(part) {
                a.0 += b.0;
                a.1 += b.1;
            }
        }
        return acc;
    }
    let mut acc = vec![(0i128, 0u64); groups];
    sum_range(0..total, &mut acc);
    acc
}

/// The deal whose line first takes group `g`'s running won revenue out of
/// the `i64` range.
fn overflowing_deal(
    lines: &DealLines,
    included: &[bool],
    g: usize,
    group: &(dyn Fn(usize) -> usize + Sync),
) -> String {
    let mut sum: i128 = 0;
    for l in 0..lines.line_deal.len() {
        let d = lines.line_deal[l] as usize;
        if !included[d] || lines.state[d] != Some(State::Won) || group(l) != g {
            continue;
        }
        sum += i128::from(lines.amount[l]);
        if i64::try_from(sum).is_err() {
            return lines.deal_key.text(d);
        }
    }
    "?".to_string()
}

/// The slices as table columns: the key (named after `by`, none for
/// [`By::None`]), `currency`, `revenue` (exact decimal at the largest scale
/// of the currencies), `deals`, `won`, `lost`, `open`, `won_rate`,
/// `average_deal`, `cycle_mean_days`, `cycle_median_days`, `lines`.
pub(crate) fn slice_columns(slices: &[Slice], by: By) -> Vec<Column> {
    let scale = slices
        .iter()
        .filter_map(|s| s.currency)
        .map(|c| c.minor_digits())
        .max()
        .unwrap_or(2);
    let exact = |s: &Slice, minor: i64| {
        let digits = s.currency.map_or(scale, |c| c.minor_digits());
        i128::from(minor) * 10_i128.pow(scale - digits)
    };
    let codes: Vec<Option<&str>> = slices
        .iter()
        .map(|s| s.currency.as_ref().map(Currency::code))
        .collect();
    let mut columns = Vec::new();
    if by != By::None {
        columns.push(Column::from_texts(
            by.name(),
            slices.iter().map(|s| s.key.as_deref()),
        ));
    }
    let ints = |name: &str, f: &dyn Fn(&Slice) -> u64| {
        Column::from_int64s(name, slices.iter().map(|s| Some(f(s) as i64)))
    };
    columns.extend([
        Column::from_texts("currency", codes.iter().copied()),
        Column::from_decimals(
            "revenue",
            scale as i8,
            slices.iter().map(|s| Some(exact(s, s.revenue))),
        ),
        ints("deals", &|s| s.deals),
        ints("won", &|s| s.won),
        ints("lost", &|s| s.lost),
        ints("open", &|s| s.open),
        Column::from_float64s("won_rate", slices.iter().map(Slice::won_rate)),
        Column::from_decimals(
            "average_deal",
            scale as i8,
            slices.iter().map(|s| s.average_deal().map(|a| exact(s, a))),
        ),
        Column::from_float64s("cycle_mean_days", slices.iter().map(Slice::cycle_mean)),
        Column::from_float64s("cycle_median_days", slices.iter().map(Slice::cycle_median)),
        ints("lines", &|s| s.lines),
    ]);
    columns
}
