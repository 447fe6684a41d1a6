//! When recurring deals are due: the next dates of an invoice or a shipment
//! from a deal's [`Recurrence`] ("monthly on the 31st", "every 2 weeks on
//! Friday").
//!
//! A monthly or yearly schedule on a day a month lacks falls on the month's
//! last day (the 31st is the 30th in April and the 28th or 29th in February)
//! and returns to its own day the month after. Without a day, a weekly,
//! monthly or yearly schedule keeps the start date's weekday or day of month.
//!
//! ```
//! use clientbase::value::next_due_dates;
//! use clientbase::Recurrence;
//! use chrono::NaiveDate;
//!
//! let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
//! let monthly = Recurrence::monthly_on(31);
//! let due = next_due_dates(&monthly, d(2024, 1, 10), d(2024, 1, 20), 3)?;
//! assert_eq!(due, [d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 31)]);
//! # Ok::<(), clientbase::Error>(())
//! ```

use crate::base::ClientBase;
use crate::deal::{DealStatus, Period, Recurrence};
use crate::error::{invalid, Result};
use crate::table::{Column, Table};
use chrono::{Datelike, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The most due dates one call lists per schedule.
const MAX_COUNT: usize = 10_000;

/// Day `day` of the month `index` months after year 0's January, or the
/// month's last day when it is shorter.
fn clamped(index: i64, day: u32) -> Option<NaiveDate> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = index.rem_euclid(12) as u32 + 1;
    (28..=day.max(28))
        .rev()
        .find_map(|d| NaiveDate::from_ymd_opt(year, month, d.min(day)))
}

/// A schedule as a sequence of occurrences 0, 1, 2, … from its start.
enum Steps {
    /// Every `days` days from `anchor`.
    Days { anchor: NaiveDate, days: u64 },
    /// Every `months` months from month index `first`, on `day`.
    Months { first: i64, months: i64, day: u32 },
}

impl Steps {
    fn new(recurrence: &Recurrence, start: NaiveDate) -> Steps {
        let every = u64::from(recurrence.every);
        let month_index = i64::from(start.year()) * 12 + i64::from(start.month0());
        let day = recurrence.day.map_or(start.day(), u32::from);
        match recurrence.period {
            Period::Day => Steps::Days {
                anchor: start,
                days: every,
            },
            Period::Week => {
                let ahead = recurrence.day.map_or(0, |d| {
                    (u64::from(d) + 7 - u64::from(start.weekday().number_from_monday())) % 7
                });
                Steps::Days {
                    anchor: start + Days::new(ahead),
                    days: 7 * every,
                }
            }
            Period::Month | Period::Year => {
                let (months, first) = if recurrence.period == Period::Month {
                    (every as i64, month_index)
                } else {
                    (12 * every as i64, month_index)
                };
                // The start month's occurrence may fall before the start.
                let first = match clamped(first, day) {
                    Some(date) if date < start => first + months,
                    _ => first,
                };
                Steps::Months { first, months, day }
            }
        }
    }

    fn at(&self, k: u64) -> Option<NaiveDate> {
        match *self {
            Steps::Days { anchor, days } => {
                anchor.checked_add_days(Days::new(k.checked_mul(days)?))
            }
            Steps::Months { first, months, day } => clamped(
                first.checked_add(i64::try_from(k).ok()?.checked_mul(months)?)?,
                day,
            ),
        }
    }

    /// An occurrence number at or just before the first on or after `from`.
    fn guess(&self, from: NaiveDate) -> u64 {
        match *self {
            Steps::Days { anchor, days } => {
                let behind = (from - anchor).num_days().max(0) as u64;
                (behind / days).saturating_sub(1)
            }
            Steps::Months { first, months, .. } => {
                let index = i64::from(from.year()) * 12 + i64::from(from.month0());
                (((index - first).max(0) / months) as u64).saturating_sub(1)
            }
        }
    }
}

