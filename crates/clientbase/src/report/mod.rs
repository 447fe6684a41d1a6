//! The report on a base: one self-contained HTML page for people.
//!
//! [`report_html`] puts the figures of the other capabilities on one page:
//! the [data quality](crate::quality::quality_report), the
//! [sales funnel](crate::analytics::funnel), the [ABC](crate::value::abc) Pareto
//! curve of clients by revenue, the [RFM](crate::value::rfm) R×F grid,
//! [monthly dynamics](crate::analytics::monthly_dynamics) with the year before
//! and the [managers](crate::analytics::manager_effectiveness), each as a
//! chart and the table it is drawn from.
//!
//! The page is one file that needs nothing else: no network, no external
//! scripts or fonts, charts drawn as inline SVG, a content security policy
//! (`default-src 'none'`) that forbids loading anything. Labels are in
//! Russian and numbers are written the Russian way (`1 234 567,89 ₽`, a
//! no-break space between thousands, a decimal comma, `81,2 %`). Every user
//! string (client, manager, stage and product names) is escaped.
//!
//! Every mark of a chart (a bar, a point, a cell) carries the number it
//! draws in `data-value` and names the table row (`data-key`) and column
//! (`data-series`) holding the same number; every number cell of a table
//! carries its raw value in `data-value` (money as an exact decimal,
//! `1234567.89`; shares as fractions). A tiny inline script shows tooltips
//! and checks that the charts and tables agree, writing `data-check="ok N"`
//! (N marks compared) or `data-check="mismatch N"` on the `<body>`.
//!
//! The output depends only on the base and the params (no clock is read),
//! so the same base gives the same page.
//!
//! ```
//! use clientbase::report::{report_html, ReportParams};
//! use clientbase::{Client, ClientBase, Currency, Deal, DealStatus, Money, Schema};
//!
//! let mut base = ClientBase::new(Schema::new());
//! let id = base.add_client(Client::person("Смирнова", "Ольга", None))?;
//! let mut deal = Deal::new(id, Money::parse("1 234 567,89", Currency::RUB)?);
//! deal.status = DealStatus::Won;
//! deal.owner = Some("Петров <Пётр>".into());
//! deal.created_at = Some("2025-02-20T10:00:00Z".parse().unwrap());
//! deal.closed_at = Some("2025-03-01T10:00:00Z".parse().unwrap());
//! base.add_deal(deal)?;
//! let report = report_html(&base, &ReportParams::default())?;
//! assert!(report.html.starts_with("<!DOCTYPE html>"));
//! assert!(report.html.contains("1\u{a0}234\u{a0}567,89\u{a0}₽"));
//! assert!(report.html.contains("Петров &lt;Пётр&gt;"));
//! assert_eq!(report.as_of.map(|d| d.to_string()).as_deref(), Some("2025-03-01"));
//! # Ok::<(), clientbase::Error>(())
//! ```

mod chart;
pub mod format;
mod page;

use crate::analytics::{
    funnel, manager_effectiveness, monthly_dynamics, AnalyticsParams, FunnelParams,
};
use crate::base::ClientBase;
use crate::capability::Rows;
use crate::error::{invalid, Result};
use crate::quality::{quality_report, QualityParams, QualityReport};
use crate::table::{format_decimal, Table, Value};
use crate::value::{abc, rfm, AbcParams, OrderSource, RfmParams};
use crate::Currency;
use chart::{Bar, Line, Segment};
use chrono::{Datelike, Months, NaiveDate};
use format::{
    format_float, format_int, format_money, format_money_short, format_percent, month_label,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A section of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportSection {
    /// Data quality: key figures, field completeness, consents.
    Quality,
    /// The sales funnel by pipeline and stage.
    Funnel,
    /// The ABC Pareto curve of clients by won revenue.
    Abc,
    /// The RFM grid: clients by recency (R) and frequency (F) score.
    Rfm,
    /// Revenue per month with the same month a year before.
    Monthly,
    /// The managers' table.
    Managers,
}

impl ReportSection {
    /// Every section, in the default order.
    pub const ALL: [ReportSection; 6] = [
        ReportSection::Quality,
        ReportSection::Funnel,
        ReportSection::Abc,
        ReportSection::Rfm,
        ReportSection::Monthly,
        ReportSection::Managers,
    ];

    /// The section's name (`quality`, `funnel`, …), its serde name.
    pub fn name(self) -> &'static str {
        match self {
            ReportSection::Quality => "quality",
            ReportSection::Funnel => "funnel",
            ReportSection::Abc => "abc",
            ReportSection::Rfm => "rfm",
            ReportSection::Monthly => "monthly",
            ReportSection::Managers => "managers",
        }
    }

    fn title(self) -> &'static str {
        match self {
            ReportSection::Quality => "Качество данных",
            ReportSection::Funnel => "Воронка продаж",
            ReportSection::Abc => "ABC-анализ клиентов",
            ReportSection::Rfm => "RFM-сегменты",
            ReportSection::Monthly => "Выручка по месяцам",
            ReportSection::Managers => "Менеджеры",
        }
    }
}

