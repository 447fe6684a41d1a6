//! RFM, ABC and XYZ on hand-computed order lines, through the typed
//! functions and the generic capability calls.

use clientbase::capability::{call_read, call_table, Output, Rows};
use clientbase::table::Value;
use clientbase::value::{abc, rfm, xyz, AbcBy, AbcParams, RfmParams, XyzParams};
use clientbase::{Client, ClientBase, Column, Currency, Deal, DealStatus, Money, Schema, Table};
use serde_json::json;

fn texts(table: &Table, name: &str) -> Vec<String> {
    let column = table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    column
        .values()
        .map(|v| match v {
            Value::Text(t) => t.to_string(),
            Value::Null => "-".to_string(),
            Value::UInt64(u) => u.to_string(),
            Value::Int64(i) => i.to_string(),
            Value::Decimal { value, scale } => clientbase::table::format_decimal(value, scale),
            other => format!("{other:?}"),
        })
        .collect()
}

fn ints(table: &Table, name: &str) -> Vec<i64> {
    table
        .column(name)
        .unwrap()
        .values()
        .map(|v| match v {
            Value::Int64(i) => i,
            other => panic!("{name}: {other:?}"),
        })
        .collect()
}

/// Order lines: (client id, date, amount).
fn lines(rows: &[(u64, &str, &str)]) -> Table {
    Table::new(vec![
        Column::from_uint64s("client", rows.iter().map(|r| Some(r.0))),
        Column::from_texts("date", rows.iter().map(|r| Some(r.1))),
        Column::from_texts("amount", rows.iter().map(|r| Some(r.2))),
    ])
    .unwrap()
}

/// Ten clients whose revenues are, by hand, 800, 50, 40, 30, 25, 20, 15, 10,
/// 6, 4 (total 1000); client 1's revenue comes in two lines.
fn ten_clients_dominant() -> Table {
    lines(&[
        (1, "01.02.2024", "500,00"),
        (2, "01.02.2024", "50"),
        (3, "02.02.2024", "40"),
        (4, "02.02.2024", "30"),
        (5, "03.02.2024", "25"),
        (6, "03.02.2024", "20"),
        (7, "04.02.2024", "15"),
        (8, "04.02.2024", "10"),
        (9, "05.02.2024", "6"),
        (10, "05.02.2024", "4"),
        (1, "06.02.2024", "300,00"),
    ])
}

#[test]
fn ten_clients_split_75_20_5_with_a_dominant_client() {
    let params = AbcParams {
        thresholds: vec![75.0, 20.0, 5.0],
        ..AbcParams::default()
    };
    let table = abc(Rows::Table(&ten_clients_dominant()), &params).unwrap();
    // Cumulative shares: 80 (A: alone above 75 %, still A), 85, 89, 92, 94.5
    // (B up to 95), 96.5, 98, 99, 99.6, 100 (C).
    assert_eq!(
        texts(&table, "client"),
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
    );
    assert_eq!(
        texts(&table, "class"),
        ["A", "B", "B", "B", "B", "C", "C", "C", "C", "C"]
    );
    assert_eq!(texts(&table, "value")[0], "800.00");
    assert!(table.problems().is_empty());
}

#[test]
fn ten_clients_split_75_20_5_on_the_boundary() {
    // 300, 250, 200, 100, 50, 40, 30, 15, 10, 5: cumulative 30, 55, 75 (A:
    // exactly on the bound), 85, 90, 94 (B), 97, 98.5, 99.5, 100 (C).
    let amounts = [
        "300", "250", "200", "100", "50", "40", "30", "15", "10", "5",
    ];
    let rows: Vec<(u64, &str, &str)> = amounts
        .iter()
        .enumerate()
        .rev()
        .map(|(i, a)| (i as u64 + 1, "01.03.2024", *a))
        .collect();
    let params = AbcParams {
        thresholds: vec![75.0, 20.0, 5.0],
        ..AbcParams::default()
    };
    let table = abc(Rows::Table(&lines(&rows)), &params).unwrap();
    assert_eq!(
        texts(&table, "class"),
        ["A", "A", "A", "B", "B", "B", "C", "C", "C", "C"]
    );
    // The default 80/15/5 splits them the same way: 75 ≤ 80 < 85 ≤ 95 < 97.
    let table = abc(Rows::Table(&lines(&rows)), &AbcParams::default()).unwrap();
    assert_eq!(
        texts(&table, "class"),
        ["A", "A", "A", "B", "B", "B", "C", "C", "C", "C"]
    );
    // By share of objects: the first 75 % of ten (7.5) are A, up to 95 % B.
    let params = AbcParams {
        thresholds: vec![75.0, 20.0, 5.0],
        mode: clientbase::value::AbcMode::Objects,
        ..AbcParams::default()
    };
    let table = abc(Rows::Table(&lines(&rows)), &params).unwrap();
    assert_eq!(
        texts(&table, "class"),
        ["A", "A", "A", "A", "A", "A", "A", "B", "B", "C"]
    );
}

