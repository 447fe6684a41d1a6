use super::*;
use crate::{Client, ClientBase, Currency, Deal, DealStatus, Money, ProductLine, Schema};
use serde_json::json;

fn small_base() -> ClientBase {
    let mut base = ClientBase::new(Schema::new());
    base.freeze_clock(Some("2025-01-01T00:00:00Z".parse().unwrap()));
    let olga = base
        .add_client(
            Client::person("Смирнова", "Ольга", Some("Игоревна")).with_phone("8 916 123-45-67"),
        )
        .unwrap();
    base.add_client(
        Client::person("Смирнова", "Ольга", Some("Игоревна")).with_phone("+7 916 1234567"),
    )
    .unwrap();
    base.add_client(Client::person("Петров", "Пётр", None).with_phone("8 903 000 00 01"))
        .unwrap();
    let mut deal = Deal::new(olga, Money::parse("4 990,00", Currency::RUB).unwrap());
    deal.status = DealStatus::Won;
    deal.closed_at = Some("2024-06-01T10:00:00Z".parse().unwrap());
    let mut line = ProductLine::new(
        "Корм",
        crate::Quantity::ONE,
        Money::parse("4990", Currency::RUB).unwrap(),
    );
    line.category = Some("Корма".into());
    deal.lines.push(line);
    base.add_deal(deal).unwrap();
    base
}

#[test]
fn every_capability_refuses_an_unknown_key_naming_it() {
    let mut base = small_base();
    for info in CAPABILITIES {
        let err = call_write(&mut base, info.name, json!({"no_such_option": 1})).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Json, "{}: {err}", info.name);
        let text = err.to_string();
        assert!(
            text.contains(info.name) && text.contains("unknown field `no_such_option`"),
            "{}: {text}",
            info.name
        );
    }
}

