//! Views built on the slices: managers, the funnel, lead sources and months.

use super::lines::{period_days, DealLines, NO_DAY};
use super::slices::{month_index, slice_columns, slices, Slice, Slices};
use super::{check_period, AnalyticsParams, By};
use crate::base::ClientBase;
use crate::capability::Rows;
use crate::deal::DealStatus;
use crate::error::{invalid, Result};
use crate::table::{date_to_days, Column, Table};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Deals, conversion (won rate), revenue and the sales cycle per manager and
/// currency, as [`sales_analytics`](super::sales_analytics) by manager, with
/// `activities` (the activities in the period by the manager: the manager
/// named on the activity, else the owner of its deal) and
/// `activities_per_deal` (activities over the manager's deals, all
/// currencies; the same on each of the manager's rows). Activities of
/// people who own no deal of the period are not listed (there is no deal to
/// divide by). `by` must be left out or be `manager`.
pub fn manager_effectiveness(base: &ClientBase, params: &AnalyticsParams) -> Result<Table> {
    if params.by != By::None && params.by != By::Manager {
        return Err(invalid(
            "by",
            format!(
                "manager effectiveness is by manager, not by {}",
                params.by.name()
            ),
        ));
    }
    check_period(params.from, params.to)?;
    let lines = DealLines::from_base(base, params.include_recurring);
    let (from, to) = period_days(params.from, params.to);
    let rows = slices(&lines, By::Manager, from, to)?;
    let mut activities: HashMap<Option<String>, u64> = HashMap::new();
    for activity in base.activities() {
        if !(from..=to).contains(&date_to_days(activity.at.date_naive())) {
            continue;
        }
        let manager = activity
            .manager
            .clone()
            .or_else(|| {
                activity
                    .deal
                    .and_then(|d| base.deal(d).ok())
                    .and_then(|d| d.owner.as_deref().map(str::to_string))
            })
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty());
        *activities.entry(manager).or_default() += 1;
    }
    let mut deals: HashMap<Option<String>, u64> = HashMap::new();
    let key = |s: &Slice| rows.key(s).map(str::to_string);
    for s in &rows.rows {
        *deals.entry(key(s)).or_default() += s.deals;
    }
    let mut columns = slice_columns(&rows, By::Manager);
    let count = |s: &Slice| activities.get(&key(s)).copied().unwrap_or(0);
    columns.push(Column::from_int64s(
        "activities",
        rows.rows.iter().map(|s| Some(count(s) as i64)),
    ));
    columns.push(Column::from_float64s(
        "activities_per_deal",
        rows.rows.iter().map(|s| {
            let d = deals.get(&key(s)).copied().unwrap_or(0);
            (d > 0).then(|| count(s) as f64 / d as f64)
        }),
    ));
    Ok(Table::new(columns)?.with_problems(lines.problems))
}