#[test]
fn abc_by_product_and_by_line_count() {
    let table = Table::new(vec![
        Column::from_uint64s("client", [1, 1, 2, 3].map(Some)),
        Column::from_texts("date", ["2024-01-01"; 4].map(Some)),
        Column::from_texts("amount", ["700", "150", "100", "50"].map(Some)),
        Column::from_texts("product", ["Корм", "Миска", "Миска", "Поводок"].map(Some)),
    ])
    .unwrap();
    let params = AbcParams {
        by: AbcBy::Products,
        ..AbcParams::default()
    };
    let out = abc(Rows::Table(&table), &params).unwrap();
    assert_eq!(texts(&out, "product"), ["Корм", "Миска", "Поводок"]);
    assert_eq!(texts(&out, "class"), ["A", "B", "C"]);
    let params = AbcParams {
        by: AbcBy::Products,
        measure: clientbase::value::Measure::Count,
        thresholds: vec![50.0, 30.0, 20.0],
        ..AbcParams::default()
    };
    let out = abc(Rows::Table(&table), &params).unwrap();
    assert_eq!(texts(&out, "product"), ["Миска", "Корм", "Поводок"]);
    assert_eq!(ints(&out, "value"), [2, 1, 1]);
    assert_eq!(texts(&out, "class"), ["A", "B", "C"]);
}

#[test]
fn rfm_scores_a_hand_made_set() {
    // as of 2024-04-01: recency 1, 7, 31, 60, 91 days; 5, 4, 3, 2, 1
    // purchase days; 5000, 4000, 3000, 2000, 1000 rubles.
    let table = lines(&[
        (1, "27.03.2024", "1000"),
        (1, "28.03.2024", "1000"),
        (1, "29.03.2024", "1000"),
        (1, "30.03.2024", "1000"),
        (1, "31.03.2024", "600"),
        (1, "31.03.2024", "400"),
        (2, "01.03.2024", "1000"),
        (2, "02.03.2024", "1000"),
        (2, "03.03.2024", "1000"),
        (2, "25.03.2024", "1000"),
        (3, "01.02.2024", "1000"),
        (3, "02.02.2024", "1000"),
        (3, "01.03.2024", "1000"),
        (4, "01.01.2024", "1000"),
        (4, "01.02.2024", "1000"),
        (5, "01.01.2024", "1000"),
        (6, "05.04.2024", "99999"),
    ]);
    let params: RfmParams =
        clientbase::capability::from_value("rfm", json!({"as_of": "2024-04-01"})).unwrap();
    let out = rfm(Rows::Table(&table), &params).unwrap();
    // Client 6 bought after the analysis date only: not in the table.
    assert_eq!(texts(&out, "client"), ["1", "2", "3", "4", "5"]);
    assert_eq!(ints(&out, "recency_days"), [1, 7, 31, 60, 91]);
    assert_eq!(ints(&out, "frequency"), [5, 4, 3, 2, 1]);
    assert_eq!(
        texts(&out, "monetary"),
        ["5000.00", "4000.00", "3000.00", "2000.00", "1000.00"]
    );
    assert_eq!(texts(&out, "rfm"), ["555", "444", "333", "222", "111"]);
    assert_eq!(
        texts(&out, "segment"),
        [
            "Champions",
            "Loyal",
            "Need Attention",
            "Hibernating",
            "Hibernating"
        ]
    );

    // Bins: recency ≤ 7 days is 5, ≤ 30 is 4, ≤ 60 is 3, ≤ 90 is 2; two
    // purchases or more is 2…; 1500 rubles or more is 2….
    let binned = call_table(
        "rfm",
        &table,
        json!({"as_of": "2024-04-01", "scores": {"bins": {
            "recency": [7, 30, 60, 90],
            "frequency": [2, 3, 4, 5],
            "monetary": [1500, 2500, 3500, 4500]}}}),
    )
    .unwrap();
    let Output::Table(binned) = binned else {
        panic!()
    };
    assert_eq!(texts(&binned, "rfm"), ["555", "544", "333", "322", "111"]);
}

