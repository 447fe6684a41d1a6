//! Sales figures over won deals: revenue by year and by product category.
//!
//! Money stays exact: sums are [`Money`] in minor units, a sum that would
//! overflow is an error naming the deal, and a product line whose total cannot
//! be computed is reported with its deal, never dropped without a word.

use crate::base::ClientBase;
use crate::deal::DealStatus;
use crate::error::{Error, Result};
use crate::ids::DealId;
use crate::money::{Currency, Money};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Params of [`sales_summary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SalesParams {
    /// List at most this many categories, largest first (default 10; 0 lists
    /// every category).
    pub top_categories: usize,
    /// Count recurring deals (subscriptions) too (default false: a recurring
    /// deal's amount is per period, not one sale).
    pub include_recurring: bool,
}

impl Default for SalesParams {
    fn default() -> SalesParams {
        SalesParams {
            top_categories: 10,
            include_recurring: false,
        }
    }
}

/// Won revenue of one year in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearRevenue {
    /// The year the deals were closed in.
    pub year: i32,
    /// The sum of the won deals' amounts.
    pub revenue: Money,
    /// How many won deals.
    pub deals: u64,
}

/// Won revenue of one product category in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRevenue {
    /// The category (`null` for lines without one).
    pub category: Option<String>,
    /// The sum of the lines' totals.
    pub revenue: Money,
    /// The category's share of all line totals in this currency (0 to 1).
    pub share: f64,
    /// How many product lines.
    pub lines: u64,
}

/// A won deal, or one of its lines, left out of the sums, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedDeal {
    /// The deal.
    pub deal: DealId,
    /// The product line (0-based), if the problem is one line.
    pub line: Option<usize>,
    /// Why it was left out.
    pub reason: String,
}

/// What [`sales_summary`] found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesSummary {
    /// Revenue by year, oldest first (one entry per year and currency).
    pub by_year: Vec<YearRevenue>,
    /// Revenue by category, largest first within each currency.
    pub by_category: Vec<CategoryRevenue>,
    /// Won deals without a close date, and lines whose total overflows.
    pub skipped: Vec<SkippedDeal>,
}

/// Won revenue by the year deals were closed and by product category.
///
/// ```
/// use clientbase::sales::{sales_summary, SalesParams};
/// use clientbase::{Client, ClientBase, Currency, Deal, DealStatus, Money, Schema};
///
/// let mut base = ClientBase::new(Schema::new());
/// let client = base.add_client(Client::person("Смирнова", "Ольга", None))?;
/// let mut deal = Deal::new(client, Money::parse("4 990,00", Currency::RUB)?);
/// deal.status = DealStatus::Won;
/// deal.closed_at = Some("2025-03-01T10:00:00Z".parse().unwrap());
/// base.add_deal(deal)?;
/// let summary = sales_summary(&base, &SalesParams::default())?;
/// assert_eq!(summary.by_year[0].year, 2025);
/// assert_eq!(summary.by_year[0].revenue.to_string(), "4990.00 RUB");
/// # Ok::<(), clientbase::Error>(())
/// ```
pub fn sales_summary(base: &ClientBase, params: &SalesParams) -> Result<SalesSummary> {
    let mut by_year: BTreeMap<(Currency, i32), (Money, u64)> = BTreeMap::new();
    let mut by_category: BTreeMap<(Currency, Option<&str>), (Money, u64)> = BTreeMap::new();
    let mut totals: BTreeMap<Currency, Money> = BTreeMap::new();
    let mut skipped = Vec::new();
    let overflow =
        |deal: DealId, err: Error| err.with_record(format!("deal {deal}")).with_field("amount");
    for deal in base.deals() {
        if deal.status != DealStatus::Won
            || (deal.recurrence.is_some() && !params.include_recurring)
        {
            continue;
        }
        let Some(closed) = deal.closed_at else {
            skipped.push(SkippedDeal {
                deal: deal.id,
                line: None,
                reason: "won without a close date".into(),
            });
            continue;
        };
        let currency = deal.amount.currency();
        let entry = by_year
            .entry((currency, closed.year()))
            .or_insert((Money::zero(currency), 0));
        entry.0 = entry
            .0
            .checked_add(deal.amount)
            .map_err(|e| overflow(deal.id, e))?;
        entry.1 += 1;
        for (i, line) in deal.lines.iter().enumerate() {
            let total = match line.total() {
                Ok(total) => total,
                Err(err) => {
                    skipped.push(SkippedDeal {
                        deal: deal.id,
                        line: Some(i),
                        reason: err.reason().to_string(),
                    });
                    continue;
                }
            };
            let currency = total.currency();
            let entry = by_category
                .entry((currency, line.category.as_deref()))
                .or_insert((Money::zero(currency), 0));
            entry.0 = entry
                .0
                .checked_add(total)
                .map_err(|e| overflow(deal.id, e))?;
            entry.1 += 1;
            let sum = totals.entry(currency).or_insert(Money::zero(currency));
            *sum = sum.checked_add(total).map_err(|e| overflow(deal.id, e))?;
        }
    }
    let by_year = by_year
        .into_iter()
        .map(|((_, year), (revenue, deals))| YearRevenue {
            year,
            revenue,
            deals,
        })
        .collect::<Vec<_>>();
    let mut ranked: Vec<_> = by_category.into_iter().collect();
    ranked.sort_by(|((ca, na), (ma, _)), ((cb, nb), (mb, _))| {
        ca.cmp(cb)
            .then(mb.minor().cmp(&ma.minor()))
            .then(na.cmp(nb))
    });
    let mut by_category = Vec::new();
    let mut listed: BTreeMap<Currency, usize> = BTreeMap::new();
    for ((currency, category), (revenue, lines)) in ranked {
        let count = listed.entry(currency).or_default();
        if params.top_categories != 0 && *count >= params.top_categories {
            continue;
        }
        *count += 1;
        let total = totals.get(&currency).map_or(0, Money::minor);
        by_category.push(CategoryRevenue {
            category: category.map(str::to_string),
            revenue,
            share: if total == 0 {
                0.0
            } else {
                revenue.minor() as f64 / total as f64
            },
            lines,
        });
    }
    Ok(SalesSummary {
        by_year,
        by_category,
        skipped,
    })
}