/// Params of [`report_html`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportParams {
    /// The page's title (default «Клиентская база»).
    pub title: String,
    /// The day the report is as of: the period ends on it, recency (RFM)
    /// and the age of open deals are counted to it (default: the latest day
    /// a deal of the base was created or closed; none for a base without
    /// dated deals, when every deal counts).
    pub as_of: Option<NaiveDate>,
    /// The first day of the period for the funnel (deals created in it),
    /// ABC, RFM, months and managers (default: the first day of the month
    /// eleven months before `to`: twelve calendar months).
    pub from: Option<NaiveDate>,
    /// The last day of the period (default `as_of`).
    pub to: Option<NaiveDate>,
    /// The sections, in order (default all: quality, funnel, abc, rfm,
    /// monthly, managers).
    pub sections: Option<Vec<ReportSection>>,
    /// The order of each pipeline's stages for the funnel's conversion
    /// (default none: stages by name, no conversion), as in the `funnel`
    /// capability.
    pub stages: BTreeMap<String, Vec<String>>,
    /// Fields every client should have, for the quality section (default
    /// none besides those the schema marks), as in `quality_report`.
    pub required: Vec<String>,
    /// Look for duplicates in the quality section (default: for bases of
    /// up to 20 000 clients), as in `quality_report`.
    pub duplicates: Option<bool>,
}

impl Default for ReportParams {
    fn default() -> ReportParams {
        ReportParams {
            title: "Клиентская база".into(),
            as_of: None,
            from: None,
            to: None,
            sections: None,
            stages: BTreeMap::new(),
            required: Vec::new(),
            duplicates: None,
        }
    }
}

/// What [`report_html`] made: the page and the period it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The page: a complete HTML document.
    pub html: String,
    /// The day the report is as of (`null` for a base without dated deals).
    pub as_of: Option<NaiveDate>,
    /// The first day of the period (`null`: from the first deal).
    pub from: Option<NaiveDate>,
    /// The last day of the period (`null`: to the last deal).
    pub to: Option<NaiveDate>,
    /// The sections on the page, in order.
    pub sections: Vec<ReportSection>,
    /// The currency the charts draw (the base's accounting currency, else
    /// the one most deals are in); tables list every currency.
    pub currency: String,
}

impl Report {
    /// The params with which each section's capability was called: the
    /// period of the report (for tests and tools that check the page
    /// against the capabilities).
    pub fn analytics_params(&self) -> AnalyticsParams {
        AnalyticsParams {
            from: self.from,
            to: self.to,
            ..AnalyticsParams::default()
        }
    }
}

/// A number of a table or a chart, with its raw form (`data-value`) and the
/// form people read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    /// A share, 0 to 1, shown as a percent.
    Share(f64),
    /// Days, one digit after the comma.
    Days(f64),
    /// A plain float, two digits.
    Float(f64),
    /// Money: `value × 10^-scale` in `currency`.
    Money {
        value: i128,
        scale: i8,
        currency: String,
    },
}

impl Num {
    /// The raw value for `data-value`: integers as they are, floats in
    /// Rust's shortest exact form, money as an exact decimal.
    pub(crate) fn raw(&self) -> String {
        match self {
            Num::Int(v) => v.to_string(),
            Num::Share(v) | Num::Days(v) | Num::Float(v) => v.to_string(),
            Num::Money { value, scale, .. } => format_decimal(*value, *scale),
        }
    }

    /// The value the Russian way.
    pub(crate) fn shown(&self) -> String {
        match self {
            Num::Int(v) => format_int(*v),
            Num::Share(v) => format_percent(*v),
            Num::Days(v) => format!("{}{}дн.", format_float(*v, 1), format::NBSP),
            Num::Float(v) => format_float(*v, 2),
            Num::Money {
                value,
                scale,
                currency,
            } => format_money(*value, *scale, currency),
        }
    }

    pub(crate) fn as_f64(&self) -> f64 {
        match self {
            Num::Int(v) => *v as f64,
            Num::Share(v) | Num::Days(v) | Num::Float(v) => *v,
            Num::Money { value, scale, .. } => *value as f64 / 10_f64.powi(i32::from(*scale)),
        }
    }
}

/// A cell of a table on the page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Num(Num),
    Null,
}

/// A table on the page: an id the charts refer to, columns (key, label) and
/// rows (key, cells).
pub(crate) struct DataTable {
    pub id: String,
    pub caption: String,
    pub columns: Vec<(String, String)>,
    pub rows: Vec<(String, Vec<Cell>)>,
}

