//! RFM on integer ids with dates in order takes a one-pass route over the
//! columns (no lines read into `Orders`): on random order tables it must give
//! exactly the table the lines read as usual give, periods and `as_of`
//! included.
use chrono::NaiveDate;
use clientbase::capability::Rows;
use clientbase::table::{Column, Table};
use clientbase::value::{rfm, rfm_of, Orders, RfmParams};
use proptest::prelude::*;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(n)
}

fn table(ids: &[u64], days: &[u64], signed: bool, amounts: &[i64], kind: u8) -> Table {
    let client = if signed {
        Column::from_int64s("client", ids.iter().map(|&i| Some(i as i64)))
    } else {
        Column::from_uint64s("client", ids.iter().map(|&i| Some(i)))
    };
    let date = Column::from_dates("date", days.iter().map(|&d| Some(day(d))));
    let amount = match kind {
        0 => Column::from_float64s("amount", amounts.iter().map(|&k| Some(k as f64 / 100.0))),
        1 => Column::from_decimals("amount", 2, amounts.iter().map(|&k| Some(i128::from(k)))),
        2 => Column::from_decimals(
            "amount",
            4,
            amounts.iter().map(|&k| Some(i128::from(k) * 100)),
        ),
        _ => Column::from_int64s("amount", amounts.iter().map(|&r| Some(r))),
    };
    Table::new(vec![client, date, amount]).unwrap()
}

/// The table the usual route gives: the lines read into `Orders` first.
fn read(t: &Table, p: &RfmParams) -> Table {
    let mut source = p.orders.clone();
    if let Some(as_of) = p.as_of {
        source.to = Some(source.to.map_or(as_of, |to| to.min(as_of)));
    }
    rfm_of(&Orders::from_table(t, &source).unwrap(), p).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_one_pass_route_equals_reading_the_lines(
        lines in proptest::collection::vec((0u64..200, 0u64..60, -5_000i64..200_000), 1..500),
        base in prop_oneof![Just(0u64), Just(7u64), Just(1u64 << 40)],
        signed in any::<bool>(),
        kind in 0u8..4,
        from in proptest::option::of(0u64..40),
        to in proptest::option::of(20u64..70),
        as_of in proptest::option::of(10u64..80),
    ) {
        let mut lines = lines;
        // Orders listed by date, as exports list them.
        lines.sort_by_key(|l| l.1);
        let ids: Vec<u64> = lines.iter().map(|l| base + l.0).collect();
        let days: Vec<u64> = lines.iter().map(|l| l.1).collect();
        let amounts: Vec<i64> = lines.iter().map(|l| l.2).collect();
        let t = table(&ids, &days, signed, &amounts, kind);
        let mut p = RfmParams { as_of: as_of.map(day), ..RfmParams::default() };
        p.orders.from = from.map(day);
        p.orders.to = to.map(day);
        let fast = rfm(Rows::Table(&t), &p);
        let usual = read_or_error(&t, &p);
        match (fast, usual) {
            (Ok(fast), Ok(usual)) => prop_assert_eq!(fast, usual),
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{:?} against {:?}", a.map(|t| t.rows()), b.map(|t| t.rows())),
        }
    }
}

fn read_or_error(t: &Table, p: &RfmParams) -> clientbase::Result<Table> {
    let mut source = p.orders.clone();
    if let Some(as_of) = p.as_of {
        source.to = Some(source.to.map_or(as_of, |to| to.min(as_of)));
    }
    rfm_of(&Orders::from_table(t, &source)?, p)
}

/// A client's purchase day split between the two halves of the lines (the
/// parts the pass is cut into on two cores) counts once; lines out of date
/// order take the usual route with the same answer.
#[test]
fn a_day_split_between_parts_counts_once_and_unsorted_lines_agree() {
    let n = 600_000usize;
    let ids: Vec<u64> = (0..n as u64).map(|i| i % 1000).collect();
    // Every client buys on days 0, 1, 2, …: runs of 1,000 lines a day, so
    // the middle of the lines falls inside a day.
    let days: Vec<u64> = (0..n as u64).map(|i| i / 1000 / 7).collect();
    let amounts: Vec<i64> = (0..n as i64).map(|i| 100 + i % 977).collect();
    let t = table(&ids, &days, false, &amounts, 1);
    let p = RfmParams::default();
    let fast = rfm(Rows::Table(&t), &p).unwrap();
    assert_eq!(fast, read(&t, &p));
    let frequency = fast.column("frequency").unwrap();
    // 600 runs of 1,000 lines over days of 7 runs: 86 days (the last short).
    assert_eq!(frequency.value(0), clientbase::table::Value::Int64(86));

    let mut reversed_days = days.clone();
    reversed_days.reverse();
    let unsorted = table(&ids, &reversed_days, false, &amounts, 1);
    assert_eq!(
        rfm(Rows::Table(&unsorted), &p).unwrap(),
        read(&unsorted, &p)
    );
}
