//! Lifetime value: how likely each client is still buying, how many purchases
//! to expect from them, what they will spend and what that is worth today.
//!
//! The models are the standard pair of "buy till you die" models, fitted by
//! maximum likelihood to the clients' own histories:
//!
//! - **BG/NBD** (Fader, Hardie & Lee 2005) for the number and timing of
//!   purchases ([`BgNbd`]), giving the probability each client is still active
//!   and the purchases to expect in the next periods;
//! - **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV") for the amount
//!   spent per purchase ([`GammaGamma`]), giving each client's expected spend.
//!
//! [`fit_pareto_nbd`] fits the older Pareto/NBD model ([`ParetoNbd`]) on the
//! same summary, for comparison; the table uses BG/NBD.
//!
//! Fits maximise the log-likelihood by BFGS on the logarithms of the
//! parameters. BG/NBD and Gamma-Gamma use analytic gradients, and BG/NBD
//! counts clients with the same (x, t_x, T) once, splitting the work over
//! threads with the `parallel` feature: a fit of 100,000 clients takes a
//! fraction of a second. Special functions (ln Γ, ψ, ₂F₁) are written out here.
//!
//! A client's history is summarised the way the `lifetimes` package and the
//! papers do ([`RfmSummary`]): one purchase is one day with purchases (see
//! [`Purchases`]); **frequency** `x` is the number of *repeat* purchase days
//! (days − 1), **recency** `t_x` the time from the first purchase to the last,
//! **age** `T` the time from the first purchase to the as-of date, all in the
//! [`TimeUnit`] of the params; the **monetary value** is the mean of the
//! *repeat* purchases (the first one left out, the Gamma-Gamma convention),
//! in major units of the currency, and 0 for a client who bought once.
//!
//! Lifetime value is the discounted sum, month by month over the horizon, of
//! the purchases expected in that month times the expected spend, as
//! `lifetimes`' `customer_lifetime_value` computes it (a month is 365.25 / 12
//! days). Money comes out as exact decimals rounded to the currency's minor
//! digits, never as float money.
//!
//! ```
//! use clientbase::value::{clv_table, fit_clv, ClientKeys, ClvParams, Purchases};
//! use clientbase::Currency;
//!
//! // Three clients: days since 1970-01-01 and amounts in kopecks.
//! let purchases = Purchases::new(
//!     ClientKeys::Ids(vec![1, 2, 3]),
//!     vec![0, 3, 4, 8],
//!     vec![19_000, 19_030, 19_100, 19_010, 19_005, 19_040, 19_090, 19_150],
//!     vec![50_000, 70_000, 60_000, 90_000, 30_000, 35_000, 40_000, 45_000],
//!     Currency::RUB,
//! )?;
//! let fit = fit_clv(&purchases, &ClvParams::default())?;
//! assert_eq!(fit.clients, 3);
//! let table = clv_table(&purchases, &ClvParams::default())?;
//! assert_eq!(table.rows(), 3);
//! # Ok::<(), clientbase::Error>(())
//! ```

mod bg_nbd;
mod gamma_gamma;
mod optimize;
mod pareto_nbd;
mod special;

pub use bg_nbd::BgNbd;
pub use gamma_gamma::GammaGamma;
pub use pareto_nbd::ParetoNbd;

use super::orders::{OrderSource, Orders};
use super::purchases::Purchases;
use crate::capability::Rows;
use crate::error::{invalid, Error, ErrorKind, Result};
use crate::table::{date_to_days, days_to_date, Column, Table, TableProblem};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The unit frequency, recency, age and forecasts are counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Days.
    Day,
    /// Weeks of 7 days.
    Week,
    /// Months of 365.25 / 12 days.
    Month,
}

impl TimeUnit {
    /// The unit's length in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
            TimeUnit::Month => 365.25 / 12.0,
        }
    }
}

