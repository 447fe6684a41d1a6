//! Deals: what a client buys, through which pipeline stage, for exactly how much.
//!
//! ```
//! use clientbase::{ClientId, Currency, Deal, Money, ProductLine, Quantity};
//! let line = ProductLine::new("Корм для кошек 10 кг", Quantity::units(2), Money::parse("2 450,00", Currency::RUB).unwrap());
//! let deal = Deal::new(ClientId(1), Money::zero(Currency::RUB)).with_line(line);
//! assert_eq!(deal.lines_total().unwrap().to_string(), "4900.00 RUB");
//! ```

use crate::error::{invalid, Error, ErrorKind, Result};
use crate::ids::{ClientId, DealId};
use crate::money::{Currency, Money, Quantity};
use crate::shared::SharedStr;
use crate::words::keyword;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The state of a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    /// Being worked on.
    #[default]
    Open,
    /// Closed successfully.
    Won,
    /// Closed without a sale.
    Lost,
    /// Closed as a duplicate of another deal.
    DuplicateOf(DealId),
}

impl DealStatus {
    /// Whether the deal is closed (won, lost or duplicate).
    pub fn is_closed(&self) -> bool {
        !matches!(self, DealStatus::Open)
    }
}

impl fmt::Display for DealStatus {
    /// `open`, `won`, `lost` or `duplicate_of:<id>`, what [`DealStatus::from_str`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DealStatus::Open => f.write_str("open"),
            DealStatus::Won => f.write_str("won"),
            DealStatus::Lost => f.write_str("lost"),
            DealStatus::DuplicateOf(id) => write!(f, "duplicate_of:{}", id.0),
        }
    }
}

/// Reads a status from its name or a Russian alias, in any case: open (`открыта`,
/// `в работе`), won (`выиграна`, `успешно`, `закрыта успешно`, `оплачена`), lost
/// (`проиграна`, `неуспешно`, `закрыта неуспешно`, `отказ`, `потеряна`), or a
/// duplicate with the other deal's id (`duplicate_of:7`, `duplicate of 7`,
/// `дубликат 7`, `дубль #12`, `дубликат сделки 7`).
///
/// ```
/// use clientbase::{DealId, DealStatus};
/// assert_eq!("Выиграна".parse::<DealStatus>()?, DealStatus::Won);
/// assert_eq!("Дубль #12".parse::<DealStatus>()?, DealStatus::DuplicateOf(DealId(12)));
/// assert_eq!(DealStatus::DuplicateOf(DealId(12)).to_string().parse::<DealStatus>()?, DealStatus::DuplicateOf(DealId(12)));
/// assert!("maybe".parse::<DealStatus>().is_err());
/// # Ok::<(), clientbase::Error>(())
/// ```
impl FromStr for DealStatus {
    type Err = Error;

    fn from_str(text: &str) -> Result<DealStatus> {
        let t = text.trim();
        match keyword(t).as_str() {
            "open" | "открыта" | "открыт" | "открыто" | "вработе" => {
                return Ok(DealStatus::Open)
            }
            "won"
            | "выиграна"
            | "выиграно"
            | "успешно"
            | "успех"
            | "успешна"
            | "закрытауспешно"
            | "оплачена" => return Ok(DealStatus::Won),
            "lost"
            | "проиграна"
            | "проиграно"
            | "проигрыш"
            | "неуспешно"
            | "закрытанеуспешно"
            | "отказ"
            | "потеряна" => return Ok(DealStatus::Lost),
            _ => {}
        }
        let lower = t.to_lowercase();
        let rest = [
            "duplicate_of",
            "duplicate of",
            "duplicate",
            "дубликат",
            "дубль",
        ]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix));
        if let Some(rest) = rest {
            let id = rest.trim_start_matches([':', ' ', '#', '\u{a0}']);
            let id = id.strip_prefix("сделки").unwrap_or(id).trim();
            let id = crate::ids::parse_id(id, "status")?;
            return Ok(DealStatus::DuplicateOf(DealId(id)));
        }
        Err(invalid(
            "status",
            format!("{t:?} is not a deal status (open, won, lost, duplicate_of:<id>)"),
        ))
    }
}

/// A discount on a product line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// No discount.
    #[default]
    None,
    /// A percentage in basis points (1250 is 12.5 %).
    PercentBp(u32),
    /// A fixed amount off the line.
    Amount(Money),
}

impl Discount {
    fn is_none(&self) -> bool {
        matches!(self, Discount::None)
    }
}

/// One product in a deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductLine {
    /// Product name or SKU (shared by every line of the same product).
    pub product: SharedStr,
    /// Product category (for ABC/XYZ and cross-sell), shared like the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<SharedStr>,
    /// How many.
    pub quantity: Quantity,
    /// Price of one unit.
    pub unit_price: Money,
    /// Discount on the line.
    #[serde(default, skip_serializing_if = "Discount::is_none")]
    pub discount: Discount,
}

