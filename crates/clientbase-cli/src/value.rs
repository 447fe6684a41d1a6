//! `clientbase rfm`, `clientbase abc` and `clientbase clv`: client value from a
//! CSV export of order lines.

use crate::output::{cell, create, int, open, percent, write_table};
use crate::{CliError, CliResult};
use clientbase::table::{format_decimal, Value};
use clientbase::value::{
    abc_of, abc_xyz_of, fit_and_table, rfm_of, AbcBy, AbcMode, AbcParams, AbcXyzParams, ClvParams,
    Measure, OrderSource, Orders, RfmParams, XyzPeriod,
};
use clientbase::{Currency, Table};
use std::collections::BTreeMap;
use std::io::{BufReader, Write};
use std::path::PathBuf;

/// Which order-line columns to read, for `rfm` and `abc`.
#[derive(clap::Args)]
pub(crate) struct OrderArgs {
    /// The column names to start from: `default` (client, date, amount,
    /// product, category, quantity) or `1c` (Контрагент, Дата, Сумма,
    /// Номенклатура, Категория, Количество); the options below override one.
    #[arg(long, default_value = "default")]
    pub columns: String,
    /// The client column.
    #[arg(long)]
    pub client: Option<String>,
    /// The date column (dd.mm.yyyy, yyyy-mm-dd, 1C's `05.03.2024 0:00:00`).
    #[arg(long)]
    pub date: Option<String>,
    /// The amount column (`1 234,50` or `1234.50`).
    #[arg(long)]
    pub amount: Option<String>,
    /// The product column.
    #[arg(long)]
    pub product: Option<String>,
    /// The category column.
    #[arg(long)]
    pub category: Option<String>,
    /// The quantity column.
    #[arg(long)]
    pub quantity: Option<String>,
    /// The margin column.
    #[arg(long)]
    pub margin: Option<String>,
    /// Only lines on or after this day (yyyy-mm-dd).
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    /// Only lines on or before this day (yyyy-mm-dd).
    #[arg(long)]
    pub to: Option<chrono::NaiveDate>,
    /// The currency of the amounts.
    #[arg(long, default_value = "RUB")]
    pub currency: String,
    /// The delimiter (detected from the header line when not given).
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Where to write every line that could not be read (CSV: line, field, reason).
    #[arg(long)]
    pub problems: Option<PathBuf>,
    /// Where to write the table (CSV, `,`-separated, decimals with a point).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The order lines (CSV).
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub(crate) struct RfmArgs {
    #[command(flatten)]
    pub orders: OrderArgs,
    /// The analysis date (yyyy-mm-dd; default: the day after the last line).
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// More RFM params (JSON: scores with bins, a segment map); the options
    /// above take precedence.
    #[arg(long)]
    pub params: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct AbcArgs {
    #[command(flatten)]
    pub orders: OrderArgs,
    /// What to classify: clients, products or categories.
    #[arg(long, default_value = "clients")]
    pub by: String,
    /// What to rank by: revenue, margin, quantity or count (of lines).
    #[arg(long, default_value = "revenue")]
    pub measure: String,
    /// Class shares in percent, comma-separated (75,20,5).
    #[arg(long, default_value = "80,15,5", value_delimiter = ',')]
    pub thresholds: Vec<f64>,
    /// Split by cumulative share of value, or by share of objects.
    #[arg(long, default_value = "value")]
    pub mode: String,
    /// Add XYZ classes with sales per period: day, week, month or quarter.
    #[arg(long)]
    pub xyz: Option<String>,
    /// The fewest periods for an XYZ class (with --xyz).
    #[arg(long, default_value_t = 3)]
    pub min_periods: u32,
}

/// A value of a params enum from its name, through the core's own reading.
fn named<T: serde::de::DeserializeOwned>(what: &str, name: &str) -> CliResult<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .map_err(|e| CliError::input(format!("--{what} {name:?}: {e}")))
}

fn source(args: &OrderArgs) -> CliResult<OrderSource> {
    let mut source = match args.columns.as_str() {
        "default" => OrderSource::default(),
        "1c" | "1C" => OrderSource::one_c(),
        other => {
            return Err(CliError::input(format!(
                "--columns {other:?}: use default or 1c"
            )))
        }
    };
    for (given, field) in [
        (&args.client, &mut source.client),
        (&args.date, &mut source.date),
        (&args.amount, &mut source.amount),
        (&args.product, &mut source.product),
        (&args.category, &mut source.category),
        (&args.quantity, &mut source.quantity),
    ] {
        if let Some(name) = given {
            *field = name.clone();
        }
    }
    source.margin = args.margin.clone();
    source.from = args.from;
    source.to = args.to;
    source.currency =
        Currency::new(&args.currency).map_err(|e| CliError::input(format!("--currency: {e}")))?;
    Ok(source)
}

fn read_orders(args: &OrderArgs, source: &OrderSource) -> CliResult<Orders> {
    let delimiter = match args.delimiter {
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => return Err(CliError::input(format!("--delimiter {c:?} is not ASCII"))),
        None => None,
    };
    let file = open(&args.file, "the orders")?;
    let orders = Orders::read_csv(BufReader::new(file), source, delimiter)
        .map_err(|e| CliError::input(format!("{}: {e}", args.file.display())))?;
    say!(
        "{}: {} order lines of {} clients read",
        args.file.display(),
        int(orders.len() as u64),
        int(orders.clients().len() as u64)
    );
    report_problems(&orders, args)?;
    Ok(orders)
}

fn report_problems(orders: &Orders, args: &OrderArgs) -> CliResult {
    let problems = orders.problems();
    if problems.is_empty() {
        return Ok(());
    }
    say!(
        "Lines left out, unreadable: {} (the rest are kept)",
        int(problems.len() as u64)
    );
    for p in problems.iter().take(5) {
        say!("  line {}: {}: {}", p.line, p.field, p.reason);
    }
    if problems.len() > 5 {
        say!("  … (all of them with --problems FILE)");
    }
    if let Some(path) = &args.problems {
        let mut out = csv::Writer::from_writer(create(path)?);
        let fail =
            |e: csv::Error| CliError::failed(format!("cannot write {}: {e}", path.display()));
        out.write_record(["line", "field", "reason"])
            .map_err(fail)?;
        for p in problems {
            out.write_record([&p.line, &p.field, &p.reason])
                .map_err(fail)?;
        }
        out.flush()
            .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn text_of(table: &Table, column: &str, i: usize) -> String {
    table
        .column(column)
        .map(|c| cell(c.value(i)))
        .unwrap_or_default()
}

/// How many rows of `table` hold each text of `column`, with the sum over
/// them of the amount column `money` (decimal minor units or integers; a
/// negative amount counts as 0 when `positive_only`).
pub(crate) fn count_by(
    table: &Table,
    column: &str,
    money: &str,
    positive_only: bool,
) -> BTreeMap<String, (u64, i128)> {
    let mut counts: BTreeMap<String, (u64, i128)> = BTreeMap::new();
    let amounts = table.column(money);
    for i in 0..table.rows() {
        let entry = counts.entry(text_of(table, column, i)).or_default();
        entry.0 += 1;
        let amount = match amounts.map(|c| c.value(i)) {
            Some(Value::Decimal { value, .. }) => value,
            Some(Value::Int64(v)) => i128::from(v),
            _ => 0,
        };
        entry.1 += if positive_only { amount.max(0) } else { amount };
    }
    counts
}

/// `clientbase rfm`.
pub(crate) fn rfm(args: &RfmArgs) -> CliResult {
    let mut params: RfmParams = match &args.params {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
            clientbase::capability::from_json("rfm params", &text)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?
        }
        None => RfmParams::default(),
    };
    params.orders = source(&args.orders)?;
    if args.as_of.is_some() {
        params.as_of = args.as_of;
    }
    if let Some(as_of) = params.as_of {
        params.orders.to = Some(params.orders.to.map_or(as_of, |to| to.min(as_of)));
    }
    let orders = read_orders(&args.orders, &params.orders)?;
    let table = rfm_of(&orders, &params).map_err(|e| CliError::input(e.to_string()))?;
    let segments = count_by(&table, "segment", "monetary", false);
    let total: i128 = segments.values().map(|s| s.1).sum();
    let mut sizes: Vec<_> = segments.into_iter().collect();
    sizes.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    say!("Segments ({} clients)", int(table.rows() as u64));
    let scale = orders.currency().minor_digits() as i8;
    for (segment, (clients, money)) in sizes {
        say!(
            "  {segment:<20} {:>10}  {:>7} of clients  {:>7} of revenue ({} {})",
            int(clients),
            percent(clients as f64, table.rows() as f64),
            percent(money as f64, total as f64),
            format_decimal(money, scale),
            orders.currency()
        );
    }
    if let Some(out) = &args.orders.out {
        write_table(&table, out, "rows", cell)?;
    }
    Ok(())
}

/// `clientbase abc`.
pub(crate) fn abc(args: &AbcArgs) -> CliResult {
    let source = source(&args.orders)?;
    let by: AbcBy = named("by", &args.by)?;
    let measure: Measure = named("measure", &args.measure)?;
    let mode: AbcMode = named("mode", &args.mode)?;
    let orders = read_orders(&args.orders, &source)?;
    let engine = |e: clientbase::Error| CliError::input(e.to_string());
    let (table, class_column) = match &args.xyz {
        None => {
            let params = AbcParams {
                orders: source,
                by,
                measure,
                thresholds: args.thresholds.clone(),
                mode,
            };
            (abc_of(&orders, &params).map_err(engine)?, "class")
        }
        Some(period) => {
            let period: XyzPeriod = named("xyz", period)?;
            let params = AbcXyzParams {
                orders: source,
                by,
                measure,
                thresholds: args.thresholds.clone(),
                mode,
                period,
                min_periods: args.min_periods,
                ..AbcXyzParams::default()
            };
            (abc_xyz_of(&orders, &params).map_err(engine)?, "abc")
        }
    };
    let classes = count_by(&table, class_column, "value", true);
    let total: i128 = classes.values().map(|c| c.1).sum();
    say!(
        "ABC ({} objects, thresholds {:?})",
        int(table.rows() as u64),
        args.thresholds
    );
    for (class, (count, sum)) in &classes {
        say!(
            "  {class}  {:>10} objects ({:>7})  {:>7} of the {}",
            int(*count),
            percent(*count as f64, table.rows() as f64),
            percent(*sum as f64, total as f64),
            args.measure
        );
    }
    if args.xyz.is_some() {
        let mut cells: BTreeMap<(String, String), u64> = BTreeMap::new();
        for i in 0..table.rows() {
            let xyz = text_of(&table, "xyz", i);
            let xyz = if xyz.is_empty() { "-".to_string() } else { xyz };
            *cells.entry((text_of(&table, "abc", i), xyz)).or_default() += 1;
        }
        say!("ABC-XYZ (objects; - is too new or no positive sales)");
        say!("       {:>10} {:>10} {:>10} {:>10}", "X", "Y", "Z", "-");
        for class in classes.keys() {
            let n = |x: &str| int(*cells.get(&(class.clone(), x.to_string())).unwrap_or(&0));
            say!(
                "  {class:<4} {:>10} {:>10} {:>10} {:>10}",
                n("X"),
                n("Y"),
                n("Z"),
                n("-")
            );
        }
    }
    if let Some(out) = &args.orders.out {
        write_table(&table, out, "rows", cell)?;
    }
    std::io::stdout().flush().ok();
    Ok(())
}

#[derive(clap::Args)]
pub(crate) struct ClvArgs {
    #[command(flatten)]
    pub orders: OrderArgs,
    /// The day histories are read to (yyyy-mm-dd; default: the last purchase day).
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// The time unit of the models: day, week or month.
    #[arg(long, default_value = "week")]
    pub period: String,
    /// Periods ahead for the expected purchases.
    #[arg(long)]
    pub forecast_periods: Option<f64>,
    /// Months of lifetime value.
    #[arg(long)]
    pub clv_months: Option<u32>,
    /// The monthly discount rate (0.01 is 1 % a month).
    #[arg(long)]
    pub discount_rate: Option<f64>,
    /// How many of the most valuable clients to print.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// `clientbase clv`.
pub(crate) fn clv(args: &ClvArgs) -> CliResult {
    let mut params = ClvParams {
        orders: source(&args.orders)?,
        as_of: args.as_of,
        period: named("period", &args.period)?,
        ..ClvParams::default()
    };
    if let Some(n) = args.forecast_periods {
        params.forecast_periods = n;
    }
    if let Some(n) = args.clv_months {
        params.clv_months = n;
    }
    if let Some(rate) = args.discount_rate {
        params.discount_rate = rate;
    }
    let orders = read_orders(&args.orders, &params.orders)?;
    let engine = |e: clientbase::Error| CliError::input(e.to_string());
    let purchases = orders.purchases().map_err(engine)?;
    let (fit, table) = fit_and_table(&purchases, &params).map_err(engine)?;
    let bg = &fit.bg_nbd;
    say!(
        "BG/NBD on {} clients ({} bought again), as of {}, per {}:",
        int(fit.clients as u64),
        int(fit.repeat_clients as u64),
        fit.as_of.format("%d.%m.%Y"),
        args.period
    );
    say!(
        "  r {:.4}  alpha {:.4}  a {:.4}  b {:.4}  log-likelihood {:.2}{}",
        bg.params.r,
        bg.params.alpha,
        bg.params.a,
        bg.params.b,
        bg.log_likelihood,
        if bg.converged {
            ""
        } else {
            "  (not converged)"
        }
    );
    match &fit.gamma_gamma {
        Some(gg) => {
            say!(
            "Gamma-Gamma on {} repeat buyers: p {:.4}  q {:.4}  v {:.4}  log-likelihood {:.2}{}",
            int(gg.clients as u64),
            gg.params.p,
            gg.params.q,
            gg.params.v,
            gg.log_likelihood,
            if gg.converged { "" } else { "  (not converged)" }
        )
        }
        None => say!("Gamma-Gamma: no repeat buyer with a positive spend; no lifetime value"),
    }
    // The most valuable clients and how many are likely gone.
    let values: Vec<(i128, usize)> = match table.column("clv") {
        Some(column) => (0..table.rows())
            .filter_map(|i| match column.value(i) {
                Value::Decimal { value, .. } => Some((value, i)),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    };
    let gone = match table.column("p_alive") {
        Some(column) => (0..table.rows())
            .filter(|&i| matches!(column.value(i), Value::Float64(p) if p < 0.5))
            .count(),
        None => 0,
    };
    say!(
        "{} of {} clients are more likely gone than active (P(alive) < 0.5)",
        int(gone as u64),
        int(table.rows() as u64)
    );
    let scale = orders.currency().minor_digits() as i8;
    let total: i128 = values.iter().map(|v| v.0).sum();
    say!(
        "Lifetime value over {} months: {} {} in all",
        params.clv_months,
        format_decimal(total, scale),
        orders.currency()
    );
    let mut top = values;
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (value, i) in top.into_iter().take(args.top) {
        say!(
            "  {:<24} {:>16} {}",
            text_of(&table, "client", i),
            format_decimal(value, scale),
            orders.currency()
        );
    }
    if let Some(out) = &args.orders.out {
        write_table(&table, out, "rows", cell)?;
    }
    Ok(())
}
