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
    /// The slice's key: an index into [`Slices::keys`] (`None`: not given).
    pub(crate) key: Option<u32>,
    pub(crate) currency: Option<Currency>,
    /// Won revenue in minor units.
    pub(crate) revenue: i64,
    pub(crate) lines: u64,
    pub(crate) deals: u64,
    pub(crate) won: u64,
    pub(crate) lost: u64,
    pub(crate) open: u64,
    /// Mean and median sales cycle (close day less creation day) of the won
    /// deals that have a creation day.
    pub(crate) cycle_mean: Option<f64>,
    pub(crate) cycle_median: Option<f64>,
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
}

/// The slices of a period, in key order (a missing key last) and currency
/// order, with the texts their keys index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slices {
    pub(crate) keys: TextValues,
    pub(crate) rows: Vec<Slice>,
}

impl Slices {
    /// The key text of `slice` (`None`: not given).
    pub(crate) fn key(&self, slice: &Slice) -> Option<&str> {
        slice.key.map(|k| self.keys.get(k as usize))
    }
}

/// The running figures of one group (a key and a currency): 32 bytes, in
/// one half of a cache line. Revenue that leaves the `i64` range on the
/// way is summed again exactly from the lines (see [`won_lines`]).
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(32))]
struct Acc {
    revenue: i64,
    lines: u64,
    won: u32,
    lost: u32,
    open: u32,
    /// How many sales cycles the group has.
    cycles: u32,
}

impl Acc {
    fn deals(&self) -> u64 {
        u64::from(self.won) + u64::from(self.lost) + u64::from(self.open)
    }
}

/// The lines of one deal: a run of consecutive lines, or scattered ones.
enum LinesOf<'a> {
    Run(std::ops::Range<usize>),
    Scattered(&'a [u32]),
}

impl LinesOf<'_> {
    #[inline]
    fn for_each(&self, mut f: impl FnMut(usize)) {
        match self {
            LinesOf::Run(range) => range.clone().for_each(f),
            LinesOf::Scattered(lines) => lines.iter().for_each(|&l| f(l as usize)),
        }
    }
}

/// Where each deal's lines are: one run each (the lines of a deal next to
/// each other), or the lines grouped by deal (offsets and line numbers).
enum DealIndex {
    Runs,
    Grouped(Vec<usize>, Vec<u32>),
}

impl DealIndex {
    fn of(lines: &DealLines) -> DealIndex {
        if lines.contiguous {
            DealIndex::Runs
        } else {
            let (offsets, by_deal) =
                crate::value::orders::group_by_code(&lines.line_deal, lines.deals());
            DealIndex::Grouped(offsets, by_deal)
        }
    }
}