#[test]
fn params_must_be_an_object() {
    let base = small_base();
    let err = call_read(&base, "counts", json!([1, 2])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    assert!(
        err.to_string().contains("counts params must be an object"),
        "{err}"
    );
}

#[test]
fn unknown_capabilities_and_wrong_access_are_named() {
    let mut base = small_base();
    let err = call_read(&base, "dedup", json!({})).unwrap_err();
    assert!(
        err.to_string()
            .contains("\"dedup\" is not a capability; there are counts"),
        "{err}"
    );
    let err = call_read(&base, "normalize_contacts", json!({})).unwrap_err();
    assert!(err.to_string().contains("changes a base"), "{err}");
    let err = call("counts", json!({})).unwrap_err();
    assert!(err.to_string().contains("reads a base"), "{err}");
    assert!(call_write(&mut base, "counts", json!(null)).is_ok());
}

#[cfg(feature = "generator")]
#[test]
fn dedupe_reports_cluster_of_and_duplicates() {
    let generated =
        crate::generator::generate(&crate::generator::GeneratorConfig::new(400, 3)).unwrap();
    let base = &generated.base;
    let report = call_read(base, "dedupe", json!({"options": {"max_block": 30}}))
        .unwrap()
        .into_json()
        .unwrap();
    let typed: DedupeReport = serde_json::from_value(report.clone()).unwrap();
    assert!(typed.duplicates > 0, "a generated base has duplicates");
    let members: usize = typed.found.clusters.iter().map(|c| c.members.len()).sum();
    assert_eq!(typed.cluster_of.client.len(), members);
    assert_eq!(
        typed.duplicates as usize,
        members - typed.found.clusters.len()
    );
    let first = &typed.found.clusters[0];
    let at = typed
        .cluster_of
        .client
        .iter()
        .position(|c| *c == first.members[1])
        .unwrap();
    assert_eq!(typed.cluster_of.cluster[at], first.id);
    let typo = call_read(base, "dedupe", json!({"options": {"treshold": 0.9}})).unwrap_err();
    assert!(
        typo.to_string().contains("unknown field `treshold`"),
        "{typo}"
    );
    let pair = [first.members[1], first.members[0]];
    let decided = dedupe(
        base,
        &params("dedupe", json!({ "not_duplicates": [pair] })).unwrap(),
    )
    .unwrap();
    assert!(decided
        .found
        .clusters
        .iter()
        .all(|c| !(c.members.contains(&pair[0]) && c.members.contains(&pair[1]))));
}

#[test]
fn open_deals_checks_the_client_in_the_core() {
    let base = small_base();
    let err = call_read(&base, "open_deals", json!({"client": 99})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownId);
    assert_eq!(err.field(), Some("client"));
    let err = call_read(&base, "open_deals", json!({})).unwrap_err();
    assert_eq!(err.field(), Some("client"));
    let none = call_read(&base, "open_deals", json!({"client": 1})).unwrap();
    assert_eq!(none.into_json().unwrap(), json!([]));
    let err = call_read(
        &base,
        "duplicate_deals",
        json!({"related": [{"left": 1, "right": 42, "probability": 0.5, "weight": 1.0}]}),
    );
    assert!(err.is_err());
}

#[test]
fn merge_and_undo_through_the_bridge() {
    let mut base = small_base();
    let before = base.clone();
    let record = call_write(
        &mut base,
        "merge_clients",
        json!({"survivor": 1, "others": [2]}),
    )
    .unwrap()
    .into_json()
    .unwrap();
    assert_eq!(base.counts().clients, 2);
    call_write(&mut base, "undo_merge", json!({ "record": record })).unwrap();
    assert!(base == before);
    let err = call_write(&mut base, "merge_clients", json!({"others": [2]})).unwrap_err();
    assert_eq!(err.field(), Some("survivor"));
}

#[test]
fn sales_summary_sums_exactly_and_reports_what_it_skips() {
    let mut base = small_base();
    let mut undated = Deal::new(
        crate::ClientId(3),
        Money::parse("10", Currency::RUB).unwrap(),
    );
    undated.status = DealStatus::Won;
    undated.closed_at = None;
    // A won deal needs a close date in the base, so this one stays open.
    base.add_deal(undated).unwrap();
    let summary = crate::sales::sales_summary(&base, &Default::default()).unwrap();
    assert_eq!(summary.by_year.len(), 1);
    assert_eq!(summary.by_year[0].revenue.minor(), 499_000);
    assert_eq!(summary.by_category[0].category.as_deref(), Some("Корма"));
    assert_eq!(summary.by_category[0].share, 1.0);
    let json = call_read(&base, "sales_summary", json!({"top_categories": 0}))
        .unwrap()
        .to_json()
        .unwrap();
    assert!(
        json.starts_with("{\"by_category\":[{\"category\":\"Корма\""),
        "{json}"
    );
}

#[test]
fn normalize_contacts_takes_its_region_from_params() {
    let mut base = small_base();
    let report = call_write(
        &mut base,
        "normalize_contacts",
        json!({"phone_region": "RU"}),
    )
    .unwrap()
    .into_json()
    .unwrap();
    assert_eq!(report["clients"], 3);
    let err = call_write(
        &mut base,
        "normalize_contacts",
        json!({"phone_region": "Narnia"}),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("phone_region"));
}

#[test]
fn the_list_serializes_with_access() {
    let list = serde_json::to_value(CAPABILITIES).unwrap();
    assert_eq!(
        list[0],
        json!({"name": "counts", "access": "read", "output": "report", "summary": CAPABILITIES[0].summary})
    );
    let mut names: Vec<&str> = CAPABILITIES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        CAPABILITIES.len(),
        "capability names are unique"
    );
}

