//! Column mappings: target names, mapping errors, and how a mapping meets a file.
#![cfg(feature = "csv")]

use clientbase::{
    Channel, Client, ClientBase, ColumnMapping, ColumnTarget, CsvOptions, ErrorKind, FieldDef,
    FieldType, MessengerKind, Party, Schema,
};

fn import(
    base: &mut ClientBase,
    csv: &str,
    pairs: &[(&str, &str)],
) -> clientbase::Result<clientbase::ImportReport<clientbase::ClientId>> {
    let mapping = ColumnMapping::from_pairs(pairs.iter().copied())?;
    base.import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())
}

#[test]
fn target_names_with_parameters() {
    let mapping = ColumnMapping::from_pairs([
        ("Telegram", "messenger.telegram"),
        ("ВК", "messenger.ВКонтакте"),
        ("Signal", "messenger.Signal"),
        ("Комнат", "custom.rooms"),
        ("Рассылка", "consent.email"),
        ("ПД", "consent.personal_data"),
        ("Пусто", "ignore"),
        ("Ещё пусто", "ignore"),
    ])
    .unwrap();
    let targets: Vec<String> = mapping.columns().map(|(_, t)| t.to_string()).collect();
    assert_eq!(
        targets,
        [
            "messenger.telegram",
            "messenger.vk",
            "messenger.Signal",
            "custom.rooms",
            "consent.email",
            "consent.personal_data",
            "ignore",
            "ignore"
        ]
    );
    assert_eq!(
        mapping.target(" Telegram "),
        Some(&ColumnTarget::Messenger(MessengerKind::Telegram))
    );
    assert_eq!(
        mapping.target("Рассылка"),
        Some(&ColumnTarget::Consent(Channel::Email))
    );
}

#[test]
fn mapping_errors_name_the_header() {
    let err = ColumnMapping::from_pairs([("Фамилия", "surnam")]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Csv);
    assert!(
        err.reason().starts_with(
            "column \"Фамилия\": unknown target \"surnam\" (targets are ignore, id, kind, surname,"
        ),
        "{err}"
    );
    let err = ColumnMapping::from_pairs([("A", "surname"), ("B", "surname")]).unwrap_err();
    assert_eq!(
        err.reason(),
        "columns \"A\" and \"B\" both map to surname, which takes one value"
    );
    let err = ColumnMapping::from_pairs([("A", "surname"), (" A ", "city")]).unwrap_err();
    assert_eq!(err.reason(), "column \"A\" is mapped twice");
    let err = ColumnMapping::from_pairs([("SMS", "consent.fax")]).unwrap_err();
    assert!(
        err.reason().contains("unknown consent channel \"fax\""),
        "{err}"
    );
    // Several phone and email columns are fine.
    ColumnMapping::from_pairs([
        ("Тел", "phone"),
        ("Тел 2", "phone"),
        ("Почта", "email"),
        ("Почта 2", "email"),
    ])
    .unwrap();
}

