//! ABC of clients by revenue on integer ids takes a one-pass route over the
//! columns (no lines read into `Orders`): on random order tables it must give
//! exactly the table the lines read as usual give.
use clientbase::capability::Rows;
use clientbase::table::{Column, Table};
use clientbase::value::{abc, abc_of, AbcMode, AbcParams, Orders};
use proptest::prelude::*;

fn params(thresholds: Vec<f64>, by_objects: bool) -> AbcParams {
    AbcParams {
        thresholds,
        mode: if by_objects {
            AbcMode::Objects
        } else {
            AbcMode::Value
        },
        ..AbcParams::default()
    }
}

fn table(ids: &[u64], signed: bool, amounts: &[i64], kind: u8, timestamps: bool) -> Table {
    let n = ids.len();
    let client = if signed {
        Column::from_int64s("client", ids.iter().map(|&i| Some(i as i64)))
    } else {
        Column::from_uint64s("client", ids.iter().map(|&i| Some(i)))
    };
    let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let date = if timestamps {
        Column::from_timestamps(
            "date",
            (0..n).map(|i| {
                Some(
                    day.and_hms_opt(10, 0, 0).unwrap().and_utc() + chrono::Days::new(i as u64 % 40),
                )
            }),
        )
    } else {
        Column::from_dates(
            "date",
            (0..n).map(|i| Some(day + chrono::Days::new(i as u64 % 40))),
        )
    };
    let amount = match kind {
        // Rubles with kopecks, as an analyst's float column holds them.
        0 => Column::from_float64s("amount", amounts.iter().map(|&k| Some(k as f64 / 100.0))),
        // Kopecks as exact decimals, as the generator and 1C exports give them.
        1 => Column::from_decimals("amount", 2, amounts.iter().map(|&k| Some(i128::from(k)))),
        // Decimals of another scale and unsigned integers: read through the
        // lines' own reader on the one-pass route.
        3 => Column::from_decimals(
            "amount",
            4,
            amounts.iter().map(|&k| Some(i128::from(k) * 100)),
        ),
        4 => Column::from_uint64s("amount", amounts.iter().map(|&r| Some(r.unsigned_abs()))),
        _ => Column::from_int64s("amount", amounts.iter().map(|&r| Some(r))),
    };
    Table::new(vec![client, date, amount]).unwrap()
}

fn both(t: &Table, p: &AbcParams) -> (Table, Table) {
    let fast = abc(Rows::Table(t), p).unwrap();
    let lines = Orders::from_table(t, &p.orders).unwrap();
    (fast, abc_of(&lines, p).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_one_pass_route_equals_reading_the_lines(
        lines in proptest::collection::vec((0u64..300, -5_000i64..200_000), 1..400),
        base in prop_oneof![Just(0u64), Just(1u64), Just(1_000_000u64), Just(1u64 << 40)],
        signed in any::<bool>(),
        kind in 0u8..5,
        timestamps in any::<bool>(),
        by_objects in any::<bool>(),
        thresholds in prop_oneof![
            Just(vec![80.0, 15.0, 5.0]),
            Just(vec![75.0, 20.0, 5.0]),
            Just(vec![50.0, 50.0]),
        ],
    ) {
        let ids: Vec<u64> = lines.iter().map(|l| base + l.0).collect();
        let amounts: Vec<i64> = lines.iter().map(|l| l.1).collect();
        let t = table(&ids, signed, &amounts, kind, timestamps);
        let (fast, read) = both(&t, &params(thresholds, by_objects));
        prop_assert_eq!(fast, read);
    }
}

#[test]
fn sparse_ids_text_keys_and_gaps_take_the_usual_route_with_the_same_answer() {
    // Ids far apart (the range is much wider than the lines).
    let t = table(&[1, 1 << 50, 7, 1], false, &[100, 200, 300, 400], 2, false);
    let (fast, read) = both(&t, &AbcParams::default());
    assert_eq!(fast, read);
    assert_eq!(fast.rows(), 3);
    // The widest ids there are.
    let wide = table(&[0, u64::MAX, 0], false, &[5, 6, 7], 2, false);
    let (fast, read) = both(&wide, &AbcParams::default());
    assert_eq!(fast, read);
    assert_eq!(fast.rows(), 2);
    // A missing amount: the line is left out and reported either way.
    let mut columns = t.into_columns();
    columns[2] = Column::from_int64s("amount", [Some(100), None, Some(300), Some(400)]);
    let t = Table::new(columns).unwrap();
    let (fast, read) = both(&t, &AbcParams::default());
    assert_eq!(fast, read);
    assert_eq!(fast.problems().len(), 1);
}

#[test]
fn an_amount_that_cannot_be_read_is_reported_as_before() {
    let t = Table::new(vec![
        Column::from_uint64s("client", [Some(1), Some(2), Some(3)]),
        Column::from_dates(
            "date",
            [chrono::NaiveDate::from_ymd_opt(2024, 1, 1); 3].into_iter(),
        ),
        Column::from_float64s("amount", [Some(10.0), Some(f64::NAN), Some(1e300)]),
    ])
    .unwrap();
    let (fast, read) = both(&t, &AbcParams::default());
    assert_eq!(fast, read);
    assert_eq!(fast.rows(), 1);
    assert_eq!(fast.problems().len(), 2);
}