#[test]
fn phones_emails_and_names_read_as_rows() {
    let phones = call(
        "parse_phones",
        json!({"values": ["8 (916) 123-45-67", null, "12"]}),
    )
    .unwrap()
    .into_json()
    .unwrap();
    assert_eq!(phones[0]["valid"]["e164"], "+79161234567");
    assert_eq!(phones[0]["valid"]["kind"], "mobile");
    assert_eq!(phones[0]["invalid"], json!(null));
    assert_eq!(phones[1]["invalid"]["problem"], "null_input");
    assert_eq!(phones[2]["row"], 2);
    assert!(phones[2]["invalid"]["reason"].as_str().unwrap().len() > 3);
    let split = call(
        "parse_phones",
        json!({"values": ["8 916 123 45 67; доб. 12, 8 495 765 43 21 (раб.)"], "split": true}),
    )
    .unwrap()
    .into_json()
    .unwrap();
    assert_eq!(split.as_array().unwrap().len(), 2, "{split}");
    assert_eq!(split[0]["valid"]["extension"], "12");
    assert_eq!(split[1]["label"], "раб.");
    assert_eq!(split[1]["row"], 0);
    let err = call("parse_phones", json!({"values": [], "region": "XX"})).unwrap_err();
    assert_eq!(err.field(), Some("region"));
    let err = call("parse_phones", json!({"values": [5]})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);

    let emails = call(
        "parse_emails",
        json!({"values": ["Ivan.Petrov@GMAIL.com", "ivan@mail,ru"]}),
    )
    .unwrap()
    .into_json()
    .unwrap();
    assert_eq!(emails[0]["valid"]["key"], "ivanpetrov@gmail.com");
    assert_eq!(emails[1]["invalid"]["suggestion"], "ivan@mail.ru");

    let names = call(
        "parse_names",
        json!({"values": ["Сергей Петрович Иванов", null]}),
    )
    .unwrap()
    .into_json()
    .unwrap();
    assert_eq!(names[0]["surname"], "Иванов");
    assert_eq!(names[0]["gender"], "male");
    assert_eq!(names[1]["surname"], json!(null));
}

#[test]
fn table_capabilities_give_typed_tables() {
    let mut base = ClientBase::new(crate::Schema::new());
    base.add_client(crate::Client::person("Смирнова", "Ольга", None))
        .unwrap();
    let out = call_read(&base, "clients_table", json!({"fields": ["id", "surname"]})).unwrap();
    let Output::Table(table) = &out else {
        panic!("clients_table gives a table, not {out:?}");
    };
    assert_eq!(table.column_names(), ["id", "surname"]);
    assert_eq!(
        table.column("id").unwrap().column_type(),
        crate::ColumnType::UInt64
    );
    assert_eq!(
        out.to_json().unwrap(),
        r#"{"columns":[{"name":"id","type":"uint64","values":[1]},{"name":"surname","type":"text","values":["Смирнова"]}],"rows":1}"#
    );
    let info = find("deals_table").unwrap();
    assert_eq!(info.output, OutputKind::Table);
    let err = call_read(&base, "clients_table", json!({"fields": ["id", "nope"]})).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
    let typo = call_read(&base, "deals_table", json!({"field": ["id"]})).unwrap_err();
    assert!(typo.to_string().contains("unknown field `field`"), "{typo}");
}