#[test]
fn mappings_from_json() {
    let object = ColumnMapping::from_json(r#"{"Фамилия": "surname", "Телефон": "phone"}"#).unwrap();
    let pairs =
        ColumnMapping::from_json(r#"[["Фамилия", "surname"], ["Телефон", "phone"]]"#).unwrap();
    assert_eq!(object.target("Фамилия"), Some(&ColumnTarget::Surname));
    assert_eq!(pairs.target("Телефон"), Some(&ColumnTarget::Phone));
    assert_eq!(object.len(), 2);
    let err = ColumnMapping::from_json("[1, 2]").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    let err = ColumnMapping::from_json(r#"{"Фамилия": "nope"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Csv);
}

#[test]
fn targets_must_fit_the_records_imported() {
    let mut base = ClientBase::default();
    let err = import(&mut base, "Сумма\n100\n", &[("Сумма", "amount")]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Csv);
    assert_eq!(
        err.reason(),
        "column \"Сумма\" maps to amount, which is for deals, not clients"
    );
    let mapping = ColumnMapping::from_pairs([("Сумма", "amount")]).unwrap();
    let err = base
        .import_deals_csv("Сумма\n100\n".as_bytes(), &mapping, &CsvOptions::default())
        .unwrap_err();
    assert_eq!(
        err.reason(),
        "the mapping has no client_id column: every deal needs its client"
    );
}

#[test]
fn files_that_cannot_be_read_at_all() {
    let mut base = ClientBase::default();
    let err = import(&mut base, "", &[("A", "surname")]).unwrap_err();
    assert_eq!(err.reason(), "the file is empty: it has no header line");
    let err = import(&mut base, "A;A\nx;y\n", &[("A", "surname")]).unwrap_err();
    assert_eq!(err.reason(), "the file has 2 columns called \"A\"");
    let mapping = ColumnMapping::from_pairs([("A", "surname")]).unwrap();
    let err = base
        .import_clients_csv(
            &b"\xc4\xe0\xf2\xe0\nx\n"[..],
            &mapping,
            &CsvOptions::default(),
        )
        .unwrap_err();
    assert_eq!(
        err.reason(),
        "header cell 1 is not UTF-8 text; save the file as UTF-8"
    );
    // An unmapped column may repeat a header.
    let report = import(
        &mut base,
        "Фамилия;X;X\nИванов;1;2\n",
        &[("Фамилия", "surname")],
    )
    .unwrap();
    assert_eq!(report.imported.len(), 1);
    assert_eq!(report.ignored_columns, ["X", "X"]);
}

#[test]
fn kinds_names_and_companies() {
    let mut base = ClientBase::default();
    let csv = "\
Тип;ФИО;Фамилия;Организация;ИНН
;Иванов Иван Иванович;;;
;Петров Пётр;Петровский;;
;;;ООО Ромашка;7707083893
ИП;Сидоров Семён Семёнович;;;
физлицо;;;ООО Ромашка;
юрлицо;;Кузнецов;ООО Лютик;
;Козлов;;;7707083893
;;;ООО Ромашка;7707083894
ИП;;Фролов;ИП Фролов А.В.;500100732259
ИП;Сидорова Анна Викторовна;;;771234567859
";
    let report = import(
        &mut base,
        csv,
        &[
            ("Тип", "kind"),
            ("ФИО", "full_name"),
            ("Фамилия", "surname"),
            ("Организация", "company"),
            ("ИНН", "tax_id"),
        ],
    )
    .unwrap();
    let names: Vec<String> = report
        .imported
        .iter()
        .map(|id| base.get_client(*id).unwrap().display_name())
        .collect();
    // A surname column overrides the surname from the full name.
    assert_eq!(
        names,
        [
            "Иванов Иван Иванович",
            "Петровский Пётр",
            "ООО Ромашка",
            "Сидоров Семён Семёнович",
            "ООО Лютик",
            "Козлов",
            "ООО Ромашка",
            "ИП Фролов А.В.",
            "Сидорова Анна Викторовна",
        ]
    );
    assert!(base.get_client(report.imported[3]).unwrap().is_company());
    let problems =
        |list: &[clientbase::RejectedRow]| -> Vec<(u64, Option<String>, Option<String>)> {
            list.iter()
                .map(|r| (r.line, r.column.clone(), r.field.clone()))
                .collect()
        };
    let some = |s: &str| Some(s.to_string());
    // A person of kind физлицо with only an employer has nothing left to be.
    assert_eq!(problems(&report.rejected), [(6, None, some("name"))]);
    // A tax id on a person and a bad check digit are set aside; the rows stay.
    assert_eq!(
        problems(&report.set_aside),
        [
            (8, some("ИНН"), some("tax_id")),
            (9, some("ИНН"), some("tax_id"))
        ]
    );
    // A name on a company is the person behind it, kept: 1C's sole
    // proprietor with its owner, without a name column named after them.
    let lyutik = base.get_client(report.imported[4]).unwrap();
    assert_eq!(lyutik.person_name().surname.as_deref(), Some("Кузнецов"));
    let frolov = base.get_client(report.imported[7]).unwrap();
    assert_eq!(frolov.person_name().surname.as_deref(), Some("Фролов"));
    let sidorova = base.get_client(report.imported[8]).unwrap();
    assert!(sidorova.is_company());
    assert_eq!(sidorova.person_name().given.as_deref(), Some("Анна"));
    assert!(matches!(
        base.get_client(report.imported[2]).unwrap().party,
        Party::Company(_)
    ));
}

#[test]
fn an_employer_on_a_person_is_kept_and_exported() {
    let mut base = ClientBase::default();
    // Bitrix contacts: the person's employer in «Компания».
    let csv = "\
Фамилия;Имя;Компания;Телефон
Орлова;Дарья;ООО «Вектор»;8 912 000-11-22
";
    let report = import(
        &mut base,
        csv,
        &[
            ("Фамилия", "surname"),
            ("Имя", "given_name"),
            ("Компания", "company"),
            ("Телефон", "phone"),
        ],
    )
    .unwrap();
    assert!(report.set_aside.is_empty(), "{:?}", report.set_aside);
    let orlova = base.get_client(report.imported[0]).unwrap();
    assert!(!orlova.is_company());
    assert_eq!(orlova.employer.as_deref(), Some("ООО «Вектор»"));
    // The canonical export and import keep both the employer and an ИП's owner.
    let mut ip = Client::company("ИП Фролов А.В.", Some("500100732259"));
    if let Party::Company(company) = &mut ip.party {
        company.person.surname = Some("Фролов".into());
        company.person.given = Some("Андрей".into());
    }
    base.add_client(ip).unwrap();
    let mut out = Vec::new();
    base.export_clients_csv(&mut out).unwrap();
    let mut copy = ClientBase::default();
    copy.import_clients_csv(
        &out[..],
        &ColumnMapping::canonical_clients(),
        &CsvOptions::default(),
    )
    .unwrap();
    assert!(copy == base);
    let json = base.to_json().unwrap();
    let back = ClientBase::from_json(&json).unwrap();
    assert!(back == base);
    assert!(json.contains("\"employer\":\"ООО «Вектор»\""), "{json}");
}

#[test]
fn cells_of_every_client_target() {
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    schema
        .declare_field(FieldDef::new(
            "floors",
            FieldType::ManyOf {
                options: vec!["low".into(), "high".into()],
            },
        ))
        .unwrap();
    let mut base = ClientBase::new(schema);
    let csv = "\
Имя,Этап,Теплота,Рекомендует,Создан,Изменён,Telegram,Этажи,ПД,Реклама,Поведение
Анна,Постоянный клиент,Тёплый,да,05.03.2024 14:30,2024-03-06T10:00:00+03:00,@anna,\"low; high\",\"да, 01.01.2024\",нет 02.02.2024,economical
Борис,лид,горячий,нет,,,,,,,
Вера,клиент,ледяной,,,,,,,,
";
    let report = import(
        &mut base,
        csv,
        &[
            ("Имя", "given_name"),
            ("Этап", "stage"),
            ("Теплота", "temperature"),
            ("Рекомендует", "can_refer"),
            ("Создан", "created_at"),
            ("Изменён", "updated_at"),
            ("Telegram", "messenger.tg"),
            ("Этажи", "custom.floors"),
            ("ПД", "consent.personal_data"),
            ("Реклама", "consent.ads"),
            ("Поведение", "behaviour"),
        ],
    )
    .unwrap();
    assert_eq!(report.imported.len(), 3);
    assert_eq!(
        base.get_client(report.imported[2]).unwrap().temperature,
        None
    );
    let anna = base.get_client(report.imported[0]).unwrap();
    assert_eq!(anna.stage, clientbase::LifecycleStage::Loyal);
    assert_eq!(anna.temperature, Some(clientbase::Temperature::Warm));
    assert!(anna.can_refer);
    assert_eq!(
        anna.created_at.unwrap().to_rfc3339(),
        "2024-03-05T14:30:00+00:00"
    );
    assert_eq!(
        anna.updated_at.unwrap().to_rfc3339(),
        "2024-03-06T07:00:00+00:00"
    );
    assert_eq!(anna.messengers[0].kind, MessengerKind::Telegram);
    assert_eq!(anna.custom["floors"].to_text(), "high, low");
    assert!(anna.consents.personal_data.unwrap().is_given());
    assert!(!anna.consents.allows(Channel::Ads));
    assert_eq!(anna.behaviour.as_deref(), Some("economical"));
    let vera = &report.set_aside[0];
    assert_eq!((vera.line, vera.column.as_deref()), (4, Some("Теплота")));
    assert_eq!(vera.reason, "\"ледяной\" is not cold, warm or hot");
}

#[test]
fn rows_that_say_nothing_are_rejected_not_dropped() {
    let mut base = ClientBase::default();
    // The total line of a spreadsheet: its only cell is in an unmapped column.
    let report = import(
        &mut base,
        "Фамилия;Сумма\nИванов;100\n;100\n;\n",
        &[("Фамилия", "surname")],
    )
    .unwrap();
    assert_eq!(
        (report.rows, report.imported.len(), report.empty_rows),
        (3, 1, 1)
    );
    let total = &report.rejected[0];
    assert_eq!((total.line, total.field.as_deref()), (3, Some("name")));
    assert_eq!(
        total.reason,
        "a person needs a name or at least one contact point"
    );
}

#[test]
fn reports_serialize_for_bindings() {
    let mut base = ClientBase::default();
    let report = import(
        &mut base,
        "Фамилия;Дата\nИванов;32.01.2000\n",
        &[("Фамилия", "surname"), ("Дата", "birthday")],
    )
    .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["rows"], 1);
    assert_eq!(json["imported"], serde_json::json!([1]));
    assert_eq!(json["set_aside"][0]["line"], 2);
    assert_eq!(json["set_aside"][0]["column"], "Дата");
    assert_eq!(json["set_aside"][0]["kind"], "invalid_value");
    assert_eq!(
        report.set_aside[0].to_string(),
        "line 2, column \"Дата\": \"32.01.2000\" is not a calendar date"
    );
}

#[test]
fn an_undeclared_custom_field_fails_the_whole_import() {
    let mut base = ClientBase::default();
    let err = import(
        &mut base,
        "Фамилия;Комнат\nИванов;3\n",
        &[("Фамилия", "surname"), ("Комнат", "custom.rooms")],
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Csv);
    assert_eq!(
        err.reason(),
        "column \"Комнат\" maps to custom.rooms, but the schema declares no field \"rooms\""
    );
    assert_eq!(base.clients().count(), 0);
}

#[test]
fn imported_records_keep_their_lines() {
    let mut base = ClientBase::default();
    // Lines 3-4 are one record (a quoted cell), line 5 is empty, line 6 has
    // neither a name nor a contact, line 7 asks for an id (inserted first).
    let csv = "Фамилия,Город,Телефон,id\n\
               Иванов,,+79161234567,\n\
               Петров,\"Нижний\nНовгород\",,\n\
               ,,,\n\
               ,x,,\n\
               Сидоров,,+79031234567,40\n";
    let report = import(
        &mut base,
        csv,
        &[
            ("Фамилия", "surname"),
            ("Город", "city"),
            ("Телефон", "phone"),
            ("id", "id"),
        ],
    )
    .unwrap();
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert_eq!(report.rejected[0].line, 6);
    assert_eq!(report.imported_lines, [2, 3, 7]);
    let names: Vec<String> = report
        .imported
        .iter()
        .map(|id| base.get_client(*id).unwrap().display_name())
        .collect();
    assert_eq!(names, ["Иванов", "Петров", "Сидоров"]);
    assert_eq!(report.imported[2].0, 40);
}
