//! When a client needs to buy again: for goods that run out (water, food,
//! filters), the date each client is expected to buy next and the date to
//! remind them.
//!
//! Two methods ([`NextPurchaseMethod`]):
//!
//! - **history**: the median number of days between the key's purchases, after
//!   the last one. Needs two purchases; a key with one gets nulls and a reason.
//! - **consumption**: the quantity of the last purchase times the days one unit
//!   lasts. A client who bought 5 bottles of water on day 0 and drinks one every
//!   3 days runs out on day 15. The days per unit come from, first found: the
//!   client's own rate, the product's rate, the default rate.
//!
//! ```
//! use clientbase::value::{next_purchases, ClientKeys, NextPurchaseMethod, NextPurchaseParams, Purchases};
//! use clientbase::table::Value;
//! use clientbase::Currency;
//! use chrono::NaiveDate;
//!
//! // 5 bottles (5000 thousandths) bought on 2024-03-01.
//! let day = clientbase::table::date_to_days(chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
//! let water = Purchases::new(ClientKeys::Ids(vec![1]), vec![0, 1], vec![day], vec![50_000], Currency::RUB)?
//!     .with_quantities(vec![5_000])?;
//! let params = NextPurchaseParams {
//!     method: NextPurchaseMethod::Consumption,
//!     days_per_unit: Some(3.0),
//!     ..NextPurchaseParams::default()
//! };
//! let table = next_purchases(&water, &params)?;
//! let date = |d| Value::Date(NaiveDate::from_ymd_opt(2024, 3, d).unwrap());
//! assert_eq!(table.column("expected_date").unwrap().value(0), date(16));
//! assert_eq!(table.column("remind_date").unwrap().value(0), date(14));
//! # Ok::<(), clientbase::Error>(())
//! ```

use super::orders::{OrderSource, Orders};
use super::purchases::{ClientKeys, Purchases};
use crate::capability::Rows;
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::table::{date_to_days, days_to_date, Column, Table};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the next purchase is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextPurchaseMethod {
    /// The median interval between past purchases.
    #[default]
    History,
    /// The last purchase's quantity times the days one unit lasts.
    Consumption,
}

impl NextPurchaseMethod {
    fn name(self) -> &'static str {
        match self {
            NextPurchaseMethod::History => "history",
            NextPurchaseMethod::Consumption => "consumption",
        }
    }
}

/// Params of [`next_purchases`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NextPurchaseParams {
    /// Where the order lines are and which count (see [`OrderSource`]); read
    /// by [`next_purchase`], not by [`next_purchases`].
    pub orders: OrderSource,
    /// [`next_purchase`]: one row per client and product (default false: one
    /// row per client, all products together).
    pub by_product: bool,
    /// `history` (default) or `consumption`.
    pub method: NextPurchaseMethod,
    /// Purchases after this date are left out, and days left count from it
    /// (default `null`: the last purchase day in the data).
    pub as_of: Option<NaiveDate>,
    /// The reminder goes this many days before the expected date (default 2:
    /// time to order and deliver before the last unit is used up).
    pub remind_days_before: u32,
    /// Consumption: days one unit lasts when neither the client nor the
    /// product has a rate of its own (default `null`: none).
    pub days_per_unit: Option<f64>,
    /// Consumption: days one unit of a product lasts, by product name (used
    /// when the purchases are keyed by product).
    pub product_days_per_unit: BTreeMap<String, f64>,
    /// Consumption: days one unit lasts for a client, by client key (the id
    /// as decimal text, or the text key); wins over the product's rate.
    pub client_days_per_unit: BTreeMap<String, f64>,
    /// Keep only keys whose remind date is at most this many days after
    /// `as_of`, overdue ones included ("clients to remind this week": 7); keys
    /// with no expected date are dropped then (default `null`: every key).
    pub due_within_days: Option<u32>,
}

impl Default for NextPurchaseParams {
    fn default() -> NextPurchaseParams {
        NextPurchaseParams {
            orders: OrderSource::default(),
            by_product: false,
            method: NextPurchaseMethod::History,
            as_of: None,
            remind_days_before: 2,
            days_per_unit: None,
            product_days_per_unit: BTreeMap::new(),
            client_days_per_unit: BTreeMap::new(),
            due_within_days: None,
        }
    }
}

impl NextPurchaseParams {
    /// Checks the values; the error names the field.
    pub fn validate(&self) -> Result<()> {
        let rate = |field: String, value: f64| {
            if value.is_finite() && value > 0.0 && value <= 36_500.0 {
                Ok(())
            } else {
                Err(invalid(
                    field,
                    format!("{value} is not a number of days from 0 to 36500"),
                ))
            }
        };
        if let Some(v) = self.days_per_unit {
            rate("days_per_unit".into(), v)?;
        }
        for (product, &v) in &self.product_days_per_unit {
            rate(format!("product_days_per_unit.{product}"), v)?;
        }
        for (client, &v) in &self.client_days_per_unit {
            rate(format!("client_days_per_unit.{client}"), v)?;
        }
        if self.remind_days_before > 3650 {
            return Err(invalid("remind_days_before", "is more than 3650 days"));
        }
        Ok(())
    }
}

/// One key's answer: the expected day, or why there is none.
type Expected = std::result::Result<i32, &'static str>;

/// The median of the gaps between consecutive days, rounded half up.
fn median_interval(days: &[i32]) -> Option<i32> {
    let mut gaps: Vec<i32> = days.windows(2).map(|w| w[1] - w[0]).collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    let n = gaps.len();
    Some(if n % 2 == 1 {
        gaps[n / 2]
    } else {
        (gaps[n / 2 - 1] + gaps[n / 2] + 1) / 2
    })
}