#[test]
fn ties_are_broken_by_value_then_key_whatever_the_order() {
    // Ten clients with the same lines: scores go by client key.
    let mut rows: Vec<(u64, &str, &str)> = (1..=10)
        .map(|c| (c * 7 % 11, "01.03.2024", "100"))
        .collect();
    let forward = rfm(Rows::Table(&lines(&rows)), &RfmParams::default()).unwrap();
    rows.reverse();
    let backward = rfm(Rows::Table(&lines(&rows)), &RfmParams::default()).unwrap();
    let by_client = |t: &Table| {
        let mut pairs: Vec<(String, String)> = texts(t, "client")
            .into_iter()
            .zip(texts(t, "rfm"))
            .collect();
        pairs.sort_by_key(|(c, _)| c.parse::<u64>().unwrap());
        pairs
    };
    let scores = by_client(&forward);
    assert_eq!(scores, by_client(&backward));
    let expected: Vec<String> = (0..10).map(|i| format!("{0}{0}{0}", 1 + i / 2)).collect();
    assert_eq!(
        scores.into_iter().map(|(_, s)| s).collect::<Vec<_>>(),
        expected
    );
}

#[cfg(feature = "generator")]
#[test]
fn scores_do_not_depend_on_the_thread_count() {
    use clientbase::generator::{generate_orders, OrderConfig};
    let table = generate_orders(&OrderConfig::new(2_000, 30_000, 5)).unwrap();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let rfm = rfm(Rows::Table(&table), &RfmParams::default()).unwrap();
                let abc = abc(Rows::Table(&table), &AbcParams::default()).unwrap();
                (rfm, abc)
            })
    };
    assert_eq!(run(1), run(4));
}

#[test]
fn xyz_counts_periods_without_sales() {
    let table = lines(&[
        // Steady: 100 a month for three months: cv 0, X.
        (1, "10.01.2024", "100"),
        (1, "10.02.2024", "100"),
        (1, "10.03.2024", "100"),
        // A month without sales: 100, 0, 100: cv 70.7 %, Z.
        (2, "10.01.2024", "100"),
        (2, "10.03.2024", "100"),
        // 100, 130, 70: cv 24.5 %, Y.
        (3, "10.01.2024", "100"),
        (3, "10.02.2024", "130"),
        (3, "05.03.2024", "30"),
        (3, "25.03.2024", "40"),
        // First bought in March: one month, too new.
        (4, "10.03.2024", "500"),
    ]);
    let out = xyz(Rows::Table(&table), &XyzParams::default()).unwrap();
    assert_eq!(texts(&out, "class"), ["X", "Z", "Y", "-"]);
    assert_eq!(ints(&out, "periods"), [3, 3, 3, 1]);
    let cv: Vec<Option<f64>> = out
        .column("cv")
        .unwrap()
        .values()
        .map(|v| match v {
            Value::Float64(f) => Some(f),
            _ => None,
        })
        .collect();
    assert!((cv[1].unwrap() - 70.710678).abs() < 1e-4, "{cv:?}");
    assert!((cv[2].unwrap() - 24.494897).abs() < 1e-4, "{cv:?}");
    assert!(texts(&out, "reason")[3]
        .starts_with("new: 1 month since the first sale, fewer than the 3 needed"));

    // ABC-XYZ puts the two together.
    let Output::Table(both) = call_table("abc_xyz", &table, json!({})).unwrap() else {
        panic!()
    };
    // Revenues 500, 300, 300, 200 (client 1 before client 3 on a tie):
    // cumulative 38 %, 62 % (A), 85 % (B), 100 % (C).
    assert_eq!(texts(&both, "client"), ["4", "1", "3", "2"]);
    assert_eq!(texts(&both, "cell"), ["-", "AX", "BY", "CZ"]);
}