/// Params of [`fit_clv`] and [`clv_table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClvParams {
    /// Where the order lines are and which count (see [`OrderSource`]); read
    /// by [`clv`] and [`clv_fit`], not by the functions over [`Purchases`].
    pub orders: OrderSource,
    /// Histories are read up to this date, inclusive; later purchases are left
    /// out (default `null`: the last purchase day in the data).
    pub as_of: Option<NaiveDate>,
    /// The time unit (default `week`, as in the papers).
    pub period: TimeUnit,
    /// Expected purchases are forecast over this many periods (default 52).
    pub forecast_periods: f64,
    /// Lifetime value is summed over this many months (default 12; at most 1200).
    pub clv_months: u32,
    /// The monthly discount rate of lifetime value (default 0.01: 1% a month).
    pub discount_rate: f64,
    /// The fits stop after this many iterations (default 500).
    pub max_iterations: u32,
    /// The fits have converged when no component of the gradient of the mean
    /// log-likelihood with respect to the log-parameters exceeds this (default 1e-8).
    pub tolerance: f64,
}

impl Default for ClvParams {
    fn default() -> ClvParams {
        ClvParams {
            orders: OrderSource::default(),
            as_of: None,
            period: TimeUnit::Week,
            forecast_periods: 52.0,
            clv_months: 12,
            discount_rate: 0.01,
            max_iterations: 500,
            tolerance: 1e-8,
        }
    }
}

impl ClvParams {
    /// Checks the values; the error names the field.
    pub fn validate(&self) -> Result<()> {
        if !(self.forecast_periods.is_finite() && self.forecast_periods >= 0.0) {
            return Err(invalid(
                "forecast_periods",
                format!("{} is not a number of periods ≥ 0", self.forecast_periods),
            ));
        }
        if self.clv_months > 1200 {
            return Err(invalid(
                "clv_months",
                format!("{} is more than 1200", self.clv_months),
            ));
        }
        if !(self.discount_rate.is_finite() && (0.0..=1.0).contains(&self.discount_rate)) {
            return Err(invalid(
                "discount_rate",
                format!("{} is not a monthly rate from 0 to 1", self.discount_rate),
            ));
        }
        if self.max_iterations == 0 {
            return Err(invalid("max_iterations", "must be at least 1"));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(invalid(
                "tolerance",
                format!("{} is not a positive number", self.tolerance),
            ));
        }
        Ok(())
    }
}

/// Clients' histories in the standard summary form (see the module docs). All
/// four vectors have one entry per client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RfmSummary {
    /// Repeat purchases (purchase days − 1).
    pub frequency: Vec<u32>,
    /// Periods from the first purchase to the last.
    pub recency: Vec<f64>,
    /// Periods from the first purchase to the as-of date.
    pub age: Vec<f64>,
    /// Mean repeat purchase, major currency units (0 when frequency is 0).
    pub monetary_value: Vec<f64>,
}

impl RfmSummary {
    /// How many clients.
    pub fn len(&self) -> usize {
        self.frequency.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.frequency.is_empty()
    }

    /// Fails, naming `model`, when no client bought on more than one day:
    /// the models have no maximum then.
    fn needs_repeat_buyers(&self, model: &str) -> Result<()> {
        if self.frequency.iter().any(|&x| x > 0) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "none of the {} clients bought on more than one day: {model} needs repeat purchases",
                self.len()
            ),
        )
        .with_field("orders"))
    }

    /// Checks the lengths and that `0 ≤ recency ≤ age`, finite, with recency 0
    /// when frequency is 0. The error names the client (its position).
    pub fn validate(&self) -> Result<()> {
        let n = self.frequency.len();
        if self.recency.len() != n || self.age.len() != n || self.monetary_value.len() != n {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "summary: {n} frequencies, {} recencies, {} ages, {} monetary values",
                    self.recency.len(),
                    self.age.len(),
                    self.monetary_value.len()
                ),
            )
            .with_field("summary"));
        }
        for i in 0..n {
            let (x, t, a, m) = (
                self.frequency[i],
                self.recency[i],
                self.age[i],
                self.monetary_value[i],
            );
            let bad = |field: &str, reason: String| {
                Err(invalid(field, reason).with_record(format!("summary client {i}")))
            };
            if !(t.is_finite() && a.is_finite() && t >= 0.0 && t <= a) {
                return bad("recency", format!("recency {t} is not within 0..=age {a}"));
            }
            if x == 0 && t != 0.0 {
                return bad("recency", format!("{t} with no repeat purchase"));
            }
            if !m.is_finite() {
                return bad("monetary_value", format!("{m} is not a number"));
            }
        }
        Ok(())
    }

    /// The summary of `purchases` as of `as_of` (day number since
    /// 1970-01-01), with the row of `purchases` each client came from; keys
    /// with no purchase on or before `as_of` are left out.
    fn of_purchases(purchases: &Purchases, as_of: i32, unit: TimeUnit) -> (RfmSummary, Vec<usize>) {
        let unit_days = unit.days();
        let minor = 10_f64.powi(purchases.currency().minor_digits() as i32);
        let mut s = RfmSummary::default();
        let mut rows = Vec::with_capacity(purchases.len());
        for i in 0..purchases.len() {
            let (days, amounts) = purchases.client(i);
            let count = days.partition_point(|&d| d <= as_of);
            if count == 0 {
                continue;
            }
            let (first, last) = (days[0], days[count - 1]);
            let repeat: i128 = amounts[1..count].iter().map(|&a| i128::from(a)).sum();
            s.frequency.push((count - 1) as u32);
            s.recency.push(f64::from(last - first) / unit_days);
            s.age.push(f64::from(as_of - first) / unit_days);
            s.monetary_value.push(if count > 1 {
                repeat as f64 / (count - 1) as f64 / minor
            } else {
                0.0
            });
            rows.push(i);
        }
        (s, rows)
    }
}