/// One row per key of `purchases` (or only those due, see
/// [`NextPurchaseParams::due_within_days`]): `client` (and `product` when keyed
/// by product), `last_purchase`, `expected_date`, `remind_date`, `days_left`
/// (expected date − as_of; negative when overdue), `method` and `reason` (why
/// there is no expected date; null when there is one).
///
/// The consumption method takes the expected date as the day the last unit
/// runs out: the last purchase day plus the whole days the quantity lasts
/// (5 bottles at 3 days each: 15 days later; at 2.5 days each, 12).
pub fn next_purchases(purchases: &Purchases, params: &NextPurchaseParams) -> Result<Table> {
    params.validate()?;
    let as_of = match params.as_of {
        Some(date) => date_to_days(date),
        None => (0..purchases.len())
            .filter_map(|i| purchases.client(i).0.last().copied())
            .max()
            .ok_or_else(|| {
                Error::new(ErrorKind::InvalidValue, "no purchases").with_field("orders")
            })?,
    };
    let n = purchases.len();
    let mut rows = Vec::with_capacity(n);
    let mut last = Vec::with_capacity(n);
    let mut expected: Vec<Expected> = Vec::with_capacity(n);
    for i in 0..n {
        let (days, _) = purchases.client(i);
        let count = days.partition_point(|&d| d <= as_of);
        let answer = if count == 0 {
            Err("no purchase on or before as_of")
        } else {
            let last_day = days[count - 1];
            match params.method {
                NextPurchaseMethod::History => median_interval(&days[..count])
                    .map(|gap| last_day + gap)
                    .ok_or("one purchase: no interval to repeat"),
                NextPurchaseMethod::Consumption => {
                    consumption_day(purchases, params, i, count - 1, last_day)
                }
            }
        };
        let remind = answer
            .ok()
            .map(|day| day - params.remind_days_before as i32);
        if let (Some(within), Some(remind)) = (params.due_within_days, remind) {
            if remind > as_of + within as i32 {
                continue;
            }
        } else if params.due_within_days.is_some() {
            continue;
        }
        rows.push(i);
        last.push((count > 0).then(|| days[count - 1]));
        expected.push(answer);
    }
    let date = |d: i32| days_to_date(d);
    let mut columns = vec![purchases.clients().column_of("client", &rows)];
    if let Some(products) = purchases.products() {
        columns.push(Column::from_texts(
            "product",
            rows.iter().map(|&i| Some(products.get(i))),
        ));
    }
    columns.push(Column::from_dates(
        "last_purchase",
        last.iter().map(|d| d.and_then(date)),
    ));
    columns.push(Column::from_dates(
        "expected_date",
        expected.iter().map(|e| e.ok().and_then(date)),
    ));
    columns.push(Column::from_dates(
        "remind_date",
        expected.iter().map(|e| {
            e.ok()
                .and_then(|d| date(d - params.remind_days_before as i32))
        }),
    ));
    columns.push(Column::from_int64s(
        "days_left",
        expected
            .iter()
            .map(|e| e.ok().map(|d| i64::from(d - as_of))),
    ));
    columns.push(Column::from_texts(
        "method",
        rows.iter().map(|_| Some(params.method.name())),
    ));
    columns.push(Column::from_texts(
        "reason",
        expected.iter().map(|e| e.err()),
    ));
    Table::with_rows(rows.len(), columns)
}

/// [`next_purchases`] of the order lines of `rows` (an input table, or a
/// base's won deals; `params.orders` names the columns), per client or, with
/// `by_product`, per client and product. Lines that could not be read are the
/// table's [`Table::problems`].
pub fn next_purchase(rows: Rows<'_>, params: &NextPurchaseParams) -> Result<Table> {
    params.validate()?;
    let mut source = params.orders.clone();
    if let Some(as_of) = params.as_of {
        source.to = Some(source.to.map_or(as_of, |to| to.min(as_of)));
    }
    let orders = Orders::read(rows, &source)?;
    let purchases = if params.by_product {
        orders.product_purchases()?
    } else {
        orders.purchases()?
    };
    Ok(next_purchases(&purchases, params)?.with_problems(orders.problems().iter().cloned()))
}

/// The day the last purchase of key `i` (purchase `at`) runs out.
fn consumption_day(
    purchases: &Purchases,
    params: &NextPurchaseParams,
    i: usize,
    at: usize,
    last_day: i32,
) -> Expected {
    let client_rate = if params.client_days_per_unit.is_empty() {
        None
    } else {
        let key = match purchases.clients() {
            ClientKeys::Ids(ids) => ids[i].to_string(),
            ClientKeys::Texts(texts) => texts.get(i).to_string(),
        };
        params.client_days_per_unit.get(&key).copied()
    };
    let product_rate = purchases
        .products()
        .and_then(|p| params.product_days_per_unit.get(p.get(i)).copied());
    let rate = client_rate
        .or(product_rate)
        .or(params.days_per_unit)
        .ok_or("no consumption rate for this client or product")?;
    let quantity = purchases
        .client_quantities(i)
        .ok_or("no quantities in the purchases")?[at];
    if quantity <= 0 {
        return Err("the last purchase has no positive quantity");
    }
    let days = (quantity as f64 / 1000.0 * rate).floor();
    if days > 1e6 {
        return Err("the quantity lasts more than a million days");
    }
    Ok(last_day + days as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_gaps() {
        assert_eq!(median_interval(&[0, 10, 30, 33]), Some(10));
        assert_eq!(median_interval(&[0, 10, 21]), Some(11));
        assert_eq!(median_interval(&[5]), None);
    }
}
