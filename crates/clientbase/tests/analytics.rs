//! Sales analytics on a small hand-written base whose answers are worked out
//! by hand, through the typed functions and the generic capability calls.

use chrono::{DateTime, NaiveDate, Utc};
use clientbase::analytics::{
    funnel, manager_effectiveness, monthly_dynamics, sales_analytics, source_conversion,
    AnalyticsParams, By, FunnelParams, SourceParams,
};
use clientbase::capability::{call_read, call_table, Rows};
use clientbase::table::{format_decimal, Value};
use clientbase::{
    Activity, ActivityKind, Client, ClientBase, Column, Currency, Deal, DealId, DealStatus,
    ErrorKind, Money, ProductLine, Quantity, Schema, Table,
};
use serde_json::json;

fn at(day: &str) -> DateTime<Utc> {
    format!("{day}T10:00:00Z").parse().unwrap()
}

fn date(day: &str) -> NaiveDate {
    day.parse().unwrap()
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

fn cells(table: &Table, name: &str) -> Vec<String> {
    let column = table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    column
        .values()
        .map(|v| match v {
            Value::Text(t) => t.to_string(),
            Value::Null => "-".to_string(),
            Value::Int64(i) => i.to_string(),
            Value::Float64(f) => format!("{f:.4}"),
            Value::Decimal { value, scale } => format_decimal(value, scale),
            other => format!("{other:?}"),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn deal(
    client: clientbase::ClientId,
    owner: Option<&str>,
    source: Option<&str>,
    status: DealStatus,
    stage: &str,
    created: &str,
    closed: Option<&str>,
    amount: &str,
) -> Deal {
    let mut d = Deal::new(client, rub(amount));
    d.owner = owner.map(Into::into);
    d.source = source.map(Into::into);
    d.status = status;
    d.stage = stage.into();
    d.created_at = Some(at(created));
    d.closed_at = closed.map(at);
    d
}

/// Three clients, seven deals (one a duplicate, one won without a close
/// date), three activities.
fn shop() -> ClientBase {
    let mut base = ClientBase::new(Schema::new());
    let mut client = |name: &str,
                      city: Option<&str>,
                      region: Option<&str>,
                      source: Option<&str>,
                      created: &str| {
        let mut c = Client::person(name, "Анна", None);
        c.city = city.map(str::to_string);
        c.region = region.map(str::to_string);
        c.source = source.map(str::to_string);
        c.created_at = Some(at(created));
        base.add_client(c).unwrap()
    };
    let a = client(
        "Антонова",
        Some("Москва"),
        Some("Москва"),
        Some("сайт"),
        "2024-01-01",
    );
    let b = client(
        "Белова",
        Some("Казань"),
        Some("Татарстан"),
        Some("сайт"),
        "2023-01-01",
    );
    let c = client("Волкова", None, None, None, "2024-01-01");
    let won = DealStatus::Won;
    let first = deal(
        a,
        Some("Иванов"),
        Some("сайт"),
        won,
        "closed",
        "2024-01-10",
        Some("2024-01-20"),
        "2500",
    )
    .with_line(ProductLine::new("Корм", Quantity::units(2), rub("1000")).with_category("Корма"))
    .with_line(ProductLine::new("Миска", Quantity::ONE, rub("500")).with_category("Аксессуары"));
    let deals = [
        first,
        deal(
            a,
            Some("Иванов"),
            Some("звонок"),
            DealStatus::Lost,
            "proposal",
            "2024-02-01",
            Some("2024-02-15"),
            "3000",
        ),
        deal(
            b,
            Some("Петров"),
            Some("сайт"),
            won,
            "closed",
            "2024-02-01",
            Some("2024-03-02"),
            "1000",
        ),
        deal(
            c,
            None,
            None,
            DealStatus::Open,
            "qualified",
            "2024-03-05",
            None,
            "700",
        ),
        deal(
            b,
            Some("Петров"),
            None,
            won,
            "closed",
            "2023-03-01",
            Some("2023-03-10"),
            "400",
        ),
        deal(
            b,
            Some("Петров"),
            None,
            DealStatus::DuplicateOf(DealId(3)),
            "closed",
            "2024-02-02",
            None,
            "1000",
        ),
        deal(
            a,
            Some("Иванов"),
            None,
            won,
            "closed",
            "2024-03-01",
            None,
            "9999",
        ),
    ];
    for d in deals {
        base.add_deal(d).unwrap();
    }
    let mut call = Activity::new(a, ActivityKind::Call, at("2024-01-12"));
    call.manager = Some("Иванов".into());
    base.add_activity(call).unwrap();
    let mut linked = Activity::new(a, ActivityKind::Meeting, at("2024-01-15"));
    linked.deal = Some(DealId(1));
    base.add_activity(linked).unwrap();
    let mut old = Activity::new(b, ActivityKind::Call, at("2023-03-02"));
    old.manager = Some("Петров".into());
    base.add_activity(old).unwrap();
    base
}

fn year_2024(by: By) -> AnalyticsParams {
    AnalyticsParams {
        by,
        from: Some(date("2024-01-01")),
        to: Some(date("2024-12-31")),
        ..AnalyticsParams::default()
    }
}

#[test]
fn by_manager() {
    let base = shop();
    let t = sales_analytics(Rows::Base(&base), &year_2024(By::Manager)).unwrap();
    assert_eq!(cells(&t, "manager"), ["Иванов", "Петров", "-"]);
    assert_eq!(cells(&t, "currency"), ["RUB", "RUB", "RUB"]);
    assert_eq!(cells(&t, "revenue"), ["2500.00", "1000.00", "0.00"]);
    assert_eq!(cells(&t, "deals"), ["2", "1", "1"]);
    assert_eq!(cells(&t, "won"), ["1", "1", "0"]);
    assert_eq!(cells(&t, "lost"), ["1", "0", "0"]);
    assert_eq!(cells(&t, "open"), ["0", "0", "1"]);
    assert_eq!(cells(&t, "won_rate"), ["0.5000", "1.0000", "-"]);
    assert_eq!(cells(&t, "average_deal"), ["2500.00", "1000.00", "-"]);
    assert_eq!(cells(&t, "cycle_mean_days"), ["10.0000", "30.0000", "-"]);
    assert_eq!(cells(&t, "cycle_median_days"), ["10.0000", "30.0000", "-"]);
    assert_eq!(cells(&t, "lines"), ["3", "1", "1"]);
    // The won deal without a close date is reported, not counted.
    assert_eq!(t.problems().len(), 1);
    assert_eq!(t.problems()[0].line, "deal 7");
    assert_eq!(t.problems()[0].field, "closed_at");
}

#[test]
fn by_category_month_city_and_whole() {
    let base = shop();
    let t = sales_analytics(Rows::Base(&base), &year_2024(By::Category)).unwrap();
    assert_eq!(cells(&t, "category"), ["Аксессуары", "Корма", "-"]);
    assert_eq!(cells(&t, "revenue"), ["500.00", "2000.00", "1000.00"]);
    assert_eq!(cells(&t, "deals"), ["1", "1", "3"]);

    let t = sales_analytics(Rows::Base(&base), &year_2024(By::Month)).unwrap();
    assert_eq!(cells(&t, "month"), ["2024-01", "2024-02", "2024-03"]);
    assert_eq!(cells(&t, "revenue"), ["2500.00", "0.00", "1000.00"]);
    assert_eq!(cells(&t, "deals"), ["1", "1", "2"]);

    let t = sales_analytics(Rows::Base(&base), &year_2024(By::City)).unwrap();
    assert_eq!(cells(&t, "city"), ["Казань", "Москва", "-"]);
    assert_eq!(cells(&t, "revenue"), ["1000.00", "2500.00", "0.00"]);

    // Without a period the 2023 sale counts too.
    let t = sales_analytics(Rows::Base(&base), &AnalyticsParams::default()).unwrap();
    assert!(t.column("none").is_none());
    assert_eq!(cells(&t, "revenue"), ["3900.00"]);
    assert_eq!(cells(&t, "deals"), ["5"]);
    assert_eq!(cells(&t, "won"), ["3"]);
    assert_eq!(cells(&t, "won_rate"), ["0.7500"]);
    assert_eq!(cells(&t, "average_deal"), ["1300.00"]);
    assert_eq!(cells(&t, "cycle_median_days"), ["10.0000"]);
}

#[test]
fn monthly_dynamics_compare_with_the_year_before() {
    let base = shop();
    let t = monthly_dynamics(Rows::Base(&base), &year_2024(By::None)).unwrap();
    assert_eq!(cells(&t, "month"), ["2024-01", "2024-02", "2024-03"]);
    assert_eq!(cells(&t, "prev_year_revenue"), ["-", "-", "400.00"]);
    assert_eq!(cells(&t, "prev_year_won"), ["-", "-", "1"]);
    assert_eq!(cells(&t, "revenue_yoy"), ["-", "-", "1.5000"]);
    let err = monthly_dynamics(Rows::Base(&base), &year_2024(By::City)).unwrap_err();
    assert_eq!(err.field(), Some("by"));
}

#[test]
fn managers_with_activities() {
    let base = shop();
    let t = manager_effectiveness(&base, &year_2024(By::None)).unwrap();
    assert_eq!(cells(&t, "manager"), ["Иванов", "Петров", "-"]);
    // One call named Иванов, one meeting on his deal; Петров's call is in 2023.
    assert_eq!(cells(&t, "activities"), ["2", "0", "0"]);
    assert_eq!(
        cells(&t, "activities_per_deal"),
        ["1.0000", "0.0000", "0.0000"]
    );
}

#[test]
fn funnel_with_a_stage_order() {
    let base = shop();
    let params = FunnelParams {
        as_of: Some(date("2024-03-15")),
        stages: [(
            "default".to_string(),
            vec![
                "new".into(),
                "qualified".into(),
                "proposal".into(),
                "closed".into(),
            ],
        )]
        .into(),
        ..FunnelParams::default()
    };
    let t = funnel(&base, &params).unwrap();
    assert_eq!(
        cells(&t, "stage"),
        ["new", "qualified", "proposal", "closed"]
    );
    assert_eq!(cells(&t, "deals"), ["0", "1", "1", "4"]);
    assert_eq!(cells(&t, "reached"), ["6", "6", "5", "4"]);
    assert_eq!(
        cells(&t, "conversion_to_next"),
        ["1.0000", "0.8333", "0.8000", "-"]
    );
    assert_eq!(cells(&t, "open_age_mean_days"), ["-", "10.0000", "-", "-"]);
    // Without an order: stages by name, no conversion.
    let t = funnel(&base, &FunnelParams::default()).unwrap();
    assert_eq!(cells(&t, "stage"), ["closed", "proposal", "qualified"]);
    assert_eq!(cells(&t, "conversion_to_next"), ["-", "-", "-"]);
    // The default as_of is the latest day among the deals (2024-03-05).
    assert_eq!(cells(&t, "open_age_median_days"), ["-", "-", "0.0000"]);
    let twice = FunnelParams {
        stages: [("default".to_string(), vec!["a".into(), "a".into()])].into(),
        ..FunnelParams::default()
    };
    assert_eq!(
        funnel(&base, &twice).unwrap_err().field(),
        Some("stages.default")
    );
}

#[test]
fn lead_sources() {
    let base = shop();
    let t = source_conversion(&base, &SourceParams::default()).unwrap();
    assert_eq!(cells(&t, "source"), ["сайт", "-"]);
    assert_eq!(cells(&t, "clients"), ["2", "1"]);
    assert_eq!(cells(&t, "buyers"), ["2", "0"]);
    assert_eq!(cells(&t, "conversion"), ["1.0000", "0.0000"]);
    assert_eq!(cells(&t, "won_deals"), ["3", "0"]);
    // 2024-01-01 -> 2024-01-20 and 2023-01-01 -> 2023-03-10.
    assert_eq!(cells(&t, "days_to_first_sale_mean"), ["43.5000", "-"]);
}

#[test]
fn through_the_registry_and_on_a_table() {
    let base = shop();
    let out = call_read(
        &base,
        "sales_analytics",
        json!({"by": "manager", "from": "2024-01-01"}),
    )
    .unwrap()
    .into_json()
    .unwrap();
    assert!(out.to_string().contains("Иванов"), "{out}");
    let err = call_read(&base, "sales_analytics", json!({"by": "week"})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    let err = call_read(
        &base,
        "sales_analytics",
        json!({"from": "2024-02-01", "to": "2024-01-01"}),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("from"));

    // Two won deals whose sum leaves the exact range: the error names the second.
    let lines = Table::new(vec![
        Column::from_int64s("deal", [Some(1), Some(2), Some(3)]),
        Column::from_texts("status", [Some("won"), Some("выиграна"), Some("maybe")]),
        Column::from_decimals(
            "amount",
            0,
            [
                Some(5_000_000_000_000_000_000),
                Some(5_000_000_000_000_000_000),
                Some(1),
            ],
        ),
        Column::from_dates("closed", [Some(date("2024-01-01")); 3]),
    ])
    .unwrap();
    let err = call_table(
        "sales_analytics",
        &lines,
        json!({"lines": {"currency": "JPY"}}),
    )
    .unwrap_err();
    assert_eq!(err.record(), Some("deal 2"));
    assert_eq!(err.field(), Some("amount"));
    let one = Table::new(vec![
        Column::from_int64s("deal", [Some(1), Some(3), None, Some(1)]),
        Column::from_texts(
            "status",
            [Some("won"), Some("maybe"), Some("won"), Some("won")],
        ),
        Column::from_texts(
            "amount",
            [Some("1 234,50"), Some("1"), Some("5"), Some("x")],
        ),
        Column::from_texts("closed", [Some("05.03.2024"); 4]),
    ])
    .unwrap();
    let t = sales_analytics(Rows::Table(&one), &AnalyticsParams::default()).unwrap();
    assert_eq!(cells(&t, "revenue"), ["1234.50"]);
    assert_eq!(cells(&t, "lines"), ["1"]);
    let problems: Vec<(&str, &str)> = t
        .problems()
        .iter()
        .map(|p| (p.line.as_str(), p.field.as_str()))
        .collect();
    assert_eq!(problems, [("2", "status"), ("3", "deal"), ("4", "amount")]);
}

/// A table of lines by integer client ids: keys in text order (as every
/// slicing orders them), a client left empty last; a deal's dates come from
/// its first line, so a bad date on a later line is not read, while one on
/// a first line is an error naming the line and the column.
#[test]
fn a_table_by_integer_clients_and_dates_of_first_lines() {
    let lines = |closed: [Option<&str>; 6]| {
        Table::new(vec![
            Column::from_int64s("deal", [1, 1, 2, 3, 4, 5].map(Some)),
            Column::from_texts("status", [Some("won"); 6]),
            Column::from_int64s("amount", [1, 2, 4, 8, 16, 32].map(Some)),
            Column::from_int64s(
                "client",
                [Some(10), Some(10), Some(9), None, Some(100), Some(9)],
            ),
            Column::from_texts("created", [Some("01.03.2024"); 6]),
            Column::from_texts("closed", closed),
        ])
        .unwrap()
    };
    let by_client = AnalyticsParams {
        by: By::Client,
        ..AnalyticsParams::default()
    };
    let good = lines([
        Some("05.03.2024"),
        Some("не дата"),
        Some("04.03.2024"),
        Some("06.03.2024"),
        Some("03.03.2024"),
        Some("11.03.2024"),
    ]);
    let t = sales_analytics(Rows::Table(&good), &by_client).unwrap();
    assert_eq!(cells(&t, "client"), ["10", "100", "9", "-"]);
    assert_eq!(cells(&t, "revenue"), ["3.00", "16.00", "36.00", "8.00"]);
    assert_eq!(cells(&t, "deals"), ["1", "1", "2", "1"]);
    assert_eq!(cells(&t, "lines"), ["2", "1", "2", "1"]);
    assert_eq!(
        cells(&t, "cycle_mean_days"),
        ["4.0000", "2.0000", "6.5000", "5.0000"]
    );
    assert_eq!(
        cells(&t, "cycle_median_days"),
        ["4.0000", "2.0000", "6.5000", "5.0000"]
    );
    assert!(t.problems().is_empty(), "{:?}", t.problems());

    let mut bad = [Some("05.03.2024"); 6];
    bad[2] = Some("31.02.2024");
    let err = sales_analytics(Rows::Table(&lines(bad)), &by_client).unwrap_err();
    assert_eq!(err.record(), Some("line 3"));
    assert_eq!(err.field(), Some("closed"));
}

/// Enough deals for the grouping to run in parts on all cores: every
/// client's figures equal those summed here by hand, in key (text) order,
/// with several currencies and lines of a deal apart or together.
#[test]
fn many_clients_in_parts_equal_a_hand_count() {
    let deals = 300_000usize;
    let mut seed = 7u64;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let (mut deal, mut status, mut amount, mut client, mut created, mut closed) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let start = date("2023-01-01");
    for d in 0..deals {
        let state = ["won", "lost", "open"][next(3) as usize];
        let c = next(70_000) as i64;
        let day = start + chrono::Duration::days(next(700) as i64);
        let end = day + chrono::Duration::days(next(90) as i64);
        for _ in 0..1 + next(3) {
            deal.push(Some(d as i64));
            status.push(Some(state));
            amount.push(Some(i128::from(1 + next(100_000) as i64)));
            client.push(Some(c));
            created.push(Some(day));
            closed.push((state != "open").then_some(end));
        }
    }
    let table = Table::new(vec![
        Column::from_int64s("deal", deal.clone()),
        Column::from_texts("status", status.clone()),
        Column::from_decimals("amount", 2, amount.clone()),
        Column::from_int64s("client", client.clone()),
        Column::from_dates("created", created.clone()),
        Column::from_dates("closed", closed.clone()),
    ])
    .unwrap();
    // By hand: per client (as text) revenue, lines, deals, won, lost, open, cycles.
    type Figures = (i128, i64, i64, i64, i64, i64, Vec<i64>);
    let mut want: std::collections::BTreeMap<String, Figures> = Default::default();
    let mut last = None;
    for i in 0..deal.len() {
        let f = want.entry(client[i].unwrap().to_string()).or_default();
        f.1 += 1;
        if status[i] == Some("won") {
            f.0 += amount[i].unwrap();
        }
        if last != deal[i] {
            last = deal[i];
            f.2 += 1;
            match status[i].unwrap() {
                "won" => {
                    f.3 += 1;
                    f.6.push((closed[i].unwrap() - created[i].unwrap()).num_days());
                }
                "lost" => f.4 += 1,
                _ => f.5 += 1,
            }
        }
    }
    let got = sales_analytics(
        Rows::Table(&table),
        &AnalyticsParams {
            by: By::Client,
            ..AnalyticsParams::default()
        },
    )
    .unwrap();
    assert_eq!(got.rows(), want.len());
    let keys: Vec<String> = want.keys().cloned().collect();
    assert_eq!(cells(&got, "client"), keys);
    let column = |f: &dyn Fn(&Figures) -> String| -> Vec<String> { want.values().map(f).collect() };
    assert_eq!(cells(&got, "revenue"), column(&|f| format_decimal(f.0, 2)));
    assert_eq!(cells(&got, "lines"), column(&|f| f.1.to_string()));
    assert_eq!(cells(&got, "deals"), column(&|f| f.2.to_string()));
    assert_eq!(cells(&got, "won"), column(&|f| f.3.to_string()));
    assert_eq!(cells(&got, "lost"), column(&|f| f.4.to_string()));
    assert_eq!(cells(&got, "open"), column(&|f| f.5.to_string()));
    let median = |c: &[i64]| {
        let mut c = c.to_vec();
        c.sort_unstable();
        let m = c.len() / 2;
        if c.len() % 2 == 1 {
            c[m] as f64
        } else {
            (c[m - 1] + c[m]) as f64 / 2.0
        }
    };
    assert_eq!(
        cells(&got, "cycle_median_days"),
        column(&|f| if f.6.is_empty() {
            "-".to_string()
        } else {
            format!("{:.4}", median(&f.6))
        })
    );
    assert_eq!(
        cells(&got, "cycle_mean_days"),
        column(&|f| if f.6.is_empty() {
            "-".to_string()
        } else {
            format!("{:.4}", f.6.iter().sum::<i64>() as f64 / f.6.len() as f64)
        })
    );
}

/// A slice whose running revenue leaves the exact range on the way but
/// comes back (a return) is summed exactly, not refused.
#[test]
fn revenue_out_of_range_on_the_way_only() {
    let lines = Table::new(vec![
        Column::from_int64s("deal", [Some(1), Some(2), Some(3)]),
        Column::from_texts("status", [Some("won"); 3]),
        Column::from_decimals(
            "amount",
            0,
            [
                Some(5_000_000_000_000_000_000),
                Some(5_000_000_000_000_000_000),
                Some(-5_000_000_000_000_000_000),
            ],
        ),
        Column::from_texts("manager", [Some("Оля"); 3]),
        Column::from_dates("closed", [Some(date("2024-01-01")); 3]),
    ])
    .unwrap();
    for by in [By::None, By::Manager] {
        let mut params = AnalyticsParams {
            by,
            ..AnalyticsParams::default()
        };
        params.lines.currency = "JPY".parse().unwrap();
        let t = sales_analytics(Rows::Table(&lines), &params).unwrap();
        assert_eq!(cells(&t, "revenue"), ["5000000000000000000"], "{by:?}");
        assert_eq!(cells(&t, "won"), ["3"], "{by:?}");
    }
}

/// Time in stage, read from the change log of a base file: stays worked out
/// by hand from the moves made at frozen clock times.
#[cfg(feature = "storage")]
#[test]
fn funnel_time_in_stage_from_the_change_log() {
    let dir = std::env::temp_dir().join(format!("clientbase-funnel-stays-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let base = ClientBase::create(dir.join("base.cb"), Schema::new()).unwrap();
    time_in_stage_from_the_change_log(base);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same on a base in memory that keeps a change log.
#[cfg(feature = "storage")]
#[test]
fn funnel_time_in_stage_from_the_change_log_of_a_base_in_memory() {
    let mut base = ClientBase::new(Schema::new());
    base.keep_change_log(1000).unwrap();
    time_in_stage_from_the_change_log(base);
}

#[cfg(feature = "storage")]
fn time_in_stage_from_the_change_log(mut base: ClientBase) {
    base.freeze_clock(Some(at("2024-01-10")));
    let client = base
        .add_client(Client::person("Иванов", "Иван", None))
        .unwrap();
    let add = |base: &mut ClientBase, created: &str| {
        let mut d = Deal::new(client, rub("100"));
        d.stage = "new".into();
        d.created_at = Some(at(created));
        base.add_deal(d).unwrap()
    };
    let step = |base: &mut ClientBase, id: DealId, when: &str, stage: &str, status: DealStatus| {
        base.freeze_clock(Some(at(when)));
        let mut d = base.get_deal(id).unwrap().clone();
        d.stage = stage.into();
        d.status = status;
        base.update_deal(d).unwrap();
    };
    // a: new from its creation (Jan 1) to Jan 11, proposal to Jan 21, then won there.
    let a = add(&mut base, "2024-01-01");
    step(&mut base, a, "2024-01-11", "proposal", DealStatus::Open);
    step(&mut base, a, "2024-01-21", "proposal", DealStatus::Won);
    // b: new from Jan 5 to Jan 9, proposal from Jan 9, still open (no finished stay there).
    let b = add(&mut base, "2024-01-05");
    step(&mut base, b, "2024-01-09", "proposal", DealStatus::Open);
    // c: lost in new after 30 days, reopened on Mar 1 and moved on Mar 3.
    let c = add(&mut base, "2024-01-01");
    step(&mut base, c, "2024-01-31", "new", DealStatus::Lost);
    step(&mut base, c, "2024-03-01", "new", DealStatus::Open);
    step(&mut base, c, "2024-03-03", "closed", DealStatus::Open);
    // A stage change of a field other than stage is no move.
    base.freeze_clock(Some(at("2024-03-04")));
    let mut d = base.get_deal(b).unwrap().clone();
    d.owner = Some("Петрова".into());
    base.update_deal(d).unwrap();

    let params = FunnelParams {
        stages: [(
            "default".to_string(),
            vec!["new".into(), "proposal".into(), "closed".into()],
        )]
        .into(),
        ..FunnelParams::default()
    };
    let t = funnel(&base, &params).unwrap();
    assert_eq!(cells(&t, "stage"), ["new", "proposal", "closed"]);
    // new: a 10 days, b 4, c 30 then 2.
    assert_eq!(cells(&t, "time_in_stage_deals"), ["4", "1", "0"]);
    assert_eq!(
        cells(&t, "time_in_stage_mean_days"),
        ["11.5000", "10.0000", "-"]
    );
    assert_eq!(
        cells(&t, "time_in_stage_median_days"),
        ["7.0000", "10.0000", "-"]
    );
    // Only deals created in the period: b alone.
    let t = funnel(
        &base,
        &FunnelParams {
            from: Some(date("2024-01-05")),
            ..params.clone()
        },
    )
    .unwrap();
    assert_eq!(cells(&t, "time_in_stage_deals"), ["1", "0", "0"]);
    assert_eq!(cells(&t, "time_in_stage_mean_days"), ["4.0000", "-", "-"]);
    // The same base in memory keeps no moves: the columns are null.
    let memory = ClientBase::from_json(&base.to_json().unwrap()).unwrap();
    let t = funnel(&memory, &params).unwrap();
    assert_eq!(cells(&t, "time_in_stage_deals"), ["-", "-", "-"]);
    assert_eq!(cells(&t, "time_in_stage_mean_days"), ["-", "-", "-"]);
}