/// The first `count` due dates of a schedule that started on `start`, on or
/// after `from`, up to the recurrence's `until` (fewer when it ends first).
/// Fails when the recurrence is not valid (the error names the field) or
/// `count` is over 10 000.
pub fn next_due_dates(
    recurrence: &Recurrence,
    start: NaiveDate,
    from: NaiveDate,
    count: usize,
) -> Result<Vec<NaiveDate>> {
    recurrence.check()?;
    if count > MAX_COUNT {
        return Err(invalid(
            "count",
            format!("{count} is more than {MAX_COUNT}"),
        ));
    }
    let steps = Steps::new(recurrence, start);
    let mut out = Vec::with_capacity(count);
    let mut k = steps.guess(from);
    while out.len() < count {
        let Some(date) = steps.at(k) else { break };
        if recurrence.until.is_some_and(|until| date > until) {
            break;
        }
        if date >= from {
            out.push(date);
        }
        k += 1;
    }
    Ok(out)
}

/// Params of [`recurring_due_dates`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecurringParams {
    /// List due dates on or after this date (default `null`: today, UTC).
    pub as_of: Option<NaiveDate>,
    /// How many due dates per deal (default 3; at most 10 000).
    pub count: usize,
}

impl Default for RecurringParams {
    fn default() -> RecurringParams {
        RecurringParams {
            as_of: None,
            count: 3,
        }
    }
}

/// The next due dates of each open or won deal with a recurrence, one row per
/// date: `deal`, `client`, `due_date`, in deal order. A won deal's schedule
/// starts on its close date, an open deal's on its creation date (a deal with
/// neither has no schedule yet and no rows).
pub fn recurring_due_dates(base: &ClientBase, params: &RecurringParams) -> Result<Table> {
    if params.count > MAX_COUNT {
        return Err(invalid(
            "count",
            format!("{} is more than {MAX_COUNT}", params.count),
        ));
    }
    let from = params.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let (mut deals, mut clients, mut dates) = (Vec::new(), Vec::new(), Vec::new());
    for deal in base.deals() {
        let Some(recurrence) = &deal.recurrence else {
            continue;
        };
        let start = match deal.status {
            DealStatus::Won => deal.closed_at.or(deal.created_at),
            DealStatus::Open => deal.created_at,
            _ => continue,
        };
        let Some(start) = start else { continue };
        let due = next_due_dates(recurrence, start.date_naive(), from, params.count)
            .map_err(|e| e.with_record(format!("deal {}", deal.id.get())))?;
        for date in due {
            deals.push(deal.id.get());
            clients.push(deal.client.get());
            dates.push(date);
        }
    }
    Table::with_rows(
        dates.len(),
        vec![
            Column::from_uint64s("deal", deals.into_iter().map(Some)),
            Column::from_uint64s("client", clients.into_iter().map(Some)),
            Column::from_dates("due_date", dates.into_iter().map(Some)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_ends_clamp_and_come_back() {
        let every_month = Recurrence {
            every: 1,
            period: Period::Month,
            day: None,
            until: None,
        };
        let due = next_due_dates(&every_month, d(2023, 1, 31), d(2023, 1, 1), 5).unwrap();
        assert_eq!(
            due,
            [
                d(2023, 1, 31),
                d(2023, 2, 28),
                d(2023, 3, 31),
                d(2023, 4, 30),
                d(2023, 5, 31)
            ]
        );
    }

    #[test]
    fn weeks_days_years_and_until() {
        let fridays = Recurrence {
            every: 2,
            period: Period::Week,
            day: Some(5),
            until: Some(d(2024, 7, 1)),
        };
        // 2024-05-01 is a Wednesday: the first Friday is 05-03.
        let due = next_due_dates(&fridays, d(2024, 5, 1), d(2024, 6, 1), 10).unwrap();
        assert_eq!(due, [d(2024, 6, 14), d(2024, 6, 28)]);
        let daily = Recurrence {
            every: 10,
            period: Period::Day,
            day: None,
            until: None,
        };
        let due = next_due_dates(&daily, d(2024, 1, 1), d(2024, 1, 15), 2).unwrap();
        assert_eq!(due, [d(2024, 1, 21), d(2024, 1, 31)]);
        let leap = Recurrence {
            every: 1,
            period: Period::Year,
            day: None,
            until: None,
        };
        let due = next_due_dates(&leap, d(2024, 2, 29), d(2024, 3, 1), 2).unwrap();
        assert_eq!(due, [d(2025, 2, 28), d(2026, 2, 28)]);
        let bad = Recurrence { every: 0, ..daily };
        assert_eq!(
            next_due_dates(&bad, d(2024, 1, 1), d(2024, 1, 1), 1)
                .unwrap_err()
                .field(),
            Some("recurrence.every")
        );
    }
}