impl ProductLine {
    /// A line of `quantity` × `product` at `unit_price`, no category, no discount.
    pub fn new(product: &str, quantity: Quantity, unit_price: Money) -> ProductLine {
        ProductLine {
            product: SharedStr::from(product),
            category: None,
            quantity,
            unit_price,
            discount: Discount::None,
        }
    }

    /// Sets the category.
    pub fn with_category(mut self, category: &str) -> ProductLine {
        self.category = Some(SharedStr::from(category));
        self
    }

    /// The line total: price × quantity less the discount, rounded half away from zero.
    pub fn total(&self) -> Result<Money> {
        let gross = self.unit_price.checked_mul_quantity(self.quantity)?;
        match self.discount {
            Discount::None => Ok(gross),
            Discount::PercentBp(bp) => gross.checked_sub(gross.percent_bp(bp)),
            Discount::Amount(off) => gross.checked_sub(off),
        }
    }

    fn check(&self, currency: Currency) -> Result<()> {
        if self.product.trim().is_empty() {
            return Err(invalid("product", "empty product name"));
        }
        if self.quantity.milli() <= 0 {
            return Err(invalid(
                "quantity",
                format!("{} is not positive", self.quantity),
            ));
        }
        if self.unit_price.minor() < 0 {
            return Err(invalid(
                "unit_price",
                format!("{} is negative", self.unit_price),
            ));
        }
        if self.unit_price.currency() != currency {
            return Err(Error::new(
                ErrorKind::CurrencyMismatch,
                format!(
                    "{} is not in the deal's currency {currency}",
                    self.unit_price
                ),
            )
            .with_field("unit_price"));
        }
        match self.discount {
            Discount::PercentBp(bp) if bp > 10_000 => Err(invalid(
                "discount",
                format!("{bp} basis points is above 100 %"),
            )),
            Discount::Amount(off) if off.currency() != currency => Err(Error::new(
                ErrorKind::CurrencyMismatch,
                format!("{off} is not in the deal's currency {currency}"),
            )
            .with_field("discount")),
            Discount::Amount(off) if off.minor() < 0 => {
                Err(invalid("discount", format!("{off} is negative")))
            }
            _ => {
                let total = self.total()?;
                if total.minor() < 0 {
                    return Err(invalid(
                        "discount",
                        format!("discount exceeds the line, total {total}"),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// The unit of a recurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Every n days.
    Day,
    /// Every n weeks.
    Week,
    /// Every n months.
    Month,
    /// Every n years.
    Year,
}

/// A schedule of regular supplies: "monthly on day 5", "every 2 weeks".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    /// How many periods between deliveries (at least 1).
    pub every: u32,
    /// The period.
    pub period: Period,
    /// Day of the month (1-31, months that are shorter use their last day) for
    /// monthly and yearly schedules, or weekday 1-7 (Monday is 1) for weekly ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
    /// The last date a delivery may fall on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl Recurrence {
    /// Monthly on `day`.
    pub fn monthly_on(day: u8) -> Recurrence {
        Recurrence {
            every: 1,
            period: Period::Month,
            day: Some(day),
            until: None,
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.every == 0 {
            return Err(invalid("recurrence.every", "must be at least 1"));
        }
        match (self.period, self.day) {
            (Period::Week, Some(d)) if !(1..=7).contains(&d) => Err(invalid(
                "recurrence.day",
                format!("weekday {d} is not 1 (Monday) to 7 (Sunday)"),
            )),
            (Period::Month | Period::Year, Some(d)) if !(1..=31).contains(&d) => {
                Err(invalid("recurrence.day", format!("day {d} is not 1 to 31")))
            }
            (Period::Day, Some(_)) => Err(invalid("recurrence.day", "a daily schedule has no day")),
            _ => Ok(()),
        }
    }
}

/// A deal with a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// Assigned by the base on insert.
    #[serde(default)]
    pub id: DealId,
    /// The client (`client_id` is read too, the name of the CSV column).
    #[serde(alias = "client_id")]
    pub client: ClientId,
    /// A short title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The sales pipeline (a name shared by every deal in it).
    #[serde(default = "default_pipeline")]
    pub pipeline: SharedStr,
    /// The stage within the pipeline (shared like the pipeline).
    #[serde(default = "default_stage")]
    pub stage: SharedStr,
    /// Open, won, lost or duplicate.
    #[serde(default)]
    pub status: DealStatus,
    /// The deal amount. With product lines it is usually their total, but it may
    /// differ (delivery, rounding agreed with the client); it must be in the same currency.
    pub amount: Money,
    /// When the deal was created; stamped by the base when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the deal was closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// The manager who owns the deal (shared like the pipeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<SharedStr>,
    /// Where the deal came from (shared like the pipeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SharedStr>,
    /// Product lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<ProductLine>,
    /// Regular supply schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
}

fn default_pipeline() -> SharedStr {
    SharedStr::from("default")
}

fn default_stage() -> SharedStr {
    SharedStr::from("new")
}

impl Deal {
    /// An open deal for `client` of `amount` in the default pipeline, stage `new`.
    pub fn new(client: ClientId, amount: Money) -> Deal {
        Deal {
            id: DealId::default(),
            client,
            title: None,
            pipeline: default_pipeline(),
            stage: default_stage(),
            status: DealStatus::Open,
            amount,
            created_at: None,
            closed_at: None,
            owner: None,
            source: None,
            lines: Vec::new(),
            recurrence: None,
        }
    }

    /// Adds a product line.
    pub fn with_line(mut self, line: ProductLine) -> Deal {
        self.lines.push(line);
        self
    }

    /// The sum of the line totals, in the deal's currency.
    pub fn lines_total(&self) -> Result<Money> {
        self.lines
            .iter()
            .try_fold(Money::zero(self.amount.currency()), |sum, line| {
                sum.checked_add(line.total()?)
            })
    }

    /// Checks what can be checked without the base. Errors name the field.
    pub(crate) fn check_own_fields(&self, required_currency: Option<Currency>) -> Result<()> {
        let currency = self.amount.currency();
        if let Some(required) = required_currency {
            if currency != required {
                return Err(Error::new(
                    ErrorKind::CurrencyMismatch,
                    format!("{} is not in the base currency {required}", self.amount),
                )
                .with_field("amount"));
            }
        }
        if self.amount.minor() < 0 {
            return Err(invalid("amount", format!("{} is negative", self.amount)));
        }
        if self.pipeline.trim().is_empty() {
            return Err(invalid("pipeline", "empty pipeline"));
        }
        if self.stage.trim().is_empty() {
            return Err(invalid("stage", "empty stage"));
        }
        for (i, line) in self.lines.iter().enumerate() {
            line.check(currency)
                .map_err(|e| e.in_field(format!("lines[{i}]")))?;
        }
        if let Some(recurrence) = &self.recurrence {
            recurrence.check()?;
        }
        match (self.status.is_closed(), self.closed_at, self.created_at) {
            (false, Some(_), _) => Err(invalid("closed_at", "an open deal has no close date")),
            (true, Some(closed), Some(created)) if closed < created => Err(invalid(
                "closed_at",
                format!("{closed} is before created_at {created}"),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_names_aliases_and_duplicates() {
        for (text, status) in [
            ("open", DealStatus::Open),
            ("В работе", DealStatus::Open),
            ("won", DealStatus::Won),
            ("Закрыта успешно", DealStatus::Won),
            ("lost", DealStatus::Lost),
            ("Отказ", DealStatus::Lost),
            ("duplicate_of:7", DealStatus::DuplicateOf(DealId(7))),
            ("Дубликат сделки 9", DealStatus::DuplicateOf(DealId(9))),
        ] {
            assert_eq!(text.parse::<DealStatus>().unwrap(), status, "{text}");
            assert_eq!(status.to_string().parse::<DealStatus>().unwrap(), status);
        }
        let err = "maybe".parse::<DealStatus>().unwrap_err();
        assert_eq!(err.field(), Some("status"));
        assert!(err.reason().contains("open, won, lost"), "{err}");
        let err = "дубль 0".parse::<DealStatus>().unwrap_err();
        assert!(err.reason().contains("ids start at 1"), "{err}");
    }

    fn rub(text: &str) -> Money {
        Money::parse(text, Currency::RUB).unwrap()
    }

    #[test]
    fn line_totals_with_discounts() {
        let mut line = ProductLine::new("x", Quantity::parse("3").unwrap(), rub("100.00"));
        assert_eq!(line.total().unwrap(), rub("300"));
        line.discount = Discount::PercentBp(1000);
        assert_eq!(line.total().unwrap(), rub("270"));
        line.discount = Discount::Amount(rub("50"));
        assert_eq!(line.total().unwrap(), rub("250"));
    }

    #[test]
    fn checks_name_the_line_and_field() {
        let deal = Deal::new(ClientId(1), rub("10"))
            .with_line(ProductLine::new("a", Quantity::ONE, rub("10")))
            .with_line(ProductLine::new(
                "b",
                Quantity::ONE,
                Money::from_minor(100, Currency::USD),
            ));
        let err = deal.check_own_fields(None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CurrencyMismatch);
        assert_eq!(err.field(), Some("lines[1].unit_price"));

        let deal = Deal::new(ClientId(1), Money::from_minor(100, Currency::USD));
        assert_eq!(
            deal.check_own_fields(Some(Currency::RUB))
                .unwrap_err()
                .field(),
            Some("amount")
        );
        let mut deal = Deal::new(ClientId(1), rub("1"));
        deal.recurrence = Some(Recurrence::monthly_on(32));
        assert_eq!(
            deal.check_own_fields(None).unwrap_err().field(),
            Some("recurrence.day")
        );
    }

    #[test]
    fn status_json() {
        assert_eq!(serde_json::to_string(&DealStatus::Won).unwrap(), r#""won""#);
        assert_eq!(
            serde_json::to_string(&DealStatus::DuplicateOf(DealId(7))).unwrap(),
            r#"{"duplicate_of":7}"#
        );
    }
}
