//! Sales analytics: revenue, deals, won rate, average deal and sales cycle
//! over a period, sliced by client, manager, product, category, city, region,
//! source or month; manager effectiveness; the funnel; lead source
//! conversion; monthly dynamics with the year before.
//!
//! The figures read deal lines: a base's deals (one line per product line,
//! or one line of the amount for a deal without product lines), or an input
//! table of deal lines ([`DealLineSource`] names its columns), so that an
//! analyst can pass a DataFrame. The rules every figure follows:
//!
//! - **Period.** A deal counts on its close day when closed (won or lost),
//!   else on its creation day; `from` and `to` (inclusive) select the deals
//!   whose day is within.
//! - **Revenue** is the sum of the won deals' line totals (a deal without
//!   product lines: its amount), exact in minor units, per currency (one row
//!   per slice and currency). A sum out of the exact range is an error
//!   naming the deal that takes it out.
//! - **Deals, won, lost, open** count deals; **won rate** is won over won and
//!   lost; **average deal** is revenue over won deals (rounded half away from
//!   zero); the **sales cycle** is the days from creation to close of the
//!   won deals (mean and median).
//! - **Slices add up.** Every deal is in exactly one slice of a deal-level
//!   `by` (client, manager, source, city, region, month, none; a deal whose
//!   field is empty is in the `null` slice), so revenue, deals, won, lost
//!   and lines of the slices add up to the whole period. By product or
//!   category, revenue and lines still add up (each line is in one slice),
//!   but a deal with lines in several categories counts as a deal in each
//!   of them (as a distinct count per group does in any group-by).
//! - A deal's manager is its owner, its source the deal's source, its city
//!   and region its client's. From a table, a deal's own fields are read
//!   from its first line.
//! - Deals that cannot be counted (a closed deal without a close date, an
//!   open one without a creation date, a status or amount that cannot be
//!   read) are listed as [`TableProblem`](crate::TableProblem)s on the
//!   result, never dropped without a word; deals closed as duplicates of
//!   another are not deals of their own and are left out.
//!
//! ```
//! use clientbase::analytics::{sales_analytics, AnalyticsParams, By};
//! use clientbase::capability::Rows;
//! use clientbase::table::Value;
//! use clientbase::{Client, ClientBase, Currency, Deal, DealStatus, Money, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! let client = base.add_client(Client::person("Смирнова", "Ольга", None))?;
//! let mut deal = Deal::new(client, Money::parse("4 990,00", Currency::RUB)?);
//! deal.status = DealStatus::Won;
//! deal.owner = Some("Петров".into());
//! deal.created_at = Some("2025-02-20T10:00:00Z".parse().unwrap());
//! deal.closed_at = Some("2025-03-01T10:00:00Z".parse().unwrap());
//! base.add_deal(deal)?;
//! let params = AnalyticsParams { by: By::Manager, ..AnalyticsParams::default() };
//! let table = sales_analytics(Rows::Base(&base), &params)?;
//! assert_eq!(table.rows(), 1);
//! assert_eq!(table.column("manager").unwrap().value(0), Value::Text("Петров"));
//! assert_eq!(table.column("revenue").unwrap().value(0), Value::Decimal { value: 499_000, scale: 2 });
//! assert_eq!(table.column("cycle_median_days").unwrap().value(0), Value::Float64(9.0));
//! # Ok::<(), clientbase::Error>(())
//! ```

mod lines;
mod slices;
mod stays;
mod views;

pub use lines::DealLineSource;
pub use views::{
    funnel, manager_effectiveness, monthly_dynamics, source_conversion, FunnelParams, SourceParams,
};

use crate::capability::Rows;
use crate::error::{invalid, Result};
use crate::table::Table;
use chrono::NaiveDate;
use lines::{period_days, DealLines};
use serde::{Deserialize, Serialize};

/// What the slices of [`sales_analytics`] are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// No slices: one row per currency for the whole period.
    #[default]
    None,
    /// The deal's client.
    Client,
    /// The deal's owner.
    Manager,
    /// The line's product.
    Product,
    /// The line's product category.
    Category,
    /// The client's city.
    City,
    /// The client's region.
    Region,
    /// The deal's source.
    Source,
    /// The month of the deal's day, `YYYY-MM` (every month from the first to
    /// the last, empty months left out).
    Month,
}

impl By {
    /// The name of the key column (`client`, `manager`, …).
    pub fn name(self) -> &'static str {
        match self {
            By::None => "none",
            By::Client => "client",
            By::Manager => "manager",
            By::Product => "product",
            By::Category => "category",
            By::City => "city",
            By::Region => "region",
            By::Source => "source",
            By::Month => "month",
        }
    }

    /// Every slicing, for tests and tools that try them all.
    pub const ALL: [By; 9] = [
        By::None,
        By::Client,
        By::Manager,
        By::Product,
        By::Category,
        By::City,
        By::Region,
        By::Source,
        By::Month,
    ];
}

/// Params of [`sales_analytics`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyticsParams {
    /// The slices (default `none`: one row per currency).
    pub by: By,
    /// Only deals whose day is on or after this date (default: from the first).
    pub from: Option<NaiveDate>,
    /// Only deals whose day is on or before this date (default: to the last).
    pub to: Option<NaiveDate>,
    /// Count recurring deals (subscriptions) too (default false: a recurring
    /// deal's amount is per period, not one sale). Base only.
    pub include_recurring: bool,
    /// The columns of an input table of deal lines (default names: `deal`,
    /// `status`, `amount`, `created`, `closed`, `client`, `manager`, …).
    pub lines: DealLineSource,
}

impl Default for AnalyticsParams {
    fn default() -> AnalyticsParams {
        AnalyticsParams {
            by: By::None,
            from: None,
            to: None,
            include_recurring: false,
            lines: DealLineSource::default(),
        }
    }
}

/// Checks that `from` is not after `to`.
pub(crate) fn check_period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<()> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(invalid("from", format!("{f} is after `to` {t}"))),
        _ => Ok(()),
    }
}

/// Revenue, deals, won, lost and open deals, won rate, average deal and the
/// sales cycle per slice and currency over a period: one row per slice and
/// currency, keys ascending (a missing key last). See the
/// [module docs](self) for what each figure counts; the deals left out are
/// the table's problems.
pub fn sales_analytics(rows: Rows<'_>, params: &AnalyticsParams) -> Result<Table> {
    check_period(params.from, params.to)?;
    let lines = DealLines::read(rows, &params.lines, params.include_recurring, params.by)?;
    let (from, to) = period_days(params.from, params.to);
    let slices = slices::slices(&lines, params.by, from, to)?;
    Ok(Table::new(slices::slice_columns(&slices, params.by))?.with_problems(lines.problems))
}