impl DataTable {
    fn new(id: &str, caption: &str, columns: &[(&str, &str)]) -> DataTable {
        DataTable {
            id: id.into(),
            caption: caption.into(),
            columns: columns
                .iter()
                .map(|(k, l)| (k.to_string(), l.to_string()))
                .collect(),
            rows: Vec::new(),
        }
    }
}

/// One section's content: a lead paragraph, then charts and tables in order.
pub(crate) struct SectionHtml {
    pub section: ReportSection,
    pub lead: String,
    pub parts: Vec<Part>,
}

pub(crate) enum Part {
    Chart { title: String, svg: String },
    Table(DataTable),
    Note(String),
}

/// The report on a base as one self-contained HTML page (see the
/// [module docs](self)).
pub fn report_html(base: &ClientBase, params: &ReportParams) -> Result<Report> {
    crate::analytics::check_period(params.from, params.to)?;
    if params.title.chars().count() > 200 {
        return Err(invalid("title", "longer than 200 characters"));
    }
    let sections = params
        .sections
        .clone()
        .unwrap_or_else(|| ReportSection::ALL.to_vec());
    for (i, s) in sections.iter().enumerate() {
        if sections[..i].contains(s) {
            return Err(invalid("sections", format!("{} is named twice", s.name())));
        }
    }
    let as_of = params.as_of.or_else(|| {
        base.deals()
            .flat_map(|d| [d.created_at, d.closed_at])
            .flatten()
            .map(|t| t.date_naive())
            .max()
    });
    let to = params.to.or(as_of);
    let from = params.from.or_else(|| {
        to.and_then(|t| t.with_day(1))
            .and_then(|t| t.checked_sub_months(Months::new(11)))
    });
    crate::analytics::check_period(from, to)?;
    let currency = main_currency(base);
    let ctx = Context {
        base,
        params,
        as_of,
        from,
        to,
        currency,
    };
    let mut parts = Vec::new();
    for section in &sections {
        parts.push(match section {
            ReportSection::Quality => ctx.quality()?,
            ReportSection::Funnel => ctx.funnel()?,
            ReportSection::Abc => ctx.abc()?,
            ReportSection::Rfm => ctx.rfm()?,
            ReportSection::Monthly => ctx.monthly()?,
            ReportSection::Managers => ctx.managers()?,
        });
    }
    let html = page::page(&page::Head {
        title: &params.title,
        as_of,
        from,
        to,
        counts: base.counts(),
        sections: &parts,
    });
    Ok(Report {
        html,
        as_of,
        from,
        to,
        sections,
        currency: currency.code().to_string(),
    })
}

/// The currency charts draw: the accounting currency, else the one most
/// deals are in (RUB for a base without deals).
fn main_currency(base: &ClientBase) -> Currency {
    if let Some(c) = base.schema().currency() {
        return c;
    }
    let mut counts: BTreeMap<Currency, usize> = BTreeMap::new();
    for d in base.deals() {
        *counts.entry(d.amount.currency()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(c, n)| (n, c == Currency::RUB))
        .map_or(Currency::RUB, |(c, _)| c)
}

struct Context<'a> {
    base: &'a ClientBase,
    params: &'a ReportParams,
    as_of: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    currency: Currency,
}

fn int(t: &Table, col: &str, i: usize) -> Option<i64> {
    match t.column(col)?.value(i) {
        Value::Int64(v) => Some(v),
        Value::UInt64(v) => i64::try_from(v).ok(),
        _ => None,
    }
}

fn float(t: &Table, col: &str, i: usize) -> Option<f64> {
    match t.column(col)?.value(i) {
        Value::Float64(v) if v.is_finite() => Some(v),
        _ => None,
    }
}

fn text<'t>(t: &'t Table, col: &str, i: usize) -> Option<&'t str> {
    match t.column(col)?.value(i) {
        Value::Text(v) => Some(v),
        _ => None,
    }
}

fn money(t: &Table, col: &str, i: usize, currency: &str) -> Option<Num> {
    match t.column(col)?.value(i) {
        Value::Decimal { value, scale } => Some(Num::Money {
            value,
            scale,
            currency: currency.to_string(),
        }),
        Value::Int64(v) => Some(Num::Money {
            value: i128::from(v),
            scale: 0,
            currency: currency.to_string(),
        }),
        _ => None,
    }
}

fn num(v: Option<Num>) -> Cell {
    v.map_or(Cell::Null, Cell::Num)
}

/// The label of a manager (or other name) that may be missing.
fn or_none(name: Option<&str>, none: &str) -> String {
    name.filter(|n| !n.trim().is_empty())
        .map_or_else(|| none.to_string(), str::to_string)
}