#[cfg(feature = "csv")]
#[test]
fn a_1c_export_is_read_and_a_bad_line_reported() {
    use clientbase::value::{rfm_of, OrderSource, Orders};
    let csv = "\u{feff}Контрагент;Дата;Сумма;Номенклатура\n\
               ООО \"Ромашка\";05.03.2024;1 234,50;Корм\n\
               ИП Петров;05.03.2024 0:00:00;\"10 000,00\";Миска\n\
               ИП Петров;35.03.2024;100,00;Миска\n\
               ИП Петров;01.01.0001 0:00:00;100,00;Миска\n\
               ООО \"Ромашка\";06.03.2024;0,50;Корм\n";
    let source = OrderSource {
        client: "Контрагент".into(),
        date: "Дата".into(),
        amount: "Сумма".into(),
        product: "Номенклатура".into(),
        ..OrderSource::default()
    };
    let orders = Orders::read_csv(csv.as_bytes(), &source, None).unwrap();
    assert_eq!(orders.len(), 3);
    assert_eq!(orders.amounts(), &[123450, 1000000, 50]);
    assert_eq!(orders.problems().len(), 2, "{:?}", orders.problems());
    assert_eq!(orders.problems()[1].line, "5");
    assert!(
        orders.problems()[1].reason.contains("empty date"),
        "{:?}",
        orders.problems()
    );
    let problem = &orders.problems()[0];
    assert_eq!(
        (problem.line.as_str(), problem.field.as_str()),
        ("4", "Дата")
    );
    assert!(problem.reason.contains("35.03.2024"), "{}", problem.reason);

    let params = RfmParams {
        as_of: "2024-03-10".parse().ok(),
        ..RfmParams::default()
    };
    let table = rfm_of(&orders, &params).unwrap();
    assert_eq!(texts(&table, "client"), ["ООО \"Ромашка\"", "ИП Петров"]);
    assert_eq!(texts(&table, "monetary"), ["1235.00", "10000.00"]);
    assert_eq!(ints(&table, "frequency"), [2, 1]);
    assert_eq!(table.problems(), orders.problems());
    let json: serde_json::Value = serde_json::from_str(&table.to_json().unwrap()).unwrap();
    assert_eq!(json["problems"][0]["line"], "4");
}