/// How a model fit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFit<P> {
    /// The fitted parameters.
    pub params: P,
    /// The log-likelihood at the fitted parameters (summed over clients).
    pub log_likelihood: f64,
    /// Optimizer iterations.
    pub iterations: u32,
    /// Whether the optimizer met the tolerance with every parameter inside
    /// e^-20 to e^20. A parameter that runs off to the edge (false here) means
    /// the data do not pin the model down: too few clients, or none who stopped
    /// buying; forecasts from such a fit may be null.
    pub converged: bool,
    /// The clients the model was fitted on.
    pub clients: usize,
}

/// What [`fit_clv`] gives back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvFit {
    /// The date the histories were read up to.
    pub as_of: NaiveDate,
    /// The time unit of the model and the summary.
    pub period: TimeUnit,
    /// The keys (clients, or client and product) in the purchases.
    pub keys: usize,
    /// The keys with a purchase on or before `as_of`: the clients fitted.
    pub clients: usize,
    /// Keys left out because their first purchase is after `as_of`.
    pub not_yet_clients: usize,
    /// Clients who bought on more than one day.
    pub repeat_clients: usize,
    /// The BG/NBD fit on all `clients`.
    pub bg_nbd: ModelFit<BgNbd>,
    /// The Gamma-Gamma fit on the repeat clients with a positive mean repeat
    /// spend; `null` when there are none (expected spend and lifetime value are
    /// then null).
    pub gamma_gamma: Option<ModelFit<GammaGamma>>,
    /// Repeat clients left out of Gamma-Gamma because their mean repeat spend
    /// is zero or negative (returns, free samples).
    pub spend_excluded: usize,
    /// Order lines that could not be read ([`clv_fit`] only; empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<TableProblem>,
}

/// Both models fitted on a summary ([`fit_summary`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryFit {
    /// The BG/NBD fit on every client.
    pub bg_nbd: ModelFit<BgNbd>,
    /// The Gamma-Gamma fit on the repeat clients with a positive mean repeat
    /// spend; `null` when there are none.
    pub gamma_gamma: Option<ModelFit<GammaGamma>>,
    /// Repeat clients left out of Gamma-Gamma: mean repeat spend ≤ 0.
    pub spend_excluded: usize,
}

/// Fits both models on a summary. Fails when the summary is inconsistent, or
/// when no client bought more than once (BG/NBD has no maximum then).
pub fn fit_summary(summary: &RfmSummary, params: &ClvParams) -> Result<SummaryFit> {
    params.validate()?;
    summary.validate()?;
    summary.needs_repeat_buyers("BG/NBD")?;
    let groups = bg_nbd::Groups::new(&summary.frequency, &summary.recency, &summary.age);
    let fitted = bg_nbd::fit(&groups, params.tolerance, params.max_iterations);
    let p = fitted.params;
    let bg = ModelFit {
        params: fitted.params,
        log_likelihood: fitted.log_likelihood,
        iterations: fitted.iterations,
        converged: fitted.converged && inside(&[p.r, p.alpha, p.a, p.b]),
        clients: summary.len(),
    };
    let (mut x, mut m, mut excluded) = (Vec::new(), Vec::new(), 0);
    for (&xi, &mi) in summary.frequency.iter().zip(&summary.monetary_value) {
        if xi == 0 {
            continue;
        }
        if mi > 0.0 {
            x.push(xi);
            m.push(mi);
        } else {
            excluded += 1;
        }
    }
    let gg = (!x.is_empty()).then(|| {
        let f = gamma_gamma::fit(&x, &m, params.tolerance, params.max_iterations);
        ModelFit {
            params: f.params,
            log_likelihood: f.log_likelihood,
            iterations: f.iterations,
            converged: f.converged && inside(&[f.params.p, f.params.q, f.params.v]),
            clients: x.len(),
        }
    });
    Ok(SummaryFit {
        bg_nbd: bg,
        gamma_gamma: gg,
        spend_excluded: excluded,
    })
}

