//! Rows of cells import exactly as the same rows written to a CSV file: one code
//! path reads both, and only the `line` of a rejected row differs (the row's
//! index from 0 instead of the file's line).
#![cfg(feature = "csv")]

use clientbase::{
    ClientBase, ClientId, ColumnMapping, CsvOptions, Currency, DealId, FieldDef, FieldType,
    ImportReport, Schema,
};

/// A base with a frozen clock, so that two imports stamp the same times.
fn frozen(schema: Schema) -> ClientBase {
    let mut base = ClientBase::new(schema);
    base.freeze_clock(Some(chrono::DateTime::UNIX_EPOCH));
    base
}

fn schema() -> Schema {
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    schema
        .declare_field(FieldDef::new("rooms", FieldType::Integer))
        .unwrap();
    schema
}

const CLIENT_HEADERS: [&str; 8] = [
    "id",
    "surname",
    "given_name",
    "phone",
    "birthday",
    "tags",
    "custom.rooms",
    "relations_json",
];

/// Rows of every kind: good, bad cells, empty, too short, too long, relations
/// pointing forward and at a rejected row.
fn client_rows() -> Vec<Vec<Option<&'static str>>> {
    vec![
        vec![
            Some("1"),
            Some("Иванова"),
            Some("Анна"),
            Some("8 916 123-45-67"),
            Some("05.03.1990"),
            Some("vip"),
            Some("2"),
            None,
        ],
        vec![
            None,
            Some("Петров"),
            Some("Пётр"),
            None,
            Some("31.02.1985"),
            None,
            None,
            None,
        ],
        vec![
            None,
            Some("Сидоров"),
            None,
            None,
            None,
            Some("gold"),
            None,
            None,
        ],
        vec![
            None,
            Some("Кузнецова"),
            None,
            None,
            None,
            None,
            Some("три"),
            None,
        ],
        vec![None, Some("  "), None, None, None, None, None, None],
        vec![None, Some("Короткий")],
        vec![
            None,
            Some("Длинный"),
            None,
            None,
            None,
            None,
            None,
            None,
            Some("лишнее"),
        ],
        vec![
            Some("7"),
            Some("Муж"),
            None,
            None,
            None,
            None,
            None,
            Some(r#"[{"kind":"spouse","to":8}]"#),
        ],
        vec![
            Some("8"),
            Some("Жена"),
            None,
            None,
            None,
            None,
            None,
            Some(r#"[{"kind":"spouse","to":7}]"#),
        ],
        vec![
            Some("9"),
            Some("Висячий"),
            None,
            None,
            None,
            None,
            None,
            Some(r#"[{"kind":"spouse","to":10}]"#),
        ],
        vec![
            Some("10"),
            Some("Отвергнутый"),
            None,
            None,
            Some("не дата"),
            None,
            None,
            None,
        ],
        vec![None, None, None, None, None, None, None, Some("   ")],
        vec![
            Some("11"),
            Some("Сотрудник"),
            None,
            None,
            None,
            None,
            None,
            Some(r#"[{"kind":"employee_of","to":1}]"#),
        ],
        vec![
            Some("12"),
            Some("Друг"),
            None,
            None,
            None,
            None,
            None,
            Some(r#"[{"kind":"spouse","to":11}]"#),
        ],
    ]
}

fn csv_of(headers: &[&str], rows: &[Vec<Option<&str>>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(headers).unwrap();
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| cell.unwrap_or("")))
            .unwrap();
    }
    writer.into_inner().unwrap()
}

fn identity(headers: &[&str]) -> ColumnMapping {
    ColumnMapping::from_pairs(headers.iter().map(|h| (*h, *h))).unwrap()
}

/// The report of a CSV import with each line as the row index it would have had
/// (the header is line 1, the first row line 2), in `line` and in reasons that
/// name another row (`its row (line 14) was rejected`).
fn as_rows<Id>(mut report: ImportReport<Id>) -> ImportReport<Id> {
    for row in report.rejected.iter_mut().chain(&mut report.set_aside) {
        row.line -= 2;
        if let Some((before, after)) = row.reason.split_once("(line ") {
            let (number, rest) = after.split_once(')').unwrap();
            let index = number.parse::<u64>().unwrap() - 2;
            row.reason = format!("{before}(row {index}){rest}");
        }
    }
    for line in &mut report.imported_lines {
        *line -= 2;
    }
    report
}

fn reasons_with_lines_as_rows(report: &ImportReport<ClientId>) -> Vec<String> {
    let mut all: Vec<&clientbase::RejectedRow> =
        report.rejected.iter().chain(&report.set_aside).collect();
    all.sort_by_key(|r| r.line);
    all.iter().map(|r| r.to_string()).collect()
}

#[test]
fn client_rows_import_as_the_same_csv_does() {
    let rows = client_rows();
    let mapping = identity(&CLIENT_HEADERS);
    let options = CsvOptions::default();

    let mut from_csv = frozen(schema());
    let csv_report = from_csv
        .import_clients_csv(&csv_of(&CLIENT_HEADERS, &rows)[..], &mapping, &options)
        .unwrap();
    let mut from_rows = frozen(schema());
    let rows_report = from_rows
        .import_clients_rows(CLIENT_HEADERS, rows.clone(), &mapping, &options)
        .unwrap();

    assert_eq!(rows_report, as_rows(csv_report.clone()));
    assert_eq!(from_rows.to_json().unwrap(), from_csv.to_json().unwrap());

    // What was expected of each row, in the rows' own terms.
    assert_eq!(rows_report.rows, 14);
    assert_eq!(rows_report.empty_rows, 2);
    assert_eq!(rows_report.imported.len(), 10);
    // Cells that cannot be used are set aside and their rows kept.
    let aside: Vec<u64> = rows_report.set_aside.iter().map(|r| r.line).collect();
    assert_eq!(aside, [1, 2, 3, 5, 6, 10]);
    let lines: Vec<u64> = rows_report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [12, 13]);
    assert_eq!(
        reasons_with_lines_as_rows(&rows_report)[..4],
        [
            "line 1, column \"birthday\": \"31.02.1985\" is not a calendar date",
            "line 2, column \"tags\": \"gold\" is not in the tag vocabulary",
            "line 3, column \"custom.rooms\": expected integer, got text \"три\"",
            "line 5: the row has 2 cells, the header has 8; the missing cells are read as empty",
        ]
    );
    // Row 9's relation points at the client of row 10, which is kept without
    // its unreadable birthday, so the relation holds.
    assert_eq!(
        rows_report.imported.len() + rows_report.rejected.len() + 2,
        14
    );
    // A relation to a row rejected when it was stored (client 1 is not a
    // company) names that row.
    assert_eq!(
        rows_report.rejected[1].reason,
        "client 11 does not exist: its row (row 12) was rejected"
    );
    assert_eq!(
        csv_report.rejected[1].reason,
        "client 11 does not exist: its row (line 14) was rejected"
    );
}

#[test]
fn cells_are_read_like_csv_cells() {
    // Headers are trimmed, cells kept as typed, blank cells empty; owned and
    // borrowed cells alike.
    let headers = [" surname", "phone ", "custom.rooms"];
    let rows: Vec<Vec<Option<String>>> = vec![
        vec![
            Some(" Иванов ".into()),
            Some("+7 903 000-00-01".into()),
            Some(" 3 ".into()),
        ],
        vec![Some("Петров".into()), Some(" ".into()), None],
    ];
    let mapping = identity(&["surname", "phone", "custom.rooms"]);
    let mut from_rows = frozen(schema());
    let report = from_rows
        .import_clients_rows(headers, rows.clone(), &mapping, &CsvOptions::default())
        .unwrap();
    assert_eq!(report.imported.len(), 2, "{:?}", report.rejected);
    assert!(report.ignored_columns.is_empty());
    let petrov = from_rows.get_client(report.imported[1]).unwrap();
    assert!(petrov.phones.is_empty() && petrov.custom.is_empty());

    let borrowed: Vec<Vec<Option<&str>>> = rows
        .iter()
        .map(|row| row.iter().map(Option::as_deref).collect())
        .collect();
    let mut from_csv = frozen(schema());
    from_csv
        .import_clients_csv(
            &csv_of(&headers, &borrowed)[..],
            &mapping,
            &CsvOptions::default(),
        )
        .unwrap();
    assert_eq!(from_rows.to_json().unwrap(), from_csv.to_json().unwrap());
}

#[test]
fn a_mapping_that_does_not_fit_fails_the_whole_import() {
    let mut base = ClientBase::new(schema());
    let rows = vec![vec![Some("Иванов")]];
    let err = base
        .import_clients_rows(
            ["Фамилия"],
            rows.clone(),
            &identity(&["surname"]),
            &CsvOptions::default(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no column \"surname\""), "{err}");
    let err = base
        .import_clients_rows(
            ["x"],
            rows.clone(),
            &ColumnMapping::from_pairs([("x", "custom.floors")]).unwrap(),
            &CsvOptions::default(),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("declares no field \"floors\""),
        "{err}"
    );
    let err = base
        .import_deals_rows(
            ["amount"],
            rows,
            &identity(&["amount"]),
            &CsvOptions::default(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no client_id column"), "{err}");
    assert_eq!(base.counts().clients, 0);
}

#[test]
fn deal_rows_import_as_the_same_csv_does() {
    const HEADERS: [&str; 5] = ["id", "client_id", "amount", "status", "currency"];
    let rows: Vec<Vec<Option<&str>>> = vec![
        vec![
            Some("1"),
            Some("1"),
            Some("4 990,50"),
            Some("выиграна"),
            None,
        ],
        vec![None, Some("99"), Some("100"), Some("open"), None],
        vec![
            Some("3"),
            Some("1"),
            Some("10"),
            Some("duplicate_of:4"),
            None,
        ],
        vec![Some("4"), Some("1"), Some("10"), Some("open"), Some("USD")],
        vec![None, Some("1"), Some("много"), None, None],
    ];
    let mapping = identity(&HEADERS);
    let options = CsvOptions {
        currency: Some(Currency::new("EUR").unwrap()),
        ..CsvOptions::default()
    };
    let base = || {
        let mut base = frozen(schema());
        base.add_client(clientbase::Client::person("Иванова", "Анна", None))
            .unwrap();
        base
    };
    let mut from_csv = base();
    let csv_report = from_csv
        .import_deals_csv(&csv_of(&HEADERS, &rows)[..], &mapping, &options)
        .unwrap();
    let mut from_rows = base();
    let rows_report: ImportReport<DealId> = from_rows
        .import_deals_rows(HEADERS, rows, &mapping, &options)
        .unwrap();
    assert_eq!(rows_report, as_rows(csv_report));
    assert_eq!(from_rows.to_json().unwrap(), from_csv.to_json().unwrap());
    assert_eq!(rows_report.imported.len(), 3);
    let first = from_rows.get_deal(rows_report.imported[0]).unwrap();
    assert_eq!(first.amount.to_string(), "4990.50 EUR");
    let lines: Vec<u64> = rows_report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [1, 4]);
}
