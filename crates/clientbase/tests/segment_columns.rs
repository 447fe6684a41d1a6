//! The columnar segment evaluator against the record interpreter: on random
//! generated bases (with odd records mixed in) and random rules, both give
//! exactly the same clients; the snapshot is forgotten by every write.
#![cfg(feature = "generator")]

use chrono::{Days, Months, NaiveDate, TimeZone, Utc};
use clientbase::columns::Columns;
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::segment::{compile, Options, Rule};
use clientbase::{
    Activity, ActivityKind, Client, ClientBase, Currency, Deal, DealStatus, Money, ProductLine,
    Quantity,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Conditions the columns cover, and some they leave to the records.
const CONDITIONS: &[&str] = &[
    "true",
    "false",
    "stage in (customer, loyal)",
    "stage = lead",
    "temperature >= warm",
    "temperature is set",
    "loyalty_percent >= 5",
    "loyalty_percent is not set",
    "kind = company",
    "can_refer = true",
    "id <= 40",
    "id in (3, 5, 8, 13)",
    "city = \"москва\"",
    "city in (\"Москва\", \"Казань\", \"Пермь\")",
    "city != \"Москва\"",
    "city contains \"ск\"",
    "city is set",
    "region is set",
    "owner is set",
    "source is set",
    "behaviour is set",
    "birthday within next 30 days",
    "birthday < 1980-01-01",
    "created more than 365 days ago",
    "created within last 2 years",
    "updated in this year",
    "consent sms",
    "consent email",
    "consent calls",
    "has phone",
    "has mobile",
    "has email",
    "has messenger",
    "has tag VIP",
    "has any tags (VIP, \"постоянный\", \"доставка\")",
    "has all tags (\"бонусная карта\", \"доставка\")",
    "tags is set",
    "purchases >= 2",
    "purchases = 0",
    "total_spent > 10000",
    "first_purchase within last 3 years",
    "last_purchase more than 90 days ago",
    "last_purchase is set",
    "sum(purchases where date within last 24 months) > 20000",
    "sum(lines where category = \"Корма для кошек\") >= 1000",
    "months(lines where category = \"Корма для кошек\" and date within last 12 months) >= 2",
    "months(lines) >= 3",
    "days(lines where quantity >= 2) >= 1",
    "count(deals where status = open) >= 1",
    "count(deals where status in (lost, duplicate)) = 0",
    "count(deals where stage != \"Новая\" and pipeline is set) >= 2",
    "count(purchases where recurring = false and owner is set) >= 2",
    "count(lines where discounted = true) >= 1",
    "count(lines where product contains \"корм\") >= 1",
    "count(deals where created in previous year or closed in this year) >= 1",
    "count(deals where id < 50) >= 1",
    "count(purchases where source is set) >= 1",
    "min(lines) < 500",
    "max(deals where amount > 1000) >= 5000",
    "max(purchases) = 0",
    "first(purchases) < 2024-01-01",
    "last(deals) > 2025-01-01",
    "last(lines where category is set) >= 2025-06-01",
    "in segment big",
    "in segment cats",
    "count(activities) >= 1",
    "count(activities where kind in (call, email) and direction = inbound) >= 1",
    "count(activities where kind = visit and date within last 90 days) <= 2",
    "count(activities where outcome contains any (\"дог\", opened) or manager is set) >= 1",
    "count(activities where done = true and due is set) >= 1",
    "count(activities where direction is not set and id > 10) >= 1",
    "months(activities where date within last 12 months) >= 2",
    "last(activities) > 2025-01-01",
    // Left to the record interpreter.
    "count(activities where text is set) >= 1",
    "count(activities where deal is set) >= 1",
    "name contains \"а\"",
    "age >= 30",
    "days_to_birthday <= 30",
    "count(deals where title is set) >= 1",
    "related",
    "related in segment big",
    "abc = A",
    "rfm.r >= 3",
];

fn rule_text(picks: &[(usize, u8)]) -> String {
    let mut text = String::new();
    let mut open = 0;
    for (i, &(condition, glue)) in picks.iter().enumerate() {
        let condition = CONDITIONS[condition % CONDITIONS.len()];
        if i > 0 {
            text.push_str(if glue % 2 == 0 { " and " } else { " or " });
        }
        if glue % 3 == 0 {
            text.push_str("not ");
        }
        if glue % 5 == 0 {
            text.push('(');
            open += 1;
        }
        text.push('(');
        text.push_str(condition);
        text.push(')');
    }
    text.push_str(&")".repeat(open));
    text
}

fn segments() -> BTreeMap<String, Rule> {
    BTreeMap::from([
        ("big".to_string(), Rule::parse("total_spent > 30000").unwrap()),
        (
            "cats".to_string(),
            Rule::parse("count(lines where category = \"Корма для кошек\") >= 1 and in segment big or consent sms").unwrap(),
        ),
    ])
}

/// Odd records the generator does not make: blank and differently written
/// cities, deals in another currency, won deals without lines or dates.
fn oddities(base: &mut ClientBase, codes: &[u8], as_of: NaiveDate) {
    // Sums run in RUB (the default) and skip deals in dollars.
    base.set_currency(None).unwrap();
    let clients: Vec<Client> = base.clients().take(codes.len()).cloned().collect();
    for (mut client, &code) in clients.into_iter().zip(codes) {
        match code % 8 {
            0 => client.city = Some("  ".into()),
            1 => client.city = Some(" МОСКВА ".into()),
            2 => client.city = None,
            3 => client.temperature = None,
            _ => {}
        }
        // Dates on the edges of the rules' windows, late or early in the
        // UTC day so that the time zone moves them across midnight.
        let edge = [
            as_of - Months::new(12),
            as_of - Months::new(24),
            as_of - Days::new(90),
            as_of - Days::new(91),
            as_of - Days::new(365),
            as_of - Days::new(366),
            as_of - Months::new(36),
            as_of,
        ][usize::from(code / 8 % 8)];
        let hour = if code % 2 == 0 { 23 } else { 0 };
        let at = Utc.from_utc_datetime(&edge.and_hms_opt(hour, 30, 0).unwrap());
        if code % 3 == 0 {
            client.created_at = Some(at);
            client.updated_at = None;
        }
        let id = client.id;
        base.update_client(client).unwrap();
        match code % 7 {
            0 => {
                let mut deal = Deal::new(id, Money::from_minor(1_234_567, Currency::USD));
                deal.status = DealStatus::Won;
                deal.closed_at = Some(at);
                base.add_deal(deal).unwrap();
            }
            1 => {
                let mut deal = Deal::new(id, Money::from_minor(2_500_000, Currency::RUB));
                deal.status = DealStatus::Won;
                deal.closed_at = Some(at);
                base.add_deal(deal).unwrap();
            }
            2 => {
                let mut deal = Deal::new(id, Money::from_minor(900_000, Currency::RUB));
                deal.status = DealStatus::Won;
                deal.created_at = Some(at);
                deal.lines = vec![ProductLine::new(
                    "Корм",
                    Quantity::from_milli(2500),
                    Money::from_minor(360_000, Currency::RUB),
                )
                .with_category("Корма для кошек")];
                base.add_deal(deal).unwrap();
            }
            _ => {}
        }
    }
}

fn zone(code: u8) -> &'static str {
    ["UTC", "+03:00", "-05:00", "Asia/Kamchatka"][usize::from(code % 4)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn columnar_matches_records(
        seed in 0u64..10_000,
        size in 10usize..120,
        codes in prop::collection::vec(any::<u8>(), 0..40),
        picks in prop::collection::vec((0usize..256, any::<u8>()), 1..6),
        offset in 0u64..1_200,
        tz in any::<u8>(),
    ) {
        let mut config = GeneratorConfig::new(size, seed);
        config.activities_per_client = 0.5;
        let mut base = generate(&config).unwrap().base;
        let as_of = config.today - Days::new(offset);
        oddities(&mut base, &codes, as_of);
        let text = rule_text(&picks);
        let rule = Rule::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let options = Options::new(as_of).in_time_zone(zone(tz));
        let compiled = compile(&base, &rule, &options, &segments()).unwrap_or_else(|e| panic!("{text}: {e}"));
        let records = compiled.evaluate_records(&base).unwrap();
        let snapshot = Columns::build(&base);
        let columns = compiled.evaluate_columns(&base, &snapshot).unwrap();
        prop_assert_eq!(&columns, &records, "{}", text);
        // `evaluate` gives the same, on the records first, then the snapshot.
        prop_assert_eq!(&compiled.evaluate(&base).unwrap(), &records);
        prop_assert_eq!(&compiled.evaluate(&base).unwrap(), &records);
        // Every condition alone, on the same base.
        for condition in CONDITIONS {
            let rule = Rule::parse(condition).unwrap();
            let compiled = compile(&base, &rule, &options, &segments()).unwrap();
            prop_assert_eq!(
                compiled.evaluate_columns(&base, &snapshot).unwrap(),
                compiled.evaluate_records(&base).unwrap(),
                "{}", condition
            );
        }
        // Explanations agree with the result.
        for id in base.clients().map(|c| c.id).take(5) {
            let why = compiled.explain(&base, id).unwrap();
            prop_assert_eq!(why.matched, records.binary_search(&id).is_ok(), "{}", text);
        }
    }
}

#[test]
fn a_write_forgets_the_snapshot() {
    let mut base = generate(&GeneratorConfig::new(60, 7)).unwrap().base;
    let rule = Rule::parse("city = \"Тверь\" or sum(purchases) > 100000").unwrap();
    let as_of: NaiveDate = "2026-01-01".parse().unwrap();
    let options = Options::new(as_of);
    let before = compile(&base, &rule, &options, &BTreeMap::new())
        .unwrap()
        .evaluate(&base)
        .unwrap();
    // The first evaluation ran on the records; the second builds the snapshot.
    assert!(Columns::when_worth_it(&base).is_some());
    let snapshot = Columns::of(&base);
    assert_eq!(snapshot.clients(), 60);
    assert!(
        std::sync::Arc::ptr_eq(&snapshot, &Columns::of(&base)),
        "kept until a write"
    );

    // A client moves to Тверь: the next evaluation sees it.
    let mut client = base
        .clients()
        .find(|c| before.binary_search(&c.id).is_err())
        .unwrap()
        .clone();
    let moved = client.id;
    client.city = Some("Тверь".into());
    base.update_client(client).unwrap();
    let compiled = compile(&base, &rule, &options, &BTreeMap::new()).unwrap();
    let after = compiled.evaluate(&base).unwrap();
    assert!(after.contains(&moved));
    assert_eq!(after, compiled.evaluate_records(&base).unwrap());

    // A big purchase by another client: the same.
    let buyer = base
        .clients()
        .map(|c| c.id)
        .find(|id| !after.contains(id))
        .unwrap();
    let mut deal = Deal::new(buyer, Money::from_minor(20_000_000, Currency::RUB));
    deal.status = DealStatus::Won;
    deal.closed_at = Some(Utc.with_ymd_and_hms(2025, 12, 1, 10, 0, 0).unwrap());
    base.add_deal(deal).unwrap();
    let again = compiled.evaluate(&base).unwrap();
    assert!(again.contains(&buyer));
    assert_eq!(again, compiled.evaluate_records(&base).unwrap());
    let kept = Columns::of(&base);
    assert_eq!(kept.deals(), base.deals().len());

    // Activities are in the snapshot: writing one forgets it.
    base.add_activity(Activity::new(buyer, ActivityKind::Note, Utc::now()))
        .unwrap();
    assert!(!std::sync::Arc::ptr_eq(&kept, &Columns::of(&base)));
    let notes = compile(
        &base,
        &Rule::parse("count(activities where kind = note) >= 1").unwrap(),
        &options,
        &BTreeMap::new(),
    )
    .unwrap();
    let with_notes = notes.evaluate_columns(&base, &Columns::of(&base)).unwrap();
    assert!(with_notes.contains(&buyer));
    assert_eq!(with_notes, notes.evaluate_records(&base).unwrap());
    // A deal removed: forgotten.
    let last = base.deals().last().unwrap().id;
    base.remove_deal(last).unwrap();
    assert_eq!(Columns::of(&base).deals(), base.deals().len());
    assert_eq!(
        compiled.evaluate(&base).unwrap(),
        compiled.evaluate_records(&base).unwrap()
    );
}