#[cfg(feature = "csv")]
#[test]
fn imports_from_text_or_a_file_and_reports_bad_rows() {
    let mut base = ClientBase::new(Schema::new());
    let csv = "Фамилия;Имя;ИНН\nИванов;Иван;\nПетров;Пётр;123\n";
    let params = json!({"csv": csv, "mapping": {"Фамилия": "surname", "Имя": "given_name", "ИНН": "tax_id"},
        "options": {"delimiter": ";"}});
    let Output::Report(report) = call_write(&mut base, "import_clients_csv", params).unwrap()
    else {
        panic!("a report")
    };
    assert_eq!(report["rows"], 2);
    assert_eq!(report["imported"], json!([1, 2]));
    assert_eq!(report["set_aside"][0]["line"], 3);
    assert_eq!(report["set_aside"][0]["field"], "tax_id");
    assert_eq!(base.counts().clients, 2);
    let mut strict = ClientBase::new(Schema::new());
    let params = json!({"csv": csv, "mapping": {"Фамилия": "surname", "Имя": "given_name", "ИНН": "tax_id"},
        "options": {"delimiter": ";", "strict": true}});
    let Output::Report(report) = call_write(&mut strict, "import_clients_csv", params).unwrap()
    else {
        panic!("a report")
    };
    assert_eq!(report["imported"], json!([1]));
    assert_eq!(report["rejected"][0]["line"], 3);
    assert_eq!(report["rejected"][0]["field"], "tax_id");

    let path = std::env::temp_dir().join(format!("cb-import-{}.csv", std::process::id()));
    std::fs::write(&path, "Клиент,Сумма\n1,100\n9,5\n").unwrap();
    let params = json!({"path": path.to_str().unwrap(), "mapping": [["Клиент", "client_id"], ["Сумма", "amount"]]});
    let Output::Report(report) = call_write(&mut base, "import_deals_csv", params).unwrap() else {
        panic!("a report")
    };
    std::fs::remove_file(&path).unwrap();
    assert_eq!(report["imported"], json!([1]));
    assert_eq!(report["rejected"][0]["kind"], "unknown_id");

    let both = json!({"csv": "a\n", "path": "x.csv", "mapping": {}});
    let err = call_write(&mut base, "import_clients_csv", both).unwrap_err();
    assert_eq!(err.field(), Some("csv"), "{err}");
    let no_mapping =
        call_write(&mut base, "import_clients_csv", json!({"csv": "a\n"})).unwrap_err();
    assert_eq!(no_mapping.field(), Some("mapping"), "{no_mapping}");
    let missing = json!({"path": "/no/such/file.csv", "mapping": {"a": "surname"}});
    let err = call_write(&mut base, "import_clients_csv", missing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    let typo = json!({"csv": "a\n", "mapping": {"a": "surname"}, "delimeter": ";"});
    let err = call_write(&mut base, "import_clients_csv", typo).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `delimeter`"),
        "{err}"
    );
}

#[cfg(feature = "csv")]
#[test]
fn a_binding_imports_csv_bytes_files_and_tables_by_kind() {
    use crate::capability::{import_records, CsvSource, ImportInput};
    use crate::csv_io::{ColumnMapping, CsvOptions};
    use crate::table::{BadCell, Column};
    let mut base = ClientBase::new(Schema::new());
    let options = CsvOptions::default();
    let mapping =
        ColumnMapping::from_pairs([("Фамилия", "surname"), ("Имя", "given_name")]).unwrap();
    // Bytes that are not all UTF-8: the bad cell is reported, not the import.
    let bytes = b"\xd0\xa4\xd0\xb0\xd0\xbc\xd0\xb8\xd0\xbb\xd0\xb8\xd1\x8f,\xd0\x98\xd0\xbc\xd1\x8f\nIvanov,Ivan\nPetrov,\xff\n";
    let csv = ImportInput::Csv(CsvSource::Bytes(bytes), &mapping);
    let report = import_records(&mut base, "client", csv, &options).unwrap();
    assert_eq!(report.imported, [1, 2]);
    assert_eq!(report.set_aside[0].line, 3, "{report:?}");

    let path = std::env::temp_dir().join(format!("cb-import-records-{}.csv", std::process::id()));
    std::fs::write(&path, "Клиент,Сумма\n1,100\n9,5\n").unwrap();
    let mapping =
        ColumnMapping::from_pairs([("Клиент", "client_id"), ("Сумма", "amount")]).unwrap();
    let csv = ImportInput::Csv(CsvSource::Path(&path), &mapping);
    let report = import_records(&mut base, "deal", csv, &options).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(report.imported, [1]);
    assert_eq!(report.rejected[0].line, 3);
    let err = import_records(&mut base, "deal", csv, &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert_eq!(err.record(), path.to_str(), "{err}");

    let table =
        crate::Table::new(vec![Column::from_texts("surname", [Some("Сидоров"), None])]).unwrap();
    let bad = [BadCell {
        row: 1,
        column: "surname".into(),
        reason: "bytes are not text".into(),
    }];
    let report = import_records(
        &mut base,
        "client",
        ImportInput::Table(&table, &bad),
        &options,
    )
    .unwrap();
    assert_eq!(report.imported, [3]);
    assert_eq!(base.counts().clients, 3);
    let err = import_records(
        &mut base,
        "activity",
        ImportInput::Table(&table, &[]),
        &options,
    )
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidValue, Some("kind")),
        "{err}"
    );
}