#[test]
fn a_typo_in_any_params_key_is_named() {
    let table = ten_clients_dominant();
    for (name, params, typo) in [
        ("rfm", json!({"as_off": "2024-01-01"}), "as_off"),
        ("rfm", json!({"orders": {"clinet": "x"}}), "clinet"),
        (
            "rfm",
            json!({"scores": {"bins": {"recency": [1, 2, 3, 4], "frequency": [1, 2, 3, 4], "monetary": [1, 2, 3, 4], "money": 1}}}),
            "money",
        ),
        (
            "rfm",
            json!({"segments": [{"segment": "All", "r": [1, 5], "f": [1, 5], "m": [1, 5]}]}),
            "m",
        ),
        ("abc", json!({"treshold": [80, 15, 5]}), "treshold"),
        ("xyz", json!({"min_period": 3}), "min_period"),
        ("abc_xyz", json!({"orders": {"amout": "x"}}), "amout"),
    ] {
        let err = call_table(name, &table, params).unwrap_err();
        assert!(
            err.to_string().contains(&format!("unknown field `{typo}`")),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_user_segment_map_is_checked() {
    let table = ten_clients_dominant();
    let err = call_table(
        "rfm",
        &table,
        json!({"segments": [
            {"segment": "Best", "r": [4, 5], "f": [1, 5]},
            {"segment": "Lost", "r": [1, 3], "f": [1, 1]},
            {"segment": "Gone", "r": [1, 1], "f": [1, 1]}
        ]}),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("\"Gone\" can never be reached"),
        "{err}"
    );
    let err = call_table(
        "rfm",
        &table,
        json!({"segments": [
            {"segment": "Best", "r": [4, 5], "f": [1, 5]},
            {"segment": "Lost", "r": [1, 3], "f": [1, 1]}
        ]}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cells R1F2"), "{err}");
    let Output::Table(out) = call_table(
        "rfm",
        &table,
        json!({"segments": [
            {"segment": "Best", "r": [4, 5], "f": [1, 5]},
            {"segment": "Lost", "r": [1, 1], "f": [1, 1]},
            {"segment": "Rest", "r": [1, 3], "f": [1, 5]}
        ]}),
    )
    .unwrap() else {
        panic!()
    };
    assert!(texts(&out, "segment").contains(&"Lost".to_string()));
}

#[test]
fn a_base_gives_its_won_deals() {
    let mut base = ClientBase::new(Schema::new());
    let a = base
        .add_client(Client::person("Смирнова", "Ольга", None))
        .unwrap();
    let b = base
        .add_client(Client::person("Петров", "Пётр", None))
        .unwrap();
    for (client, amount, day, status) in [
        (a, "1000", "2024-03-01T10:00:00Z", DealStatus::Won),
        (a, "500", "2024-03-05T10:00:00Z", DealStatus::Won),
        (b, "700", "2024-02-01T10:00:00Z", DealStatus::Won),
        (b, "9999", "2024-03-06T10:00:00Z", DealStatus::Lost),
    ] {
        let mut deal = Deal::new(client, Money::parse(amount, Currency::RUB).unwrap());
        deal.status = status;
        deal.closed_at = Some(day.parse().unwrap());
        base.add_deal(deal).unwrap();
    }
    let mut open = Deal::new(b, Money::parse("1", Currency::RUB).unwrap());
    open.status = DealStatus::Won;
    base.add_deal(open).unwrap();
    let Output::Table(out) = call_read(&base, "rfm", json!({"as_of": "2024-03-10"})).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        texts(&out, "client"),
        [a.get().to_string(), b.get().to_string()]
    );
    assert_eq!(ints(&out, "recency_days"), [5, 38]);
    assert_eq!(texts(&out, "monetary"), ["1500.00", "700.00"]);
    assert_eq!(out.problems().len(), 1);
    assert_eq!(out.problems()[0].reason, "won without a close date");
}

#[cfg(all(feature = "generator", feature = "csv"))]
#[test]
fn generated_lines_round_trip_through_a_1c_export() {
    use clientbase::generator::{generate_orders, write_orders_csv_1c, OrderConfig};
    use clientbase::value::{OrderSource, Orders};
    let table = generate_orders(&OrderConfig::new(300, 5_000, 11)).unwrap();
    let mut csv = Vec::new();
    write_orders_csv_1c(&table, &mut csv).unwrap();
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(text.starts_with("Контрагент;Дата;Сумма;Номенклатура;Категория;Количество\n"));
    let from_csv = Orders::read_csv(&csv[..], &OrderSource::one_c(), None).unwrap();
    let from_table = Orders::from_table(&table, &OrderSource::default()).unwrap();
    assert!(
        from_csv.problems().is_empty(),
        "{:?}",
        &from_csv.problems()[..1]
    );
    assert_eq!(from_csv.days(), from_table.days());
    assert_eq!(from_csv.amounts(), from_table.amounts());
    assert_eq!(from_csv.quantities(), from_table.quantities());
    assert_eq!(from_csv.client_codes(), from_table.client_codes());
    let csv_rfm = rfm(Rows::Table(&table), &RfmParams::default()).unwrap();
    let table_rfm = clientbase::value::rfm_of(&from_csv, &RfmParams::default()).unwrap();
    // The same measures; scores may differ on ties, which ids break by
    // number and the texts of a CSV by their bytes ("10" before "9").
    for column in ["recency_days", "frequency"] {
        assert_eq!(ints(&csv_rfm, column), ints(&table_rfm, column));
    }
    assert_eq!(texts(&csv_rfm, "monetary"), texts(&table_rfm, "monetary"));
}