/// `f(deal, its lines)` for each included deal.
fn each_deal(
    lines: &DealLines,
    index: &DealIndex,
    included: &[bool],
    mut f: impl FnMut(usize, LinesOf<'_>),
) {
    match index {
        DealIndex::Runs => {
            let total = lines.line_deal.len();
            let mut start = 0;
            while start < total {
                let d = lines.line_deal[start];
                let mut end = start + 1;
                while end < total && lines.line_deal[end] == d {
                    end += 1;
                }
                if included[d as usize] {
                    f(d as usize, LinesOf::Run(start..end));
                }
                start = end;
            }
        }
        DealIndex::Grouped(offsets, by_deal) => {
            for d in 0..lines.deals() {
                if included[d] {
                    f(d, LinesOf::Scattered(&by_deal[offsets[d]..offsets[d + 1]]));
                }
            }
        }
    }
}

/// Counts deal `d` in group `g`'s `a` by its state; a won deal's sales
/// cycle (when it has a creation day) goes to `cycles`.
fn count(lines: &DealLines, a: &mut Acc, g: usize, d: usize, cycles: &mut Vec<(u32, i32)>) {
    match lines.state[d] {
        Some(State::Won) => {
            a.won += 1;
            if lines.created[d] != NO_DAY {
                a.cycles += 1;
                cycles.push((g as u32, lines.closed[d] - lines.created[d]));
            }
        }
        Some(State::Lost) => a.lost += 1,
        _ => a.open += 1,
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
pub(crate) fn slices(lines: &DealLines, by: By, from: i32, to: i32) -> Result<Slices> {
    let n = lines.deals();
    let ncur = lines.currencies.len().max(1);
    let included: Vec<bool> = (0..n)
        .map(|d| lines.state[d].is_some() && (from..=to).contains(&lines.day(d)))
        .collect();
    // Each deal's key code, for deal-level slices; months coded here.
    let mut month_values = TextValues::default();
    let month_codes;
    let deal_attr: Option<(&[u32], &TextValues)> = match by {
        By::None => None,
        By::Client => Some((&lines.client.codes, &lines.client.values)),
        By::Manager => Some((&lines.manager.codes, &lines.manager.values)),
        By::Source => Some((&lines.source.codes, &lines.source.values)),
        By::City => Some((&lines.city.codes, &lines.city.values)),
        By::Region => Some((&lines.region.codes, &lines.region.values)),
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
            month_codes = codes;
            Some((&month_codes, &month_values))
        }
        By::Product | By::Category => None,
    };
    let line_attr: Option<&Attr> = match by {
        By::Product => Some(&lines.product),
        By::Category => Some(&lines.category),
        _ => None,
    };
    let keys: &TextValues = match (deal_attr, line_attr) {
        (Some((_, values)), _) => values,
        (None, Some(attr)) => &attr.values,
        (None, None) => &EMPTY,
    };
    // Groups are numbered in output order (keys, then currencies as their
    // codes order), so the figures are read back in one sequential pass.
    let (order, sorted_keys, given) = key_order(keys);
    let mut rank = vec![0u32; order.len()];
    for (p, &k) in order.iter().enumerate() {
        rank[k as usize] = p as u32;
    }
    let mut currency_order: Vec<usize> = (0..ncur).collect();
    currency_order.sort_by_key(|&c| lines.currencies.get(c).copied());
    let mut currency_rank = vec![0usize; ncur];
    for (p, &c) in currency_order.iter().enumerate() {
        currency_rank[c] = p;
    }
    let (rank, currency_rank) = (&rank, &currency_rank);
    let group_of = move |k: usize, d: usize| {
        rank[k] as usize * ncur + currency_rank[lines.currency[d] as usize]
    };
    let groups = order.len() * ncur;
    let mut acc: Vec<Acc> = vec![Acc::default(); groups];
    let index = DealIndex::of(lines);
    // (group, sales cycle) of each won deal counted in a group.
    let mut cycles: Vec<(u32, i32)> = Vec::new();
    // Groups whose running revenue left the `i64` range.
    let mut overflowed: Vec<u32> = Vec::new();
    let line_group: Box<dyn Fn(usize) -> usize + Sync + '_> = match line_attr {
        None => {
            // One pass over the deals: each deal's lines summed into its
            // group. The groups are looked up first, in a pass of their own;
            // with several cores each takes a range of groups.
            let code = |d: usize| deal_attr.map_or(0, |(codes, _)| codes[d] as usize);
            let deal_group: Vec<u32> = (0..n).map(|d| group_of(code(d), d) as u32).collect();
            let tasks = crate::value::orders::parts_for(n);
            let mut parts: Vec<(usize, &mut [Acc])> = Vec::with_capacity(tasks);
            let mut rest = &mut acc[..];
            for t in 0..tasks {
                let size = (t + 1) * groups / tasks - t * groups / tasks;
                let (part, after) = rest.split_at_mut(size);
                parts.push((t * groups / tasks, part));
                rest = after;
            }
            let run = |(lo, part): (usize, &mut [Acc])| {
                let (mut cycles, mut overflowed) = (Vec::new(), Vec::new());
                let hi = lo + part.len();
                each_deal(lines, &index, &included, |d, ls| {
                    let g = deal_group[d] as usize;
                    if g < lo || g >= hi {
                        return;
                    }
                    let a = &mut part[g - lo];
                    let (mut count_of, mut sum) = (0u64, 0i128);
                    ls.for_each(|l| {
                        count_of += 1;
                        sum += i128::from(lines.amount[l]);
                    });
                    a.lines += count_of;
                    if lines.state[d] == Some(State::Won) {
                        match i64::try_from(sum)
                            .ok()
                            .and_then(|s| a.revenue.checked_add(s))
                        {
                            Some(revenue) => a.revenue = revenue,
                            None => overflowed.push(g as u32),
                        }
                    }
                    count(lines, a, g, d, &mut cycles);
                });
                (cycles, overflowed)
            };
            #[cfg(feature = "parallel")]
            let found: Vec<_> = {
                use rayon::prelude::*;
                parts.into_par_iter().map(run).collect()
            };
            #[cfg(not(feature = "parallel"))]
            let found: Vec<_> = parts.into_iter().map(run).collect();
            for (c, o) in found {
                cycles.extend(c);
                overflowed.extend(o);
            }
            Box::new(move |l| {
                let d = lines.line_deal[l] as usize;
                group_of(code(d), d)
            })
        }
        Some(attr) => {
            // A deal counts once in each slice it has lines in.
            let mut seen: Vec<u32> = vec![u32::MAX; attr.values.len().max(1)];
            each_deal(lines, &index, &included, |d, ls| {
                ls.for_each(|l| {
                    let k = attr.codes[l] as usize;
                    if seen[k] != d as u32 {
                        seen[k] = d as u32;
                        let g = group_of(k, d);
                        count(lines, &mut acc[g], g, d, &mut cycles);
                    }
                });
            });
            let group = move |l: usize| {
                let d = lines.line_deal[l] as usize;
                group_of(attr.codes[l] as usize, d)
            };
            let sums = line_sums(lines, &included, groups, &group);
            for (g, (a, (revenue, count))) in acc.iter_mut().zip(sums).enumerate() {
                match i64::try_from(revenue) {
                    Ok(revenue) => a.revenue = revenue,
                    Err(_) => overflowed.push(g as u32),
                }
                a.lines = count;
            }
            Box::new(group)
        }
    };
    // The cycles of each group together (a counting sort), each group's sorted.
    let mut offsets: Vec<u32> = Vec::with_capacity(groups + 1);
    offsets.push(0);
    let mut total = 0u32;
    for a in &acc {
        total += a.cycles;
        offsets.push(total);
    }
    let mut sorted = vec![0i32; cycles.len()];
    {
        let mut next: Vec<u32> = offsets[..groups].to_vec();
        for &(g, c) in &cycles {
            sorted[next[g as usize] as usize] = c;
            next[g as usize] += 1;
        }
    }
    drop(cycles);
    let mut cycle_figures = |g: usize| -> (Option<f64>, Option<f64>) {
        let c = &mut sorted[offsets[g] as usize..offsets[g + 1] as usize];
        if c.is_empty() {
            return (None, None);
        }
        c.sort_unstable();
        let sum: i64 = c.iter().map(|&x| i64::from(x)).sum();
        let m = c.len() / 2;
        let median = if c.len() % 2 == 1 {
            f64::from(c[m])
        } else {
            (f64::from(c[m - 1]) + f64::from(c[m])) / 2.0
        };
        (Some(sum as f64 / c.len() as f64), Some(median))
    };
    overflowed.sort_unstable();
    overflowed.dedup();
    let mut rows = Vec::new();
    for p in 0..order.len() {
        let key = (p < given).then_some(p as u32);
        for (r, &c) in currency_order.iter().enumerate() {
            let g = p * ncur + r;
            let a = acc[g];
            if a.deals() == 0 && a.lines == 0 {
                continue;
            }
            let revenue = if overflowed.binary_search(&(g as u32)).is_err() {
                a.revenue
            } else {
                let exact: i128 = won_lines(lines, &included, g, &line_group)
                    .map(|(_, amount)| i128::from(amount))
                    .sum();
                i64::try_from(exact).map_err(|_| {
                    let deal = overflowing_deal(lines, &included, g, &line_group);
                    Error::new(
                        ErrorKind::InvalidValue,
                        "the won revenue of its slice overflows the exact amount range",
                    )
                    .with_record(format!("deal {deal}"))
                    .with_field("amount")
                })?
            };
            let (cycle_mean, cycle_median) = cycle_figures(g);
            rows.push(Slice {
                key,
                currency: lines.currencies.get(c).copied(),
                revenue,
                lines: a.lines,
                deals: a.deals(),
                won: u64::from(a.won),
                lost: u64::from(a.lost),
                open: u64::from(a.open),
                cycle_mean,
                cycle_median,
            });
        }
    }
    Ok(Slices {
        keys: sorted_keys,
        rows,
    })
}

/// The codes of `keys` in the order of their texts (trimmed), those whose
/// text is empty last; the texts in that order; and how many are not
/// empty. The sort compares the first eight bytes as one number and reads
/// the texts only when those are equal; a text of eight bytes or fewer is
/// written back from them, without reading it again.
fn key_order(keys: &TextValues) -> (Vec<u32>, TextValues, usize) {
    let text = |k: u32| keys.get(k as usize).trim();
    let mut order: Vec<(u64, u32, u8)> = Vec::with_capacity(keys.len());
    let mut empty: Vec<u32> = Vec::new();
    for k in 0..keys.len().max(1) as u32 {
        let bytes = if (k as usize) < keys.len() {
            text(k).as_bytes()
        } else {
            b""
        };
        if bytes.is_empty() {
            empty.push(k);
            continue;
        }
        let mut p = [0u8; 8];
        let n = bytes.len().min(8);
        p[..n].copy_from_slice(&bytes[..n]);
        order.push((u64::from_be_bytes(p), k, bytes.len().min(9) as u8));
    }
    let cmp = |a: &(u64, u32, u8), b: &(u64, u32, u8)| {
        a.0.cmp(&b.0).then_with(|| text(a.1).cmp(text(b.1)))
    };
    #[cfg(feature = "parallel")]
    if order.len() >= 1 << 16 {
        use rayon::slice::ParallelSliceMut;
        order.par_sort_unstable_by(cmp);
    } else {
        order.sort_unstable_by(cmp);
    }
    #[cfg(not(feature = "parallel"))]
    order.sort_unstable_by(cmp);
    let given = order.len();
    let mut texts = TextValues::with_capacity(given + empty.len(), given * 8);
    let mut codes = Vec::with_capacity(given + empty.len());
    for &(prefix, k, len) in &order {
        let bytes = prefix.to_be_bytes();
        match std::str::from_utf8(&bytes[..usize::from(len).min(8)]) {
            Ok(short) if len <= 8 => texts.push(short),
            _ => texts.push(text(k)),
        }
        codes.push(k);
    }
    for k in empty {
        texts.push("");
        codes.push(k);
    }
    (codes, texts, given)
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

/// The won lines of the included deals in group `g`, in line order: each
/// line's deal and amount. Read only for a group whose running revenue
/// left the `i64` range.
fn won_lines<'a>(
    lines: &'a DealLines,
    included: &'a [bool],
    g: usize,
    group: &'a (dyn Fn(usize) -> usize + Sync),
) -> impl Iterator<Item = (usize, i64)> + 'a {
    (0..lines.line_deal.len()).filter_map(move |l| {
        let d = lines.line_deal[l] as usize;
        (included[d] && lines.state[d] == Some(State::Won) && group(l) == g)
            .then(|| (d, lines.amount[l]))
    })
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
    for (d, amount) in won_lines(lines, included, g, group) {
        sum += i128::from(amount);
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
pub(crate) fn slice_columns(table: &Slices, by: By) -> Vec<Column> {
    let slices = &table.rows[..];
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
    let ints = |name: &str, f: fn(&Slice) -> u64| {
        Column::from_int64s(name, slices.iter().map(|s| Some(f(s) as i64)))
    };
    type Build<'a> = Box<dyn Fn() -> Column + Sync + Send + 'a>;
    let mut builds: Vec<Build<'_>> = Vec::new();
    if by != By::None {
        builds.push(Box::new(|| {
            Column::from_texts(by.name(), slices.iter().map(|s| table.key(s)))
        }));
    }
    builds.extend([
        Box::new(|| {
            Column::from_texts(
                "currency",
                slices
                    .iter()
                    .map(|s| s.currency.as_ref().map(Currency::code)),
            )
        }) as Build<'_>,
        Box::new(|| {
            Column::from_decimals(
                "revenue",
                scale as i8,
                slices.iter().map(|s| Some(exact(s, s.revenue))),
            )
        }),
        Box::new(|| ints("deals", |s| s.deals)),
        Box::new(|| ints("won", |s| s.won)),
        Box::new(|| ints("lost", |s| s.lost)),
        Box::new(|| ints("open", |s| s.open)),
        Box::new(|| Column::from_float64s("won_rate", slices.iter().map(Slice::won_rate))),
        Box::new(|| {
            Column::from_decimals(
                "average_deal",
                scale as i8,
                slices.iter().map(|s| s.average_deal().map(|a| exact(s, a))),
            )
        }),
        Box::new(|| Column::from_float64s("cycle_mean_days", slices.iter().map(|s| s.cycle_mean))),
        Box::new(|| {
            Column::from_float64s("cycle_median_days", slices.iter().map(|s| s.cycle_median))
        }),
        Box::new(|| ints("lines", |s| s.lines)),
    ]);
    // The columns are built on all cores when there are many slices.
    #[cfg(feature = "parallel")]
    if slices.len() >= 1 << 14 {
        use rayon::prelude::*;
        return builds.par_iter().map(|build| build()).collect();
    }
    builds.iter().map(|build| build()).collect()
}
