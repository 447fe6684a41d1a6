//! The HTML report: its tables hold what the capabilities give, its charts
//! draw what its tables hold, user strings are escaped, an empty base
//! renders, and no name breaks the page.

use clientbase::report::{report_html, row_key, ReportParams, ReportSection};
use clientbase::{Client, ClientBase, Currency, Deal, DealStatus, Money, ProductLine, Schema};
use proptest::prelude::*;
use std::collections::BTreeMap;

type Cells = BTreeMap<String, BTreeMap<String, String>>;

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let tag = format!(" {tag}");
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// Every table of the page: id → row key → column → raw `data-value`.
fn tables(html: &str) -> BTreeMap<String, Cells> {
    let mut out = BTreeMap::new();
    for chunk in html.split("<table ").skip(1) {
        let head = &chunk[..chunk.find('>').unwrap()];
        let id = attr(head, "data-table").unwrap();
        let body = &chunk[..chunk.find("</table>").unwrap()];
        let mut rows = Cells::new();
        for row in body.split("<tr ").skip(1) {
            let row_head = &row[..row.find('>').unwrap()];
            let Some(key) = attr(row_head, "data-key") else {
                continue;
            };
            let mut cells = BTreeMap::new();
            for cell in row.split("<td ").skip(1) {
                let tag = &cell[..cell.find('>').unwrap()];
                if let (Some(col), Some(value)) = (attr(tag, "data-col"), attr(tag, "data-value")) {
                    cells.insert(col, value);
                }
            }
            assert!(
                rows.insert(key.clone(), cells).is_none(),
                "row {key} twice in {id}"
            );
        }
        out.insert(id, rows);
    }
    out
}

/// Every chart mark: (chart, key, series, value).
fn marks(html: &str) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for chunk in html.split("<svg ").skip(1) {
        let head = &chunk[..chunk.find('>').unwrap()];
        let chart = attr(head, "data-chart").unwrap();
        let body = &chunk[..chunk.find("</svg>").unwrap()];
        for tag in body.split('<').skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            if let Some(value) = attr(tag, "data-value") {
                out.push((
                    chart.clone(),
                    attr(tag, "data-key").unwrap(),
                    attr(tag, "data-series").unwrap(),
                    value,
                ));
            }
        }
    }
    out
}

fn close(a: &str, b: &str) -> bool {
    let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The cell of a table, or a panic naming it.
fn cell<'a>(tables: &'a BTreeMap<String, Cells>, table: &str, key: &str, col: &str) -> &'a str {
    tables[table]
        .get(key)
        .unwrap_or_else(|| panic!("{table}: no row {key}"))
        .get(col)
        .unwrap_or_else(|| panic!("{table} {key}: no {col}"))
}

fn every_mark_matches_its_cell(html: &str) -> usize {
    let tables = tables(html);
    let marks = marks(html);
    for (chart, key, series, value) in &marks {
        let got = cell(&tables, chart, key, series);
        assert!(
            close(value, got),
            "{chart} {key} {series}: {value} vs {got}"
        );
    }
    marks.len()
}