/// Revenue, deals and won deals per month and currency with the same month
/// of the year before: the columns of [`sales_analytics`](super::sales_analytics)
/// by month, then `prev_year_revenue`, `prev_year_deals`, `prev_year_won`
/// (the same month a year earlier, read outside the period when `from` cuts
/// it off; null when that month had no deals in this currency) and
/// `revenue_yoy` (revenue over the year before's, less 1; null when the year
/// before had no revenue). `by` must be left out or be `month`.
pub fn monthly_dynamics(rows: Rows<'_>, params: &AnalyticsParams) -> Result<Table> {
    if params.by != By::None && params.by != By::Month {
        return Err(invalid(
            "by",
            format!("monthly dynamics are by month, not by {}", params.by.name()),
        ));
    }
    check_period(params.from, params.to)?;
    let lines = DealLines::read(rows, &params.lines, params.include_recurring, params.by)?;
    let (from, to) = period_days(params.from, params.to);
    let earlier = params
        .from
        .and_then(|f| f.checked_sub_months(chrono::Months::new(12)))
        .map_or(from, date_to_days);
    let all = slices(&lines, By::Month, earlier, to)?;
    let index = |slices: &Slices, s: &Slice| {
        slices
            .key(s)
            .and_then(|k| NaiveDate::parse_from_str(&format!("{k}-01"), "%Y-%m-%d").ok())
            .map_or(0, |d| month_index(date_to_days(d)))
    };
    let by_month: HashMap<(i32, Option<crate::Currency>), &Slice> = all
        .rows
        .iter()
        .map(|s| ((index(&all, s), s.currency), s))
        .collect();
    let first_month = params.from.map(|f| month_index(date_to_days(f)));
    let kept: Slices = if first_month.is_some() {
        // The months before `from` were read for the comparison only: the
        // current rows are recounted within the period proper.
        slices(&lines, By::Month, from, to)?
    } else {
        all.clone()
    };
    let prev: Vec<Option<&Slice>> = kept
        .rows
        .iter()
        .map(|s| by_month.get(&(index(&kept, s) - 12, s.currency)).copied())
        .collect();
    let mut columns = slice_columns(&kept, By::Month);
    let scale = match columns
        .iter()
        .find(|c| c.name() == "revenue")
        .map(|c| c.column_type())
    {
        Some(crate::ColumnType::Decimal { scale }) => scale,
        _ => 2,
    };
    let exact = |s: &Slice, minor: i64| {
        let digits = s.currency.map_or(scale as u32, |c| c.minor_digits());
        i128::from(minor) * 10_i128.pow(scale as u32 - digits)
    };
    columns.push(Column::from_decimals(
        "prev_year_revenue",
        scale,
        prev.iter().map(|p| p.map(|p| exact(p, p.revenue))),
    ));
    columns.push(Column::from_int64s(
        "prev_year_deals",
        prev.iter().map(|p| p.map(|p| p.deals as i64)),
    ));
    columns.push(Column::from_int64s(
        "prev_year_won",
        prev.iter().map(|p| p.map(|p| p.won as i64)),
    ));
    columns.push(Column::from_float64s(
        "revenue_yoy",
        kept.rows.iter().zip(&prev).map(|(s, p)| {
            p.filter(|p| p.revenue != 0)
                .map(|p| s.revenue as f64 / p.revenue as f64 - 1.0)
        }),
    ));
    Ok(Table::new(columns)?.with_problems(lines.problems))
}

/// Params of [`funnel`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunnelParams {
    /// Only deals created on or after this date (default: all).
    pub from: Option<NaiveDate>,
    /// Only deals created on or before this date (default: all).
    pub to: Option<NaiveDate>,
    /// The day the age of open deals is counted to (default: the latest
    /// creation or close day among the base's deals, so that the answer
    /// does not depend on when it is asked).
    pub as_of: Option<NaiveDate>,
    /// The order of the stages of each pipeline, first to last (default
    /// none). Stage-to-stage conversion needs it: without an order for a
    /// pipeline its conversion columns are null. Stages a pipeline's deals
    /// are in but its order does not name are listed after the named ones.
    pub stages: BTreeMap<String, Vec<String>>,
}