/// The row key of a monthly or manager row: the name and currency.
pub fn row_key(name: Option<&str>, currency: &str) -> String {
    match name {
        Some(n) => format!("{n} · {currency}"),
        None => format!("∅ · {currency}"),
    }
}

/// The points of the ABC Pareto table: each 5 % of the objects.
pub const PARETO_STEPS: u32 = 20;

impl Context<'_> {
    fn analytics(&self) -> AnalyticsParams {
        AnalyticsParams {
            from: self.from,
            to: self.to,
            ..AnalyticsParams::default()
        }
    }

    fn orders(&self) -> OrderSource {
        OrderSource {
            from: self.from,
            to: self.to,
            currency: self.currency,
            ..OrderSource::default()
        }
    }

    fn quality(&self) -> Result<SectionHtml> {
        let q: QualityReport = quality_report(
            self.base,
            &QualityParams {
                required: self.params.required.clone(),
                duplicates: self.params.duplicates,
                ..QualityParams::default()
            },
        )?;
        let mut summary = DataTable::new(
            "quality-summary",
            "Главные показатели",
            &[("name", "Показатель"), ("value", "Значение")],
        );
        let c = &q.contacts;
        let mut figure = |key: &str, label: &str, value: Num| {
            summary
                .rows
                .push((key.into(), vec![Cell::Text(label.into()), Cell::Num(value)]));
        };
        figure("clients", "Клиентов", Num::Int(q.clients as i64));
        figure(
            "clients_with_issues",
            "Клиентов с замечаниями",
            Num::Int(q.clients_with_issues as i64),
        );
        if !q.required.is_empty() {
            figure(
                "required_complete",
                "Все обязательные поля заполнены",
                Num::Int(q.required_complete as i64),
            );
        }
        figure("phones", "Телефонов", Num::Int(c.phones as i64));
        figure(
            "phones_invalid",
            "Неверных телефонов",
            Num::Int(c.phones_invalid as i64),
        );
        figure(
            "phones_not_normalized",
            "Телефонов не в E.164",
            Num::Int(c.phones_not_normalized as i64),
        );
        figure("emails", "Адресов почты", Num::Int(c.emails as i64));
        figure(
            "emails_invalid",
            "Неверных адресов почты",
            Num::Int(c.emails_invalid as i64),
        );
        figure(
            "phone_only",
            "Только телефон",
            Num::Int(c.phone_only as i64),
        );
        figure("email_only", "Только почта", Num::Int(c.email_only as i64));
        figure("no_contact", "Без контактов", Num::Int(c.no_contact as i64));
        if let Some(d) = &q.duplicates {
            figure("duplicates", "Дублей", Num::Int(d.duplicates as i64));
            figure("duplicate_rate", "Доля дублей", Num::Share(d.rate));
            figure(
                "review",
                "Пар на проверку",
                Num::Int((d.review.len() as u64 + d.review_more) as i64),
            );
        }
        let mut fields = DataTable::new(
            "quality-fields",
            "Заполненность полей",
            &[
                ("field", "Поле"),
                ("required", "Обязательное"),
                ("applies_to", "Применимо к"),
                ("filled", "Заполнено"),
                ("share", "Доля"),
            ],
        );
        let mut bars = Vec::new();
        for f in &q.completeness {
            let label = field_label(&f.field);
            fields.rows.push((
                f.field.clone(),
                vec![
                    Cell::Text(label.clone()),
                    Cell::Text(if f.required { "да" } else { "" }.into()),
                    Cell::Num(Num::Int(f.applies_to as i64)),
                    Cell::Num(Num::Int(f.filled as i64)),
                    Cell::Num(Num::Share(f.share)),
                ],
            ));
            bars.push(Bar {
                key: f.field.clone(),
                label,
                group: None,
                note: format_percent(f.share),
                segments: vec![Segment {
                    series: "share".into(),
                    series_label: "заполнено".into(),
                    value: Num::Share(f.share),
                    class: if f.required { "s-warn" } else { "s-main" },
                }],
            });
        }
        let mut consents = DataTable::new(
            "quality-consents",
            "Согласия по каналам",
            &[
                ("channel", "Канал"),
                ("given", "Дали"),
                ("withdrawn", "Отозвали"),
                ("unknown", "Не спрашивали"),
                ("allowed", "Можно писать"),
                ("share_allowed", "Доля"),
            ],
        );
        let mut consent_bars = Vec::new();
        for ch in &q.consents {
            let label = channel_label(&ch.channel);
            consents.rows.push((
                ch.channel.clone(),
                vec![
                    Cell::Text(label.clone()),
                    Cell::Num(Num::Int(ch.given as i64)),
                    Cell::Num(Num::Int(ch.withdrawn as i64)),
                    Cell::Num(Num::Int(ch.unknown as i64)),
                    Cell::Num(Num::Int(ch.allowed as i64)),
                    Cell::Num(Num::Share(ch.share_allowed)),
                ],
            ));
            let seg = |series: &str, series_label: &str, v: u64, class| Segment {
                series: series.into(),
                series_label: series_label.into(),
                value: Num::Int(v as i64),
                class,
            };
            consent_bars.push(Bar {
                key: ch.channel.clone(),
                label,
                group: None,
                note: format!("можно: {}", format_percent(ch.share_allowed)),
                segments: vec![
                    seg("given", "дали", ch.given, "s-won"),
                    seg("withdrawn", "отозвали", ch.withdrawn, "s-lost"),
                    seg("unknown", "не спрашивали", ch.unknown, "s-none"),
                ],
            });
        }
        let mut parts = vec![Part::Table(summary)];
        if q.clients > 0 {
            parts.push(Part::Chart {
                title: "Заполненность полей (обязательные — оранжевым)".into(),
                svg: chart::hbars("quality-fields", "Заполненность полей", &bars, Some(1.0)),
            });
        }
        parts.push(Part::Table(fields));
        if q.clients > 0 {
            parts.push(Part::Chart {
                title: "Согласия: дали, отозвали, не спрашивали".into(),
                svg: chart::hbars(
                    "quality-consents",
                    "Согласия по каналам",
                    &consent_bars,
                    None,
                ),
            });
        }
        parts.push(Part::Table(consents));
        Ok(SectionHtml {
            section: ReportSection::Quality,
            lead: format!(
                "Клиентов: {}; с замечаниями: {}.",
                format_int(q.clients as i64),
                format_int(q.clients_with_issues as i64)
            ),
            parts,
        })
    }

    fn funnel(&self) -> Result<SectionHtml> {
        let t = funnel(
            self.base,
            &FunnelParams {
                from: self.from,
                to: self.to,
                as_of: self.as_of,
                stages: self.params.stages.clone(),
            },
        )?;
        let mut table = DataTable::new(
            "funnel",
            "Сделки по этапам",
            &[
                ("pipeline", "Воронка"),
                ("stage", "Этап"),
                ("deals", "Сделок"),
                ("open", "В работе"),
                ("won", "Выиграно"),
                ("lost", "Проиграно"),
                ("reached", "Дошли до этапа"),
                ("conversion_to_next", "Конверсия в следующий"),
                ("open_age_median_days", "Возраст открытых (медиана)"),
            ],
        );
        let mut bars = Vec::new();
        let mut last_pipeline: Option<String> = None;
        for i in 0..t.rows() {
            let pipeline = text(&t, "pipeline", i).unwrap_or("").to_string();
            let stage = text(&t, "stage", i).unwrap_or("").to_string();
            let key = format!("{pipeline} / {stage}");
            let count = |c: &str| Num::Int(int(&t, c, i).unwrap_or(0));
            table.rows.push((
                key.clone(),
                vec![
                    Cell::Text(pipeline.clone()),
                    Cell::Text(stage.clone()),
                    Cell::Num(count("deals")),
                    Cell::Num(count("open")),
                    Cell::Num(count("won")),
                    Cell::Num(count("lost")),
                    num(int(&t, "reached", i).map(Num::Int)),
                    num(float(&t, "conversion_to_next", i).map(Num::Share)),
                    num(float(&t, "open_age_median_days", i).map(Num::Days)),
                ],
            ));
            let group =
                (last_pipeline.as_deref() != Some(pipeline.as_str())).then(|| pipeline.clone());
            last_pipeline = Some(pipeline);
            let seg = |series: &str, label: &str, class| Segment {
                series: series.into(),
                series_label: label.into(),
                value: count(series),
                class,
            };
            bars.push(Bar {
                key,
                label: stage,
                group,
                note: format_int(int(&t, "deals", i).unwrap_or(0)),
                segments: vec![
                    seg("won", "выиграно", "s-won"),
                    seg("lost", "проиграно", "s-lost"),
                    seg("open", "в работе", "s-open"),
                ],
            });
        }
        let total: i64 = (0..t.rows()).filter_map(|i| int(&t, "deals", i)).sum();
        let mut parts = Vec::new();
        if !bars.is_empty() {
            parts.push(Part::Chart {
                title: "Сделки по этапам: выиграно, проиграно, в работе".into(),
                svg: chart::hbars("funnel", "Воронка продаж", &bars, None),
            });
        } else {
            parts.push(Part::Note("Сделок за период нет.".into()));
        }
        parts.push(Part::Table(table));
        Ok(SectionHtml {
            section: ReportSection::Funnel,
            lead: format!(
                "Сделки, созданные за период: {}. Этап — текущий этап сделки.",
                format_int(total)
            ),
            parts,
        })
    }

    fn abc(&self) -> Result<SectionHtml> {
        let t = abc(
            Rows::Base(self.base),
            &AbcParams {
                orders: self.orders(),
                ..AbcParams::default()
            },
        )?;
        let code = self.currency.code().to_string();
        let n = t.rows();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| int(&t, "rank", i).unwrap_or(i64::MAX));
        let mut classes = DataTable::new(
            "abc-classes",
            "Классы",
            &[
                ("class", "Класс"),
                ("objects", "Клиентов"),
                ("objects_share", "Доля клиентов"),
                ("value", "Выручка"),
                ("value_share", "Доля выручки"),
            ],
        );
        let mut by_class: BTreeMap<String, (i64, i128, i8, f64)> = BTreeMap::new();
        for &i in &order {
            let class = text(&t, "class", i).unwrap_or("").to_string();
            let e = by_class.entry(class).or_insert((0, 0, 0, 0.0));
            e.0 += 1;
            if let Some(Num::Money { value, scale, .. }) = money(&t, "value", i, &code) {
                e.1 += value;
                e.2 = scale;
            }
            e.3 += float(&t, "share", i).unwrap_or(0.0);
        }
        let mut bounds = Vec::new();
        let mut seen = 0i64;
        let last = by_class.len();
        for (k, (class, (count, value, scale, share))) in by_class.iter().enumerate() {
            classes.rows.push((
                class.clone(),
                vec![
                    Cell::Text(class.clone()),
                    Cell::Num(Num::Int(*count)),
                    Cell::Num(Num::Share(*count as f64 / n.max(1) as f64)),
                    Cell::Num(Num::Money {
                        value: *value,
                        scale: *scale,
                        currency: code.clone(),
                    }),
                    Cell::Num(Num::Share(*share)),
                ],
            ));
            seen += count;
            if k + 1 < last {
                bounds.push((seen as f64 / n as f64, class.clone()));
            }
        }
        let mut pareto = DataTable::new(
            "abc-pareto",
            "Кривая Парето",
            &[
                ("clients_share", "Доля клиентов"),
                ("clients", "Клиентов"),
                ("cumulative_share", "Доля выручки"),
            ],
        );
        let mut points = Vec::new();
        if n > 0 {
            for step in 1..=PARETO_STEPS {
                let k = (n * step as usize).div_ceil(PARETO_STEPS as usize).max(1);
                let i = order[k - 1];
                let share = f64::from(step) / f64::from(PARETO_STEPS);
                let cumulative = float(&t, "cumulative_share", i).unwrap_or(0.0);
                let key = (step * 100 / PARETO_STEPS).to_string();
                pareto.rows.push((
                    key.clone(),
                    vec![
                        Cell::Num(Num::Share(share)),
                        Cell::Num(Num::Int(k as i64)),
                        Cell::Num(Num::Share(cumulative)),
                    ],
                ));
                points.push((share, key, Num::Share(cumulative)));
            }
        }
        let bound_labels: Vec<(f64, String)> = bounds
            .iter()
            .map(|(x, c)| (*x, format!("граница {c}")))
            .collect();
        let mut parts = Vec::new();
        if n > 0 {
            parts.push(Part::Chart {
                title: "Доля выручки у первых клиентов по убыванию выручки".into(),
                svg: chart::pareto(
                    "abc-pareto",
                    "Кривая Парето",
                    &points,
                    "cumulative_share",
                    &bound_labels,
                ),
            });
        } else {
            parts.push(Part::Note("Выигранных сделок за период нет.".into()));
        }
        parts.push(Part::Table(classes));
        parts.push(Part::Table(pareto));
        let lead = match by_class.get("A") {
            Some((count, _, _, share)) if n > 0 => format!(
                "{} клиентов класса A ({}) дают {} выручки за период.",
                format_int(*count),
                format_percent(*count as f64 / n as f64),
                format_percent(*share)
            ),
            _ => "Клиенты по выручке выигранных сделок за период: A — 80 %, B — 15 %, C — 5 %."
                .into(),
        };
        Ok(SectionHtml {
            section: ReportSection::Abc,
            lead,
            parts,
        })
    }

    fn rfm(&self) -> Result<SectionHtml> {
        let t = rfm(
            Rows::Base(self.base),
            &RfmParams {
                orders: self.orders(),
                as_of: self.as_of,
                ..RfmParams::default()
            },
        )?;
        let code = self.currency.code().to_string();
        let mut grid = [[0i64; 5]; 5];
        let mut segments: BTreeMap<String, (i64, i128, i8)> = BTreeMap::new();
        for i in 0..t.rows() {
            let (r, f) = (int(&t, "r", i), int(&t, "f", i));
            if let (Some(r @ 1..=5), Some(f @ 1..=5)) = (r, f) {
                grid[(5 - r) as usize][(f - 1) as usize] += 1;
            }
            let name = text(&t, "segment", i).unwrap_or("").to_string();
            let e = segments.entry(name).or_insert((0, 0, 2));
            e.0 += 1;
            if let Some(Num::Money { value, scale, .. }) = money(&t, "monetary", i, &code) {
                e.1 += value;
                e.2 = scale;
            }
        }
        let mut cols: Vec<(&str, String)> = vec![("r", "R \\ F".into())];
        let f_keys: Vec<String> = (1..=5).map(|f| format!("f{f}")).collect();
        for (f, key) in f_keys.iter().enumerate() {
            cols.push((key.as_str(), format!("F = {}", f + 1)));
        }
        let mut table = DataTable {
            id: "rfm-grid".into(),
            caption: "Клиенты по R и F".into(),
            columns: cols
                .iter()
                .map(|(k, l)| (k.to_string(), l.clone()))
                .collect(),
            rows: Vec::new(),
        };
        let rows: Vec<(String, String)> = (1..=5)
            .rev()
            .map(|r| (format!("r{r}"), format!("R = {r}")))
            .collect();
        for (ri, (key, label)) in rows.iter().enumerate() {
            let mut cells = vec![Cell::Text(label.clone())];
            cells.extend(grid[ri].iter().map(|&v| Cell::Num(Num::Int(v))));
            table.rows.push((key.clone(), cells));
        }
        let mut seg_table = DataTable::new(
            "rfm-segments",
            "Сегменты",
            &[
                ("segment", "Сегмент"),
                ("clients", "Клиентов"),
                ("share", "Доля"),
                ("monetary", "Выручка"),
            ],
        );
        let total = t.rows().max(1) as f64;
        let mut seg_rows: Vec<_> = segments.into_iter().collect();
        seg_rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        for (name, (count, value, scale)) in seg_rows {
            seg_table.rows.push((
                name.clone(),
                vec![
                    Cell::Text(name),
                    Cell::Num(Num::Int(count)),
                    Cell::Num(Num::Share(count as f64 / total)),
                    Cell::Num(Num::Money {
                        value,
                        scale,
                        currency: code.clone(),
                    }),
                ],
            ));
        }
        let columns: Vec<(String, String)> = f_keys
            .iter()
            .enumerate()
            .map(|(f, k)| (k.clone(), format!("F = {}", f + 1)))
            .collect();
        let mut parts = Vec::new();
        if t.rows() > 0 {
            parts.push(Part::Chart {
                title: "Клиентов в клетке: давность (R, 5 — недавно) × частота (F, 5 — часто)"
                    .into(),
                svg: chart::heat("rfm-grid", "RFM: R × F", &rows, &columns, &|r, c| {
                    Num::Int(grid[r][c])
                }),
            });
        } else {
            parts.push(Part::Note("Покупок за период нет.".into()));
        }
        parts.push(Part::Table(table));
        parts.push(Part::Table(seg_table));
        Ok(SectionHtml {
            section: ReportSection::Rfm,
            lead: format!(
                "Покупатели за период: {}, оценки 1–5 по квинтилям.",
                format_int(t.rows() as i64)
            ),
            parts,
        })
    }

    fn monthly(&self) -> Result<SectionHtml> {
        let t = monthly_dynamics(Rows::Base(self.base), &self.analytics())?;
        let code = self.currency.code();
        let mut table = DataTable::new(
            "monthly",
            "По месяцам",
            &[
                ("month", "Месяц"),
                ("revenue", "Выручка"),
                ("prev_year_revenue", "Год назад"),
                ("revenue_yoy", "К прошлому году"),
                ("deals", "Сделок"),
                ("won", "Выиграно"),
                ("won_rate", "Доля выигранных"),
                ("average_deal", "Средняя сделка"),
            ],
        );
        let (mut labels, mut now, mut before) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..t.rows() {
            let month = text(&t, "month", i).unwrap_or("");
            let cur = text(&t, "currency", i).unwrap_or(code).to_string();
            let key = row_key(Some(month), &cur);
            let label = if cur == code {
                month_label(month)
            } else {
                format!("{} ({cur})", month_label(month))
            };
            let revenue = money(&t, "revenue", i, &cur);
            let prev = money(&t, "prev_year_revenue", i, &cur);
            table.rows.push((
                key.clone(),
                vec![
                    Cell::Text(label.clone()),
                    num(revenue.clone()),
                    num(prev.clone()),
                    num(float(&t, "revenue_yoy", i).map(Num::Share)),
                    num(int(&t, "deals", i).map(Num::Int)),
                    num(int(&t, "won", i).map(Num::Int)),
                    num(float(&t, "won_rate", i).map(Num::Share)),
                    num(money(&t, "average_deal", i, &cur)),
                ],
            ));
            if cur == code {
                labels.push(label);
                now.push(revenue.map(|v| (key.clone(), v)));
                before.push(prev.map(|v| (key.clone(), v)));
            }
        }
        let mut parts = Vec::new();
        if labels.is_empty() {
            parts.push(Part::Note("Сделок за период нет.".into()));
        } else {
            let c = code.to_string();
            parts.push(Part::Chart {
                title: "Выручка выигранных сделок по месяцам и год назад".into(),
                svg: chart::lines(
                    "monthly",
                    "Выручка по месяцам",
                    &labels,
                    &[
                        Line {
                            series: "revenue".into(),
                            label: "выручка".into(),
                            class: "s-main",
                            points: now,
                        },
                        Line {
                            series: "prev_year_revenue".into(),
                            label: "год назад".into(),
                            class: "s-prev",
                            points: before,
                        },
                    ],
                    &move |v| format_money_short(v, &c),
                ),
            });
        }
        parts.push(Part::Table(table));
        Ok(SectionHtml {
            section: ReportSection::Monthly,
            lead: "Сделка считается в месяце закрытия (открытая — в месяце создания); выручка — выигранные сделки.".into(),
            parts,
        })
    }

    fn managers(&self) -> Result<SectionHtml> {
        let t = manager_effectiveness(self.base, &self.analytics())?;
        let code = self.currency.code();
        let mut table = DataTable::new(
            "managers",
            "Менеджеры",
            &[
                ("manager", "Менеджер"),
                ("deals", "Сделок"),
                ("won", "Выиграно"),
                ("lost", "Проиграно"),
                ("won_rate", "Доля выигранных"),
                ("revenue", "Выручка"),
                ("average_deal", "Средняя сделка"),
                ("cycle_median_days", "Цикл сделки (медиана)"),
                ("activities", "Активностей"),
                ("activities_per_deal", "Активностей на сделку"),
            ],
        );
        let mut bars = Vec::new();
        for i in 0..t.rows() {
            let manager = text(&t, "manager", i);
            let cur = text(&t, "currency", i).unwrap_or(code).to_string();
            let key = row_key(manager, &cur);
            let label = or_none(manager, "без менеджера");
            let revenue = money(&t, "revenue", i, &cur);
            table.rows.push((
                key.clone(),
                vec![
                    Cell::Text(label.clone()),
                    num(int(&t, "deals", i).map(Num::Int)),
                    num(int(&t, "won", i).map(Num::Int)),
                    num(int(&t, "lost", i).map(Num::Int)),
                    num(float(&t, "won_rate", i).map(Num::Share)),
                    num(revenue.clone()),
                    num(money(&t, "average_deal", i, &cur)),
                    num(float(&t, "cycle_median_days", i).map(Num::Days)),
                    num(int(&t, "activities", i).map(Num::Int)),
                    num(float(&t, "activities_per_deal", i).map(Num::Float)),
                ],
            ));
            if let (true, Some(revenue)) = (cur == code, revenue) {
                bars.push(Bar {
                    key,
                    label,
                    group: None,
                    note: revenue.shown(),
                    segments: vec![Segment {
                        series: "revenue".into(),
                        series_label: "выручка".into(),
                        value: revenue,
                        class: "s-won",
                    }],
                });
            }
        }
        bars.sort_by(|a, b| {
            b.segments[0]
                .value
                .as_f64()
                .total_cmp(&a.segments[0].value.as_f64())
        });
        let mut parts = Vec::new();
        if bars.is_empty() {
            parts.push(Part::Note("Сделок за период нет.".into()));
        } else {
            parts.push(Part::Chart {
                title: "Выручка менеджеров за период".into(),
                svg: chart::hbars("managers", "Выручка менеджеров", &bars, None),
            });
        }
        parts.push(Part::Table(table));
        Ok(SectionHtml {
            section: ReportSection::Managers,
            lead: "Менеджер сделки — её ответственный; активности — звонки, письма, встречи и задачи за период.".into(),
            parts,
        })
    }
}

fn field_label(field: &str) -> String {
    let label = match field {
        "name" => "Имя",
        "phone" => "Телефон",
        "email" => "Эл. почта",
        "messenger" => "Мессенджер",
        "birthday" => "Дата рождения",
        "tax_id" => "ИНН",
        "city" => "Город",
        "region" => "Регион",
        "address" => "Адрес",
        "postcode" => "Индекс",
        "employer" => "Место работы",
        "owner" => "Менеджер",
        "source" => "Источник",
        "personal_data_consent" => "Согласие на обработку ПДн",
        other => return other.strip_prefix("custom.").unwrap_or(other).to_string(),
    };
    label.to_string()
}

fn channel_label(channel: &str) -> String {
    match channel {
        "personal_data" => "Обработка ПДн",
        "sms" => "SMS",
        "email" => "Эл. почта",
        "calls" => "Звонки",
        "messengers" => "Мессенджеры",
        "ads" => "Реклама",
        other => other,
    }
    .to_string()
}