/// Whether every parameter is within e^-20 to e^20.
fn inside(params: &[f64]) -> bool {
    let edge = 20_f64.exp();
    params.iter().all(|&p| p < edge && p > 1.0 / edge)
}

/// Fits the Pareto/NBD model (the alternative to BG/NBD in which a client can
/// drop out at any time, not only after a purchase) on a summary, with
/// central-difference gradients (so the tolerance is at least 1e-6). Fails as
/// [`fit_summary`] does. Slower than BG/NBD: two hypergeometric series per
/// distinct history per evaluation.
pub fn fit_pareto_nbd(summary: &RfmSummary, params: &ClvParams) -> Result<ModelFit<ParetoNbd>> {
    params.validate()?;
    summary.validate()?;
    summary.needs_repeat_buyers("Pareto/NBD")?;
    let groups = bg_nbd::Groups::new(&summary.frequency, &summary.recency, &summary.age);
    let f = pareto_nbd::fit(&groups, params.tolerance, params.max_iterations);
    let p = f.params;
    Ok(ModelFit {
        params: p,
        log_likelihood: f.log_likelihood,
        iterations: f.iterations,
        converged: f.converged && inside(&[p.r, p.alpha, p.s, p.beta]),
        clients: summary.len(),
    })
}

/// The as-of day: the params' date, or the last purchase day in the data.
fn as_of_day(purchases: &Purchases, params: &ClvParams) -> Result<i32> {
    if let Some(date) = params.as_of {
        return Ok(date_to_days(date));
    }
    (0..purchases.len())
        .filter_map(|i| purchases.client(i).0.last().copied())
        .max()
        .ok_or_else(|| {
            Error::new(ErrorKind::InvalidValue, "no purchases to fit").with_field("orders")
        })
}

/// The summary of each key's history as of `params.as_of` in `params.period`
/// units (keys with no purchase by then are left out).
pub fn rfm_summary(purchases: &Purchases, params: &ClvParams) -> Result<RfmSummary> {
    params.validate()?;
    let as_of = as_of_day(purchases, params)?;
    Ok(RfmSummary::of_purchases(purchases, as_of, params.period).0)
}

/// Fits BG/NBD and Gamma-Gamma to each key's purchase history (see the
/// module docs). Fails when no key bought on or before `as_of`, or none
/// bought on two days.
pub fn fit_clv(purchases: &Purchases, params: &ClvParams) -> Result<ClvFit> {
    params.validate()?;
    let as_of = as_of_day(purchases, params)?;
    let (summary, _) = RfmSummary::of_purchases(purchases, as_of, params.period);
    fit_from(purchases, params, as_of, &summary)
}

fn fit_from(
    purchases: &Purchases,
    params: &ClvParams,
    as_of: i32,
    summary: &RfmSummary,
) -> Result<ClvFit> {
    let as_of_date = days_to_date(as_of).ok_or_else(|| invalid("as_of", "out of range"))?;
    if summary.is_empty() {
        return Err(invalid(
            "as_of",
            format!("no client bought on or before {as_of_date}"),
        ));
    }
    let SummaryFit {
        bg_nbd,
        gamma_gamma,
        spend_excluded,
    } = fit_summary(summary, params)?;
    Ok(ClvFit {
        as_of: as_of_date,
        period: params.period,
        keys: purchases.len(),
        clients: summary.len(),
        not_yet_clients: purchases.len() - summary.len(),
        repeat_clients: summary.frequency.iter().filter(|&&x| x > 0).count(),
        bg_nbd,
        gamma_gamma,
        spend_excluded,
        problems: Vec::new(),
    })
}