#[test]
fn hostile_names_are_escaped() {
    let mut base = ClientBase::new(Schema::new());
    let evil = "<script>alert('x')</script> & \"Ко\"";
    let id = base
        .add_client(Client::company(evil, None).with_phone("+79161234567"))
        .unwrap();
    let mut deal = Deal::new(id, Money::parse("1 234 567,89", Currency::RUB).unwrap());
    deal.status = DealStatus::Won;
    deal.owner = Some(evil.into());
    deal.stage = format!("{evil} этап").into();
    deal.pipeline = format!("{evil} воронка").into();
    deal.created_at = Some("2025-01-10T10:00:00Z".parse().unwrap());
    deal.closed_at = Some("2025-02-10T10:00:00Z".parse().unwrap());
    let deal = deal.with_line(ProductLine::new(
        evil,
        clientbase::Quantity::parse("1").unwrap(),
        Money::parse("1 234 567,89", Currency::RUB).unwrap(),
    ));
    base.add_deal(deal).unwrap();
    let report = report_html(
        &base,
        &ReportParams {
            title: evil.into(),
            ..ReportParams::default()
        },
    )
    .unwrap();
    let html = &report.html;
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(!html.contains("alert('x')"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Ко&quot;"));
    assert!(html.contains("1\u{a0}234\u{a0}567,89\u{a0}₽"));
    let t = tables(html);
    let key = row_key(Some(evil), "RUB");
    assert_eq!(cell(&t, "managers", &key, "revenue"), "1234567.89");
    assert_eq!(
        cell(
            &t,
            "funnel",
            &format!("{evil} воронка / {evil} этап"),
            "won"
        ),
        "1"
    );
    every_mark_matches_its_cell(html);
}

#[test]
fn an_empty_base_renders_every_section() {
    let base = ClientBase::new(Schema::new());
    let report = report_html(&base, &ReportParams::default()).unwrap();
    assert_eq!(report.as_of, None);
    assert_eq!(report.from, None);
    for s in ReportSection::ALL {
        assert!(report
            .html
            .contains(&format!("<section id=\"{}\"", s.name())));
    }
    assert!(report.html.contains("Нет данных"));
    assert_eq!(marks(&report.html).len(), 0);
    assert!(report.html.ends_with("</html>\n"));
}

/// On a generated base.
#[cfg(feature = "generator")]
mod generated {
    use super::*;
    use clientbase::analytics::{funnel, manager_effectiveness, monthly_dynamics, FunnelParams};
    use clientbase::capability::{call_read, Rows};
    use clientbase::quality::{quality_report, QualityParams};
    use clientbase::report::Report;
    use clientbase::table::{format_decimal, Value};
    use clientbase::value::{abc, rfm, AbcParams, OrderSource, RfmParams};
    use clientbase::Table;
    use serde_json::json;

    fn raw(value: Value<'_>) -> Option<String> {
        match value {
            Value::Int64(v) => Some(v.to_string()),
            Value::UInt64(v) => Some(v.to_string()),
            Value::Float64(v) => Some(v.to_string()),
            Value::Decimal { value, scale } => Some(format_decimal(value, scale)),
            _ => None,
        }
    }

    fn text(t: &Table, col: &str, i: usize) -> Option<String> {
        match t.column(col).unwrap().value(i) {
            Value::Text(s) => Some(s.to_string()),
            _ => None,
        }
    }

    fn generated() -> ClientBase {
        let config = clientbase::generator::GeneratorConfig::new(800, 11);
        clientbase::generator::generate(&config).unwrap().base
    }

    #[test]
    fn the_tables_hold_what_the_capabilities_give() {
        let base = generated();
        let report: Report = report_html(&base, &ReportParams::default()).unwrap();
        let html = &report.html;
        let t = tables(html);
        assert_eq!(report.sections, ReportSection::ALL);
        let (from, to) = (report.from.unwrap(), report.to.unwrap());
        assert_eq!(Some(to), report.as_of);
        assert_eq!(from.format("%d").to_string(), "01");
        assert!((to - from).num_days() > 300 && (to - from).num_days() < 366);

        let q = quality_report(&base, &QualityParams::default()).unwrap();
        assert_eq!(
            cell(&t, "quality-summary", "clients", "value"),
            q.clients.to_string()
        );
        assert_eq!(
            cell(&t, "quality-summary", "phones_invalid", "value"),
            q.contacts.phones_invalid.to_string()
        );
        for f in &q.completeness {
            assert_eq!(
                cell(&t, "quality-fields", &f.field, "filled"),
                f.filled.to_string()
            );
            assert!(close(
                cell(&t, "quality-fields", &f.field, "share"),
                &f.share.to_string()
            ));
        }
        for c in &q.consents {
            assert_eq!(
                cell(&t, "quality-consents", &c.channel, "withdrawn"),
                c.withdrawn.to_string()
            );
        }

        let f = funnel(
            &base,
            &FunnelParams {
                from: report.from,
                to: report.to,
                as_of: report.as_of,
                ..FunnelParams::default()
            },
        )
        .unwrap();
        assert!(f.rows() > 3);
        assert_eq!(t["funnel"].len(), f.rows());
        for i in 0..f.rows() {
            let key = format!(
                "{} / {}",
                text(&f, "pipeline", i).unwrap(),
                text(&f, "stage", i).unwrap()
            );
            for col in ["deals", "open", "won", "lost"] {
                let expected = raw(f.column(col).unwrap().value(i)).unwrap();
                assert_eq!(cell(&t, "funnel", &key, col), expected, "{key} {col}");
            }
        }

        let params = report.analytics_params();
        let m = manager_effectiveness(&base, &params).unwrap();
        assert!(m.rows() > 1);
        assert_eq!(t["managers"].len(), m.rows());
        for i in 0..m.rows() {
            let key = row_key(
                text(&m, "manager", i).as_deref(),
                &text(&m, "currency", i).unwrap(),
            );
            for col in ["deals", "won", "revenue", "activities"] {
                let expected = raw(m.column(col).unwrap().value(i)).unwrap();
                assert_eq!(cell(&t, "managers", &key, col), expected, "{key} {col}");
            }
        }

        let d = monthly_dynamics(Rows::Base(&base), &params).unwrap();
        assert_eq!(t["monthly"].len(), d.rows());
        assert!(d.rows() >= 12);
        for i in 0..d.rows() {
            let key = row_key(
                text(&d, "month", i).as_deref(),
                &text(&d, "currency", i).unwrap(),
            );
            for col in ["revenue", "prev_year_revenue", "deals"] {
                match raw(d.column(col).unwrap().value(i)) {
                    Some(expected) => assert_eq!(cell(&t, "monthly", &key, col), expected),
                    None => assert!(!t["monthly"][&key].contains_key(col)),
                }
            }
        }

        let orders = OrderSource {
            from: report.from,
            to: report.to,
            ..OrderSource::default()
        };
        let a = abc(
            Rows::Base(&base),
            &AbcParams {
                orders: orders.clone(),
                ..AbcParams::default()
            },
        )
        .unwrap();
        let n = a.rows();
        assert!(n > 50);
        let mut by_rank: Vec<usize> = (0..n).collect();
        by_rank.sort_by_key(|&i| match a.column("rank").unwrap().value(i) {
            Value::Int64(r) => r,
            other => panic!("{other:?}"),
        });
        for step in [1usize, 4, 10, 20] {
            let k = (n * step).div_ceil(20);
            let expected =
                raw(a.column("cumulative_share").unwrap().value(by_rank[k - 1])).unwrap();
            let key = (step * 5).to_string();
            assert!(close(
                cell(&t, "abc-pareto", &key, "cumulative_share"),
                &expected
            ));
            assert_eq!(cell(&t, "abc-pareto", &key, "clients"), k.to_string());
        }
        let a_count = (0..n)
            .filter(|&i| text(&a, "class", i).as_deref() == Some("A"))
            .count();
        assert_eq!(cell(&t, "abc-classes", "A", "objects"), a_count.to_string());

        let r = rfm(
            Rows::Base(&base),
            &RfmParams {
                orders,
                as_of: report.as_of,
                ..RfmParams::default()
            },
        )
        .unwrap();
        let mut grid = [[0u64; 6]; 6];
        let score = |col: &str, i: usize| match r.column(col).unwrap().value(i) {
            Value::Int64(v) => v as usize,
            other => panic!("{other:?}"),
        };
        for i in 0..r.rows() {
            grid[score("r", i)][score("f", i)] += 1;
        }
        let mut total = 0;
        for (rs, row) in grid.iter().enumerate().skip(1) {
            for (fs, count) in row.iter().enumerate().skip(1) {
                let got = cell(&t, "rfm-grid", &format!("r{rs}"), &format!("f{fs}"));
                assert_eq!(got, count.to_string(), "r{rs} f{fs}");
                total += count;
            }
        }
        assert_eq!(total as usize, r.rows());

        // And every chart draws its table's numbers.
        let marks = every_mark_matches_its_cell(html);
        assert!(marks > 100, "{marks} marks");
        for chart in [
            "quality-fields",
            "quality-consents",
            "funnel",
            "abc-pareto",
            "rfm-grid",
            "monthly",
            "managers",
        ] {
            assert!(html.contains(&format!("data-chart=\"{chart}\"")), "{chart}");
        }
        // One page, nothing loaded from anywhere.
        assert!(html.contains("Content-Security-Policy"));
        assert!(!html.contains("src=\"http"));
        assert!(!html.contains("href=\"http"));
        assert_eq!(html.matches("<script").count(), 1);
        // Russian numbers: thousands apart by a no-break space.
        let deals = base.counts().deals;
        assert!(deals > 1000);
        let grouped = format!("{}\u{a0}{:03}", deals / 1000, deals % 1000);
        assert!(html.contains(&format!("сделок {grouped}")), "{grouped}");
    }

    #[test]
    fn params_through_the_registry() {
        let base = generated();
        let out = call_read(
            &base,
            "report_html",
            json!({"sections": ["managers", "funnel"], "as_of": "2024-06-30", "title": "Отчёт"}),
        )
        .unwrap()
        .into_json()
        .unwrap();
        assert_eq!(out["sections"], json!(["managers", "funnel"]));
        assert_eq!(out["to"], json!("2024-06-30"));
        assert_eq!(out["from"], json!("2023-07-01"));
        let html = out["html"].as_str().unwrap();
        assert!(html.find("id=\"managers\"").unwrap() < html.find("id=\"funnel\"").unwrap());
        assert!(!html.contains("id=\"rfm\""));
        let err = call_read(
            &base,
            "report_html",
            json!({"sections": ["funnel", "funnel"]}),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("sections"));
        let err = call_read(&base, "report_html", json!({"sections": ["pie"]})).unwrap_err();
        assert_eq!(err.kind(), clientbase::ErrorKind::Json);
        let err = call_read(&base, "report_html", json!({"titel": "x"})).unwrap_err();
        assert_eq!(err.kind(), clientbase::ErrorKind::Json);
        let err = call_read(
            &base,
            "report_html",
            json!({"from": "2025-01-01", "to": "2024-01-01"}),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("from"));
    }
}

/// The count of `<` in a page: its markup, since every user `<` is escaped.
fn tags(html: &str) -> usize {
    html.matches('<').count()
}

fn one_deal_base(name: &str, manager: &str, stage: &str, product: &str) -> Option<ClientBase> {
    let mut base = ClientBase::new(Schema::new());
    let id = base.add_client(Client::company(name, None)).ok()?;
    let price = Money::parse("990", Currency::RUB).unwrap();
    let mut deal = Deal::new(id, price).with_line(ProductLine::new(
        product,
        clientbase::Quantity::parse("2").unwrap(),
        price,
    ));
    deal.amount = Money::parse("1980", Currency::RUB).unwrap();
    deal.status = DealStatus::Won;
    deal.owner = Some(manager.into());
    deal.stage = stage.into();
    deal.created_at = Some("2025-01-10T10:00:00Z".parse().unwrap());
    deal.closed_at = Some("2025-02-10T10:00:00Z".parse().unwrap());
    base.add_deal(deal).ok()?;
    Some(base)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any client, manager, stage and product name (and title) leaves the
    /// page's markup as it is with plain names: nothing injected.
    #[test]
    fn no_name_breaks_the_page(
        name in "\\PC{1,24}|[<>&\"' a-z/]{1,24}",
        manager in "\\PC{1,24}|[<>&\"' a-z/]{1,24}",
        stage in "\\PC{1,16}|[<>&\"' a-z/]{1,16}",
        product in "\\PC{1,16}|[<>&\"' a-z/]{1,16}",
        title in "\\PC{0,24}|<script>[a-z]{0,5}",
    ) {
        let plain = one_deal_base("Ромашка", "Оля", "Счёт", "Чай").unwrap();
        let base = one_deal_base(&name, &manager, &stage, &product);
        prop_assume!(base.is_some());
        let base = base.unwrap();
        let params = ReportParams { title: title.clone(), ..ReportParams::default() };
        let page = report_html(&base, &params).unwrap().html;
        let expected = report_html(&plain, &ReportParams { title: "Отчёт".into(), ..ReportParams::default() }).unwrap().html;
        prop_assert_eq!(tags(&page), tags(&expected));
        prop_assert_eq!(page.to_lowercase().matches("<script").count(), 1);
        every_mark_matches_its_cell(&page);
    }
}
