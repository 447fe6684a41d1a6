//! Sales analytics on random bases and random line tables: for every
//! slicing, the slices' revenue (per currency), deals, won, lost and lines
//! add up to the whole period's.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clientbase::analytics::{sales_analytics, AnalyticsParams, By};
use clientbase::capability::Rows;
use clientbase::table::Value;
use clientbase::{
    Client, ClientBase, Column, Currency, Deal, DealStatus, Money, ProductLine, Quantity, Schema,
    Table,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Totals per currency: (revenue in the table's scale, deals, won, lost, lines).
type Totals = BTreeMap<String, (i128, i64, i64, i64, i64)>;

fn totals(table: &Table) -> Totals {
    let mut out = Totals::new();
    let col = |n: &str| table.column(n).unwrap_or_else(|| panic!("no column {n}"));
    let int = |n: &str, i: usize| match col(n).value(i) {
        Value::Int64(v) => v,
        other => panic!("{n}: {other:?}"),
    };
    for i in 0..table.rows() {
        let currency = match col("currency").value(i) {
            Value::Text(t) => t.to_string(),
            other => panic!("currency: {other:?}"),
        };
        let revenue = match col("revenue").value(i) {
            Value::Decimal { value, .. } => value,
            other => panic!("revenue: {other:?}"),
        };
        let e = out.entry(currency).or_default();
        e.0 += revenue;
        e.1 += int("deals", i);
        e.2 += int("won", i);
        e.3 += int("lost", i);
        e.4 += int("lines", i);
    }
    out
}

#[derive(Debug, Clone)]
struct GenDeal {
    client: usize,
    status: u8,
    owner: Option<u8>,
    source: Option<u8>,
    created: i64,
    cycle: i64,
    rub: bool,
    amount: i64,
    lines: Vec<(u8, Option<u8>, i64)>,
}

fn gen_deal(clients: usize) -> impl Strategy<Value = GenDeal> {
    (
        0..clients,
        0u8..3,
        proptest::option::of(0u8..4),
        proptest::option::of(0u8..3),
        0i64..800,
        0i64..120,
        any::<bool>(),
        0i64..1_000_000,
        proptest::collection::vec((0u8..5, proptest::option::of(0u8..3), 1i64..100_000), 0..4),
    )
        .prop_map(
            |(client, status, owner, source, created, cycle, rub, amount, lines)| GenDeal {
                client,
                status,
                owner,
                source,
                created,
                cycle,
                rub,
                amount,
                lines,
            },
        )
}

fn base_of(cities: &[Option<u8>], deals: &[GenDeal]) -> ClientBase {
    let mut base = ClientBase::new(Schema::new());
    let mut ids = Vec::new();
    for (i, city) in cities.iter().enumerate() {
        let mut c = Client::person("Иванов", &format!("Пётр{i}"), None);
        c.city = city.map(|c| format!("Город {c}"));
        c.region = city.map(|c| format!("Регион {}", c % 2));
        ids.push(base.add_client(c).unwrap());
    }
    let start = Utc.with_ymd_and_hms(2023, 1, 1, 9, 0, 0).unwrap();
    for g in deals {
        let currency = if g.rub { Currency::RUB } else { Currency::USD };
        let mut deal = Deal::new(ids[g.client], Money::from_minor(g.amount, currency));
        for (product, category, price) in &g.lines {
            let mut line = ProductLine::new(
                &format!("Товар {product}"),
                Quantity::ONE,
                Money::from_minor(*price, currency),
            );
            line.category = category.map(|c| format!("Категория {c}").into());
            deal = deal.with_line(line);
        }
        deal.owner = g.owner.map(|o| format!("Менеджер {o}").into());
        deal.source = g.source.map(|s| format!("Источник {s}").into());
        let created = start + Duration::days(g.created);
        deal.created_at = Some(created);
        deal.status = match g.status {
            0 => DealStatus::Open,
            1 => DealStatus::Won,
            _ => DealStatus::Lost,
        };
        if deal.status.is_closed() {
            deal.closed_at = Some(created + Duration::days(g.cycle));
        }
        base.add_deal(deal).unwrap();
    }
    base
}

fn period() -> impl Strategy<Value = (Option<NaiveDate>, Option<NaiveDate>)> {
    let day = |d: i64| NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + Duration::days(d);
    (
        proptest::option::of(0i64..500),
        proptest::option::of(0i64..500),
    )
        .prop_map(move |(a, b)| match (a, b) {
            (Some(a), Some(b)) => (Some(day(a.min(b))), Some(day(a.max(b)))),
            (a, b) => (a.map(day), b.map(day)),
        })
}

/// The distinct (deal, category) pairs of the deals counted in the period.
fn category_pairs(
    deals: &[GenDeal],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    product: bool,
) -> i64 {
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    deals
        .iter()
        .filter(|g| {
            let day = start + Duration::days(g.created + if g.status == 0 { 0 } else { g.cycle });
            from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
        })
        .map(|g| {
            if g.lines.is_empty() {
                return 1;
            }
            let keys: BTreeSet<Option<u8>> = g
                .lines
                .iter()
                .map(|(p, c, _)| if product { Some(*p) } else { *c })
                .collect();
            keys.len() as i64
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn slices_add_up_to_the_whole(
        cities in proptest::collection::vec(proptest::option::of(0u8..4), 1..8),
        deals in proptest::collection::vec(gen_deal(8), 0..40),
        (from, to) in period(),
    ) {
        let deals: Vec<GenDeal> = deals
            .into_iter()
            .map(|mut g| { g.client %= cities.len(); g })
            .collect();
        let base = base_of(&cities, &deals);
        let params = |by| AnalyticsParams { by, from, to, ..AnalyticsParams::default() };
        let whole = sales_analytics(Rows::Base(&base), &params(By::None)).unwrap();
        let whole_totals = totals(&whole);
        prop_assert!(whole.rows() <= 2);
        for by in By::ALL {
            let table = sales_analytics(Rows::Base(&base), &params(by)).unwrap();
            let sliced = totals(&table);
            prop_assert_eq!(sliced.keys().collect::<Vec<_>>(), whole_totals.keys().collect::<Vec<_>>(), "{:?}", by);
            for (currency, got) in &sliced {
                let want = whole_totals[currency];
                // Revenue and lines add up for every slicing.
                prop_assert_eq!(got.0, want.0, "revenue by {:?} in {}", by, currency);
                prop_assert_eq!(got.4, want.4, "lines by {:?} in {}", by, currency);
                if !matches!(by, By::Product | By::Category) {
                    prop_assert_eq!(got, &want, "by {:?} in {}", by, currency);
                }
            }
            if matches!(by, By::Product | By::Category) {
                let deals_sum: i64 = sliced.values().map(|t| t.1).sum();
                prop_assert_eq!(deals_sum, category_pairs(&deals, from, to, by == By::Product));
            }
        }
    }

    #[test]
    fn a_table_of_lines_gives_the_base_figures(
        cities in proptest::collection::vec(proptest::option::of(0u8..4), 1..6),
        deals in proptest::collection::vec(gen_deal(6), 0..30),
        (from, to) in period(),
    ) {
        let deals: Vec<GenDeal> = deals
            .into_iter()
            .map(|mut g| { g.client %= cities.len(); g.rub = true; g })
            .collect();
        let base = base_of(&cities, &deals);
        let table = lines_table(&base, false);
        // The same lines with the even rows first: a deal's lines apart.
        let shuffled = lines_table(&base, true);
        for by in By::ALL {
            let params = AnalyticsParams { by, from, to, ..AnalyticsParams::default() };
            let a = sales_analytics(Rows::Base(&base), &params).unwrap();
            let b = sales_analytics(Rows::Table(&table), &params).unwrap();
            prop_assert_eq!(a.to_json().unwrap(), b.to_json().unwrap(), "{:?}", by);
            let c = sales_analytics(Rows::Table(&shuffled), &params).unwrap();
            prop_assert_eq!(a.to_json().unwrap(), c.to_json().unwrap(), "{:?} apart", by);
        }
    }
}

/// The base's deals as a table of deal lines with the default column names
/// (with `apart`, the even rows first, then the odd ones).
fn lines_table(base: &ClientBase, apart: bool) -> Table {
    let mut rows: Vec<[Option<String>; 10]> = Vec::new();
    let mut amounts = Vec::new();
    let mut days: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = Vec::new();
    for deal in base.deals() {
        let client = base.client(deal.client).unwrap();
        let parts: Vec<(i64, Option<String>, Option<String>)> = if deal.lines.is_empty() {
            vec![(deal.amount.minor(), None, None)]
        } else {
            deal.lines
                .iter()
                .map(|l| {
                    (
                        l.total().unwrap().minor(),
                        Some(l.product.to_string()),
                        l.category.as_deref().map(str::to_string),
                    )
                })
                .collect()
        };
        for (amount, product, category) in parts {
            rows.push([
                Some(deal.id.get().to_string()),
                Some(deal.status.to_string()),
                Some(deal.client.get().to_string()),
                deal.owner.as_deref().map(str::to_string),
                deal.source.as_deref().map(str::to_string),
                client.city.clone(),
                client.region.clone(),
                product,
                category,
                None,
            ]);
            amounts.push(Some(i128::from(amount)));
            days.push((
                deal.created_at.map(|t| t.date_naive()),
                deal.closed_at.map(|t| t.date_naive()),
            ));
        }
    }
    if apart {
        let order: Vec<usize> = (0..rows.len())
            .step_by(2)
            .chain((1..rows.len()).step_by(2))
            .collect();
        rows = order.iter().map(|&i| rows[i].clone()).collect();
        amounts = order.iter().map(|&i| amounts[i]).collect();
        days = order.iter().map(|&i| days[i]).collect();
    }
    let text =
        |name: &str, i: usize| Column::from_texts(name, rows.iter().map(|r| r[i].as_deref()));
    Table::new(vec![
        text("deal", 0),
        text("status", 1),
        text("client", 2),
        text("manager", 3),
        text("source", 4),
        text("city", 5),
        text("region", 6),
        text("product", 7),
        text("category", 8),
        Column::from_decimals("amount", 2, amounts),
        Column::from_dates("created", days.iter().map(|d| d.0)),
        Column::from_dates("closed", days.iter().map(|d| d.1)),
    ])
    .unwrap()
}
