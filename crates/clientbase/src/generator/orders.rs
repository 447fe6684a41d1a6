//! Seeded order lines as columns, for the client-value tests and benchmarks.
//!
//! [`generate_orders`] builds a [`Table`] of order lines column by column (no
//! object per line): a few big clients buy most (client `k` is drawn with a
//! weight falling as a power of its rank), many buy once or twice, products
//! have prices spread from tens of rubles to tens of thousands and popular
//! products sell more, and each product belongs to one category. Lines come
//! in date order, spread evenly over the days, as exports list them.
//! [`write_orders_csv_1c`] writes such a table as a 1C export: `;`, decimal
//! commas with spaces between thousands, `dd.mm.yyyy` dates.
//!
//! ```
//! use clientbase::generator::{generate_orders, OrderConfig};
//!
//! let lines = generate_orders(&OrderConfig::new(100, 2_000, 7))?;
//! assert_eq!(lines.rows(), 2_000);
//! assert_eq!(
//!     lines.column_names(),
//!     ["client", "date", "amount", "product", "category", "quantity"]
//! );
//! # Ok::<(), clientbase::Error>(())
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::table::{date_to_days, Column, ColumnData, Table, TextValues};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;

/// What [`generate_orders`] makes.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderConfig {
    /// Clients (ids 1 to `clients`; some may draw no line).
    pub clients: usize,
    /// Order lines.
    pub lines: usize,
    /// Products in the catalog (default 500).
    pub products: usize,
    /// The first day lines fall on (default 2023-01-01).
    pub from: NaiveDate,
    /// Days lines spread over (default 730).
    pub days: u32,
    /// The random seed: the same config gives the same lines.
    pub seed: u64,
}

impl OrderConfig {
    /// `lines` order lines of `clients` clients over two years from
    /// 2023-01-01, 500 products.
    pub fn new(clients: usize, lines: usize, seed: u64) -> OrderConfig {
        OrderConfig {
            clients,
            lines,
            products: 500,
            from: NaiveDate::from_ymd_opt(2023, 1, 1).expect("a date"),
            days: 730,
            seed,
        }
    }
}

const CATEGORIES: &[&str] = &[
    "Корма",
    "Наполнители",
    "Игрушки",
    "Амуниция",
    "Лакомства",
    "Ветаптека",
    "Аквариумистика",
    "Груминг",
    "Лежаки и домики",
    "Миски и поилки",
    "Переноски",
    "Витамины",
];

/// Order lines: `client` (uint64 id), `date` (date), `amount` (decimal, 2
/// digits, rubles), `product` and `category` (text) and `quantity` (int64).
/// Fails when there are no clients or products, or no days.
pub fn generate_orders(config: &OrderConfig) -> Result<Table> {
    if config.clients == 0 || config.products == 0 || config.days == 0 {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            "orders need at least one client, one product and one day",
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let prices: Vec<i64> = (0..config.products)
        .map(|_| {
            let rubles = (rng.random::<f64>() * (50_000f64 / 50.0).ln()).exp() * 50.0;
            (rubles * 100.0).round() as i64
        })
        .collect();
    let names: Vec<String> = (0..config.products)
        .map(|p| format!("Товар {:05}", p + 1))
        .collect();
    let first = date_to_days(config.from);
    let n = config.lines;
    let mut clients = Vec::with_capacity(n);
    let mut days = Vec::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    let mut quantities = Vec::with_capacity(n);
    let mut products = TextValues::with_capacity(n, n * 18);
    let mut categories = TextValues::with_capacity(n, n * 16);
    for line in 0..n {
        // u³ puts most lines on the first clients: the top 1 % buy about a
        // fifth, the last half a few percent.
        let u: f64 = rng.random();
        let client = ((u * u * u) * config.clients as f64) as usize;
        let v: f64 = rng.random();
        let product = ((v * v) * config.products as f64) as usize;
        let big = client < config.clients / 100 + 1;
        let quantity: i64 = if big {
            rng.random_range(1..=20)
        } else {
            rng.random_range(1..=3)
        };
        clients.push(client as u64 + 1);
        // In date order, as exports and queries give order lines.
        days.push(first + (line as u64 * u64::from(config.days) / n.max(1) as u64) as i32);
        amounts.push(i128::from(prices[product] * quantity));
        quantities.push(quantity);
        products.push(&names[product]);
        categories.push(CATEGORIES[product % CATEGORIES.len()]);
    }
    Table::new(vec![
        Column::new("client", ColumnData::UInt64(clients.into()), None)?,
        Column::new("date", ColumnData::Date(days.into()), None)?,
        Column::new(
            "amount",
            ColumnData::Decimal {
                values: amounts.into(),
                scale: 2,
            },
            None,
        )?,
        Column::new("product", ColumnData::Text(products), None)?,
        Column::new("category", ColumnData::Text(categories), None)?,
        Column::new("quantity", ColumnData::Int64(quantities.into()), None)?,
    ])
}

/// `1234.5` rubles (`value` at `scale`) as 1C writes it: `1 234,50`.
fn amount_1c(value: i128, scale: i8, out: &mut String) {
    let text = crate::table::format_decimal(value, scale);
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = match whole.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", whole),
    };
    out.push_str(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
}

/// Writes order lines from [`generate_orders`] as a 1C export: the header
/// `Контрагент;Дата;Сумма;Номенклатура;Категория;Количество`, the client as
/// its number, dates as `05.03.2024`, amounts as `1 234,50`. Fails on a
/// table without those columns or when writing fails.
pub fn write_orders_csv_1c(table: &Table, writer: impl Write) -> Result<()> {
    let column = |name: &str| {
        table
            .column(name)
            .ok_or_else(|| crate::table::unknown_column(name, table.column_names()))
    };
    let (client, date, amount, product, category, quantity) = (
        column("client")?,
        column("date")?,
        column("amount")?,
        column("product")?,
        column("category")?,
        column("quantity")?,
    );
    let mut out = std::io::BufWriter::new(writer);
    out.write_all("Контрагент;Дата;Сумма;Номенклатура;Категория;Количество\n".as_bytes())?;
    let mut line = String::new();
    for i in 0..table.rows() {
        use crate::table::Value;
        use std::fmt::Write as _;
        line.clear();
        let cell = |value: Value<'_>, line: &mut String| match value {
            Value::UInt64(v) => {
                let _ = write!(line, "{v}");
            }
            Value::Int64(v) => {
                let _ = write!(line, "{v}");
            }
            Value::Text(t) => line.push_str(t),
            Value::Date(d) => {
                let _ = write!(line, "{}", d.format("%d.%m.%Y"));
            }
            Value::Decimal { value, scale } => amount_1c(value, scale, line),
            _ => {}
        };
        for (k, c) in [client, date, amount, product, category, quantity]
            .into_iter()
            .enumerate()
        {
            if k > 0 {
                line.push(';');
            }
            cell(c.value(i), &mut line);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_lines() {
        let a = generate_orders(&OrderConfig::new(50, 500, 3)).unwrap();
        assert_eq!(a, generate_orders(&OrderConfig::new(50, 500, 3)).unwrap());
        assert_ne!(a, generate_orders(&OrderConfig::new(50, 500, 4)).unwrap());
        let last = crate::table::days_to_date(date_to_days(
            NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
        ));
        assert!(last.is_some());
    }

    #[test]
    fn amounts_are_written_the_1c_way() {
        let mut out = String::new();
        amount_1c(123450, 2, &mut out);
        assert_eq!(out, "1 234,50");
        out.clear();
        amount_1c(-100000050, 2, &mut out);
        assert_eq!(out, "-1 000 000,50");
    }
}