/// The order lines of `rows` as each client's purchases, `params.as_of`
/// bounding the period read.
fn read_purchases(rows: Rows<'_>, params: &ClvParams) -> Result<(Purchases, Orders)> {
    params.validate()?;
    let mut source = params.orders.clone();
    if let Some(as_of) = params.as_of {
        source.to = Some(source.to.map_or(as_of, |to| to.min(as_of)));
    }
    let orders = Orders::read(rows, &source)?;
    Ok((orders.purchases()?, orders))
}

/// [`clv_table`] of the order lines of `rows` (an input table, or a base's
/// won deals; `params.orders` names the columns). Lines that could not be
/// read are the table's [`Table::problems`].
pub fn clv(rows: Rows<'_>, params: &ClvParams) -> Result<Table> {
    let (purchases, orders) = read_purchases(rows, params)?;
    Ok(clv_table(&purchases, params)?.with_problems(orders.problems().iter().cloned()))
}

/// [`fit_clv`] of the order lines of `rows`, with the lines that could not
/// be read in [`ClvFit::problems`].
pub fn clv_fit(rows: Rows<'_>, params: &ClvParams) -> Result<ClvFit> {
    let (purchases, orders) = read_purchases(rows, params)?;
    let mut fit = fit_clv(&purchases, params)?;
    fit.problems = orders.problems().to_vec();
    Ok(fit)
}

/// Per-client results of fitted models (no money rounding: major units).
#[derive(Debug, Clone, Copy, PartialEq)]
struct ClientValue {
    p_alive: f64,
    expected_purchases: Option<f64>,
    expected_spend: Option<f64>,
    clv: Option<f64>,
}

fn client_value(
    bg: &BgNbd,
    gg: Option<&GammaGamma>,
    params: &ClvParams,
    x: u32,
    recency: f64,
    age: f64,
    mean: f64,
) -> ClientValue {
    let p_alive = bg.p_alive(x, recency, age);
    let expected_purchases = bg.expected_purchases(params.forecast_periods, x, recency, age);
    // A repeat client whose mean is not positive was not in the spend fit:
    // the population mean stands for them, as for one-time buyers.
    let spend_x = if mean > 0.0 { x } else { 0 };
    let expected_spend = gg.and_then(|g| g.expected_spend(spend_x, mean));
    let clv = expected_spend.and_then(|spend| {
        let month = TimeUnit::Month.days() / params.period.days();
        bg.lifetime_value(
            spend,
            x,
            recency,
            age,
            params.clv_months,
            params.discount_rate,
            month,
        )
    });
    ClientValue {
        p_alive: if p_alive.is_finite() { p_alive } else { 0.0 },
        expected_purchases,
        expected_spend,
        clv,
    }
}

/// Major units to a count of minor units, rounded half away from zero.
fn to_minor(value: f64, digits: u32) -> Option<i128> {
    let scaled = value * 10_f64.powi(digits as i32);
    (scaled.is_finite() && scaled.abs() < 1e30).then(|| scaled.round() as i128)
}

/// The mean of the repeat purchases in exact minor units, rounded half away from zero.
fn repeat_mean_minor(amounts: &[i64]) -> Option<i128> {
    if amounts.len() < 2 {
        return None;
    }
    let sum: i128 = amounts[1..].iter().map(|&a| i128::from(a)).sum();
    let n = (amounts.len() - 1) as i128;
    let rounded = (sum.abs() * 2 + n) / (2 * n);
    Some(if sum < 0 { -rounded } else { rounded })
}

/// One row per key of `purchases`: the key (`client`, and `product` when the
/// purchases are keyed by product), `frequency`, `recency` and `age` in
/// periods, `monetary_value` (mean repeat purchase, exact), `p_alive`,
/// `expected_purchases` over `forecast_periods`, `expected_spend` per purchase
/// and `clv` (decimals with the currency's minor digits). Keys with no
/// purchase on or before `as_of` have nulls past the key; the spend columns
/// are null when Gamma-Gamma could not be fitted (or has `q ≤ 1`).
pub fn clv_table(purchases: &Purchases, params: &ClvParams) -> Result<Table> {
    Ok(fit_and_table(purchases, params)?.1)
}