/// The funnel: one row per pipeline and stage (pipelines by name; stages in
/// the declared order, then the others by name) of the deals created in the
/// period: `deals` in the stage now, of which `open`, `won`, `lost`;
/// `reached` (the deals that got at least this far: those now in this stage
/// or a later one, and every won deal of the pipeline) and
/// `conversion_to_next` (`reached` of the next stage over this one's, null
/// for the last stage and for undeclared orders); `open_age_mean_days` and
/// `open_age_median_days`, how long the open deals in the stage have been
/// open as of `as_of`.
///
/// Time in stage, on a base that keeps a change log (a base file, or a base
/// in memory after [`ClientBase::keep_change_log`]): `time_in_stage_deals` (the
/// stays in the stage that ended, by a move on or a close, of the deals
/// created in the period), `time_in_stage_mean_days` and
/// `time_in_stage_median_days` (their length in days), read from the change
/// log: a stay starts when the deal is made (its `created_at`) or moved
/// into the stage, and ends when it is moved on or closed; a reopened deal
/// starts a new one. A stage deals passed
/// through but none is in now has a row too. A base in memory without a
/// change log keeps no history of moves: these three columns are null
/// there, and the age of the open deals is the closest figure it allows.
///
/// `reached` assumes deals move forward through the declared order (a lost
/// deal reached the stage it was lost in).
pub fn funnel(base: &ClientBase, params: &FunnelParams) -> Result<Table> {
    check_period(params.from, params.to)?;
    for (pipeline, stages) in &params.stages {
        let mut seen = std::collections::BTreeSet::new();
        for s in stages {
            if !seen.insert(s.as_str()) {
                return Err(invalid(
                    format!("stages.{pipeline}"),
                    format!("stage {s:?} is named twice"),
                ));
            }
        }
    }
    let (from, to) = period_days(params.from, params.to);
    let as_of = params.as_of.map(date_to_days).unwrap_or_else(|| {
        base.deals()
            .flat_map(|d| [d.created_at, d.closed_at])
            .flatten()
            .map(|t| date_to_days(t.date_naive()))
            .max()
            .unwrap_or(0)
    });
    #[derive(Default)]
    struct Stage {
        deals: u64,
        open: u64,
        won: u64,
        lost: u64,
        ages: Vec<i32>,
        stays: Vec<f64>,
    }
    let stays = super::stays::finished_stays(base)?;
    let mut pipelines: BTreeMap<&str, BTreeMap<&str, Stage>> = BTreeMap::new();
    for deal in base.deals() {
        if matches!(deal.status, DealStatus::DuplicateOf(_)) {
            continue;
        }
        let created = deal.created_at.map(|t| date_to_days(t.date_naive()));
        if (params.from.is_some() || params.to.is_some())
            && !created.is_some_and(|c| (from..=to).contains(&c))
        {
            continue;
        }
        for stay in stays
            .as_ref()
            .and_then(|s| s.get(&deal.id))
            .into_iter()
            .flatten()
        {
            pipelines
                .entry(stay.pipeline.as_str())
                .or_default()
                .entry(stay.stage.as_str())
                .or_default()
                .stays
                .push(stay.days);
        }
        let stage = pipelines
            .entry(deal.pipeline.as_str())
            .or_default()
            .entry(deal.stage.as_str())
            .or_default();
        stage.deals += 1;
        match deal.status {
            DealStatus::Won => stage.won += 1,
            DealStatus::Lost => stage.lost += 1,
            _ => {
                stage.open += 1;
                if let Some(c) = created {
                    stage.ages.push(as_of - c);
                }
            }
        }
    }
    // A row: pipeline, stage, its counts, `reached`, conversion to the next.
    type Row = (String, String, Stage, Option<u64>, Option<f64>);
    let mut rows: Vec<Row> = Vec::new();
    for (pipeline, mut stages) in pipelines {
        let order = params.stages.get(pipeline);
        let mut listed: Vec<(String, Stage)> = Vec::new();
        if let Some(order) = order {
            for name in order {
                let s = stages.remove(name.as_str()).unwrap_or_default();
                listed.push((name.clone(), s));
            }
        }
        let declared = listed.len();
        listed.extend(stages.into_iter().map(|(k, v)| (k.to_string(), v)));
        let won_total: u64 = listed.iter().map(|(_, s)| s.won).sum();
        // reached[i]: deals now at stage i or later (declared stages only),
        // plus every won deal.
        let mut reached = vec![0u64; declared];
        let mut later = 0u64;
        for i in (0..declared).rev() {
            let s = &listed[i].1;
            later += s.open + s.lost;
            reached[i] = later + won_total;
        }
        for (i, (name, s)) in listed.into_iter().enumerate() {
            let r = (i < declared).then(|| reached[i]);
            let conv = (i + 1 < declared && reached[i] > 0)
                .then(|| reached[i + 1] as f64 / reached[i] as f64);
            rows.push((pipeline.to_string(), name, s, r, conv));
        }
    }
    let ints = |name: &str, f: &dyn Fn(&Stage) -> u64| {
        Column::from_int64s(name, rows.iter().map(|r| Some(f(&r.2) as i64)))
    };
    let median = |ages: &[i32]| median_of(&ages.iter().map(|&a| f64::from(a)).collect::<Vec<_>>());
    Table::new(vec![
        Column::from_texts("pipeline", rows.iter().map(|r| Some(r.0.as_str()))),
        Column::from_texts("stage", rows.iter().map(|r| Some(r.1.as_str()))),
        ints("deals", &|s| s.deals),
        ints("open", &|s| s.open),
        ints("won", &|s| s.won),
        ints("lost", &|s| s.lost),
        Column::from_int64s("reached", rows.iter().map(|r| r.3.map(|v| v as i64))),
        Column::from_float64s("conversion_to_next", rows.iter().map(|r| r.4)),
        Column::from_float64s(
            "open_age_mean_days",
            rows.iter().map(|r| {
                let a = &r.2.ages;
                (!a.is_empty())
                    .then(|| a.iter().map(|&x| f64::from(x)).sum::<f64>() / a.len() as f64)
            }),
        ),
        Column::from_float64s(
            "open_age_median_days",
            rows.iter().map(|r| median(&r.2.ages)),
        ),
        Column::from_int64s(
            "time_in_stage_deals",
            rows.iter()
                .map(|r| stays.as_ref().map(|_| r.2.stays.len() as i64)),
        ),
        Column::from_float64s(
            "time_in_stage_mean_days",
            rows.iter().map(|r| {
                let s = &r.2.stays;
                (!s.is_empty()).then(|| s.iter().sum::<f64>() / s.len() as f64)
            }),
        ),
        Column::from_float64s(
            "time_in_stage_median_days",
            rows.iter().map(|r| median_of(&r.2.stays)),
        ),
    ])
}

/// The median of `values` (`None` when empty).
fn median_of(values: &[f64]) -> Option<f64> {
    let mut a = values.to_vec();
    a.sort_unstable_by(f64::total_cmp);
    let m = a.len() / 2;
    (!a.is_empty()).then(|| {
        if a.len() % 2 == 1 {
            a[m]
        } else {
            (a[m - 1] + a[m]) / 2.0
        }
    })
}

/// Params of [`source_conversion`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceParams {
    /// Only clients created on or after this date (default: all, clients
    /// without a creation date too).
    pub from: Option<NaiveDate>,
    /// Only clients created on or before this date, and only sales closed on
    /// or before it (default: all).
    pub to: Option<NaiveDate>,
}

/// Lead source conversion to sales: one row per client source (the client's
/// `source`, a missing one last as null) of the clients created in the
/// period: `clients`, `buyers` (those with a won deal closed by `to`),
/// `conversion` (buyers over clients), `won_deals` (their won deals closed
/// by `to`) and `days_to_first_sale_mean` / `_median` (from the client's
/// creation to its first won deal's close, for buyers with a creation date).
pub fn source_conversion(base: &ClientBase, params: &SourceParams) -> Result<Table> {
    check_period(params.from, params.to)?;
    let (from, to) = period_days(params.from, params.to);
    let filtered = params.from.is_some() || params.to.is_some();
    #[derive(Default)]
    struct Source {
        clients: u64,
        buyers: u64,
        won: u64,
        days: Vec<i32>,
    }
    let mut first_sale: HashMap<crate::ClientId, (i32, u64)> = HashMap::new();
    for deal in base.deals() {
        if deal.status != DealStatus::Won {
            continue;
        }
        let Some(closed) = deal.closed_at.map(|t| date_to_days(t.date_naive())) else {
            continue;
        };
        if closed > to {
            continue;
        }
        let e = first_sale.entry(deal.client).or_insert((closed, 0));
        e.0 = e.0.min(closed);
        e.1 += 1;
    }
    let mut sources: BTreeMap<(bool, String), Source> = BTreeMap::new();
    for client in base.clients() {
        let created = client.created_at.map(|t| date_to_days(t.date_naive()));
        if filtered && !created.is_some_and(|c| (from..=to).contains(&c)) {
            continue;
        }
        let name = client.source.as_deref().unwrap_or("").trim();
        let s = sources
            .entry((name.is_empty(), name.to_string()))
            .or_default();
        s.clients += 1;
        if let Some(&(first, won)) = first_sale.get(&client.id) {
            s.buyers += 1;
            s.won += won;
            if let Some(c) = created.filter(|&c| c != NO_DAY) {
                s.days.push(first - c);
            }
        }
    }
    let rows: Vec<_> = sources.into_iter().collect();
    let median = |v: &[i32]| {
        let mut a = v.to_vec();
        a.sort_unstable();
        let m = a.len() / 2;
        (!a.is_empty()).then(|| {
            if a.len() % 2 == 1 {
                f64::from(a[m])
            } else {
                (f64::from(a[m - 1]) + f64::from(a[m])) / 2.0
            }
        })
    };
    Table::new(vec![
        Column::from_texts(
            "source",
            rows.iter()
                .map(|((none, name), _)| (!none).then_some(name.as_str())),
        ),
        Column::from_int64s("clients", rows.iter().map(|(_, s)| Some(s.clients as i64))),
        Column::from_int64s("buyers", rows.iter().map(|(_, s)| Some(s.buyers as i64))),
        Column::from_float64s(
            "conversion",
            rows.iter()
                .map(|(_, s)| (s.clients > 0).then(|| s.buyers as f64 / s.clients as f64)),
        ),
        Column::from_int64s("won_deals", rows.iter().map(|(_, s)| Some(s.won as i64))),
        Column::from_float64s(
            "days_to_first_sale_mean",
            rows.iter().map(|(_, s)| {
                (!s.days.is_empty()).then(|| {
                    s.days.iter().map(|&d| f64::from(d)).sum::<f64>() / s.days.len() as f64
                })
            }),
        ),
        Column::from_float64s(
            "days_to_first_sale_median",
            rows.iter().map(|(_, s)| median(&s.days)),
        ),
    ])
}