/// [`fit_clv`] and [`clv_table`] from one fit of the models: the report and
/// the per-client table together (what a caller printing both needs).
pub fn fit_and_table(purchases: &Purchases, params: &ClvParams) -> Result<(ClvFit, Table)> {
    params.validate()?;
    let as_of = as_of_day(purchases, params)?;
    let (summary, rows) = RfmSummary::of_purchases(purchases, as_of, params.period);
    let fit = fit_from(purchases, params, as_of, &summary)?;
    let bg = fit.bg_nbd.params;
    let gg = fit.gamma_gamma.as_ref().map(|f| f.params);
    let value_of = |k: usize| {
        client_value(
            &bg,
            gg.as_ref(),
            params,
            summary.frequency[k],
            summary.recency[k],
            summary.age[k],
            summary.monetary_value[k],
        )
    };
    #[cfg(feature = "parallel")]
    let values: Vec<ClientValue> = {
        use rayon::prelude::*;
        (0..summary.len()).into_par_iter().map(value_of).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let values: Vec<ClientValue> = (0..summary.len()).map(value_of).collect();

    let n = purchases.len();
    let mut at: Vec<Option<usize>> = vec![None; n];
    for (k, &row) in rows.iter().enumerate() {
        at[row] = Some(k);
    }
    let digits = purchases.currency().minor_digits();
    let scale = digits as i8;
    let all: Vec<usize> = (0..n).collect();
    let mut columns = vec![purchases.clients().column_of("client", &all)];
    if let Some(products) = purchases.products() {
        columns.push(Column::from_texts(
            "product",
            (0..n).map(|i| Some(products.get(i))),
        ));
    }
    let frequency = |i: usize| at[i].map(|k| summary.frequency[k]);
    columns.push(Column::from_int64s(
        "frequency",
        (0..n).map(|i| frequency(i).map(i64::from)),
    ));
    columns.push(Column::from_float64s(
        "recency",
        (0..n).map(|i| at[i].map(|k| summary.recency[k])),
    ));
    columns.push(Column::from_float64s(
        "age",
        (0..n).map(|i| at[i].map(|k| summary.age[k])),
    ));
    columns.push(Column::from_decimals(
        "monetary_value",
        scale,
        (0..n).map(|i| {
            let k = at[i]?;
            let count = summary.frequency[k] as usize + 1;
            repeat_mean_minor(&purchases.client(i).1[..count])
        }),
    ));
    columns.push(Column::from_float64s(
        "p_alive",
        (0..n).map(|i| at[i].map(|k| values[k].p_alive)),
    ));
    columns.push(Column::from_float64s(
        "expected_purchases",
        (0..n).map(|i| at[i].and_then(|k| values[k].expected_purchases)),
    ));
    columns.push(Column::from_decimals(
        "expected_spend",
        scale,
        (0..n).map(|i| {
            at[i]
                .and_then(|k| values[k].expected_spend)
                .and_then(|v| to_minor(v, digits))
        }),
    ));
    columns.push(Column::from_decimals(
        "clv",
        scale,
        (0..n).map(|i| {
            at[i]
                .and_then(|k| values[k].clv)
                .and_then(|v| to_minor(v, digits))
        }),
    ));
    Ok((fit, Table::with_rows(n, columns)?))
}

/// The log-likelihood of BG/NBD parameters over a summary, summed over clients
/// (clients with equal histories computed once).
pub fn bg_nbd_log_likelihood(summary: &RfmSummary, params: &BgNbd) -> Result<f64> {
    summary.validate()?;
    let groups = bg_nbd::Groups::new(&summary.frequency, &summary.recency, &summary.age);
    Ok(bg_nbd::total_log_likelihood(&groups, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_mean_rounds_half_away_from_zero() {
        assert_eq!(repeat_mean_minor(&[999, 1, 2]), Some(2));
        assert_eq!(repeat_mean_minor(&[999, -1, -2]), Some(-2));
        assert_eq!(repeat_mean_minor(&[999, 1, 1, 2]), Some(1));
        assert_eq!(repeat_mean_minor(&[999]), None);
        assert_eq!(to_minor(12.345, 2), Some(1235));
        assert_eq!(to_minor(f64::NAN, 2), None);
    }
}
