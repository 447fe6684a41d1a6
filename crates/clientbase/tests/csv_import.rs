//! CSV import quirks, read from the fixture files in `tests/inputs/csv/`: BOM,
//! `;`, `,` and tab delimiters, decimal commas, Russian dates, bad rows of every
//! kind, a Windows-1251 row and multi-line quoted cells.
#![cfg(feature = "csv")]

use chrono::NaiveDate;
use clientbase::{
    Channel, ClientBase, ClientId, ColumnMapping, Consent, CsvOptions, Currency, DealId,
    DealStatus, ErrorKind, FieldDef, FieldType, FieldValue, Money, Party, Quantity, RejectedRow,
    Schema,
};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/inputs/csv")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema() -> Schema {
    let mut schema = Schema::new();
    schema.declare_tag("vip").unwrap();
    schema.declare_tag("опт").unwrap();
    schema
        .declare_field(FieldDef::new("rooms", FieldType::Integer))
        .unwrap();
    schema
        .declare_field(FieldDef::new(
            "budget",
            FieldType::Money {
                currency: Currency::RUB,
            },
        ))
        .unwrap();
    schema
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rub(text: &str) -> Money {
    Money::parse(text, Currency::RUB).unwrap()
}

fn one_c_mapping() -> ColumnMapping {
    ColumnMapping::from_pairs([
        ("Тип", "kind"),
        ("Фамилия", "surname"),
        ("Имя", "given_name"),
        ("Отчество", "patronymic"),
        ("Организация", "company"),
        ("ИНН", "tax_id"),
        ("Дата рождения", "birthday"),
        ("Телефон", "phone"),
        ("Телефон 2", "phone"),
        ("E-mail", "email"),
        ("Город", "city"),
        ("Комнат", "custom.rooms"),
        ("Бюджет", "custom.budget"),
        ("Метки", "tags"),
        ("Лояльность", "loyalty_percent"),
        ("Согласие на ПД", "consent.personal_data"),
        ("SMS", "consent.sms"),
    ])
    .unwrap()
}

fn rejected(
    line: u64,
    column: Option<&str>,
    field: Option<&str>,
    kind: &str,
    reason: &str,
) -> RejectedRow {
    RejectedRow {
        line,
        column: column.map(str::to_string),
        field: field.map(str::to_string),
        kind: kind.parse().unwrap(),
        reason: reason.to_string(),
    }
}

fn strict() -> CsvOptions {
    CsvOptions {
        strict: true,
        ..CsvOptions::default()
    }
}

#[test]
fn a_1c_export_keeps_every_row_and_sets_aside_every_bad_cell() {
    let mut lenient = ClientBase::new(schema());
    let report = lenient
        .import_clients_csv(
            &fixture("clients_1c.csv")[..],
            &one_c_mapping(),
            &CsvOptions::default(),
        )
        .unwrap();
    let mut strict_base = ClientBase::new(schema());
    let strict_report = strict_base
        .import_clients_csv(&fixture("clients_1c.csv")[..], &one_c_mapping(), &strict())
        .unwrap();
    assert_eq!(report.rows, 15);
    assert_eq!(report.empty_rows, 1);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.imported.len(), 14);
    // Each row strict mode rejects is kept here, with the same problem set aside.
    for rejection in &strict_report.rejected {
        let aside = report
            .set_aside
            .iter()
            .find(|a| a.line == rejection.line)
            .unwrap_or_else(|| panic!("line {} has nothing set aside", rejection.line));
        assert_eq!(aside, rejection);
    }
    let lines: Vec<u64> = report.set_aside.iter().map(|r| r.line).collect();
    assert_eq!(lines, [4, 5, 6, 7, 11, 13, 13, 14, 15, 19]);
    // The row with a bad birthday keeps its name, phone and tags.
    let line4 = report.imported[2];
    let client = lenient.get_client(line4).unwrap();
    assert_eq!(client.birthday, None);
    assert!(!client.display_name().is_empty());
}

#[test]
fn a_1c_export_imports_every_good_row_and_reports_every_bad_one_when_strict() {
    let mut base = ClientBase::new(schema());
    let report = base
        .import_clients_csv(&fixture("clients_1c.csv")[..], &one_c_mapping(), &strict())
        .unwrap();

    assert_eq!(report.rows, 15);
    assert_eq!(report.empty_rows, 1);
    assert_eq!(report.imported.len(), 5);
    assert_eq!(
        report.rows,
        report.imported.len() as u64 + report.rejected.len() as u64 + report.empty_rows
    );
    assert_eq!(report.ignored_columns, vec!["Комментарий".to_string()]);
    assert_eq!(base.clients().count(), 5);

    let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![4, 5, 6, 7, 11, 13, 14, 15, 19]);
    let by_line = |line: u64| report.rejected.iter().find(|r| r.line == line).unwrap();

    // A bad date, in one cell.
    assert_eq!(
        *by_line(4),
        rejected(
            4,
            Some("Дата рождения"),
            Some("birthday"),
            "invalid_value",
            "\"31.02.1985\" is not a calendar date"
        )
    );
    // A tag outside the vocabulary, among good ones.
    assert_eq!(
        *by_line(5),
        rejected(
            5,
            Some("Метки"),
            Some("tags"),
            "unknown_tag",
            "\"gold\" is not in the tag vocabulary"
        )
    );
    // Text in an integer custom field.
    assert_eq!(
        *by_line(6),
        rejected(
            6,
            Some("Комнат"),
            Some("custom.rooms"),
            "field_type",
            "expected integer, got text \"три\""
        )
    );
    // The ИНН check digit is verified by the base; the error is mapped back to its column.
    assert_eq!(
        *by_line(7),
        rejected(
            7,
            Some("ИНН"),
            Some("tax_id"),
            "invalid_value",
            "ИНН 7707083894 fails its check digit"
        )
    );
    // A Windows-1251 city: the row goes, the import goes on. Line 11 because the
    // quoted comment of the row starting on line 8 spans three lines.
    let cp1251 = by_line(11);
    assert_eq!(cp1251.column.as_deref(), Some("Город"));
    assert_eq!(cp1251.kind.name(), "csv");
    assert!(cp1251.reason.contains("not UTF-8"), "{}", cp1251.reason);
    assert!(cp1251.reason.contains("D2"), "{}", cp1251.reason); // «Т» in Windows-1251
                                                                // Too few cells, and a non-blank cell past the header.
    assert_eq!(
        *by_line(13),
        rejected(
            13,
            None,
            None,
            "csv",
            "the row has 2 cells, the header has 18; the missing cells are read as empty"
        )
    );
    assert_eq!(
        *by_line(14),
        rejected(
            14,
            None,
            None,
            "csv",
            "cell 19 past the last of the 18 header columns is not empty and was set aside"
        )
    );
    // A consent needs its date.
    assert_eq!(
        *by_line(15),
        rejected(
            15,
            Some("SMS"),
            Some("consents.marketing.sms"),
            "invalid_value",
            "\"да\" has no date: a consent needs the day it was given or withdrawn"
        )
    );
    // After another two-line cell, the loyalty percentage is out of range.
    assert_eq!(
        *by_line(19),
        rejected(
            19,
            Some("Лояльность"),
            Some("loyalty_percent"),
            "invalid_value",
            "140 is above 100"
        )
    );

    // The good rows, read with their quirks.
    let anna = base.get_client(report.imported[0]).unwrap();
    assert_eq!(anna.display_name(), "Иванова Анна Сергеевна");
    assert_eq!(anna.birthday, Some(date(1990, 3, 5)));
    let phones: Vec<&str> = anna.phones.iter().map(|p| p.raw.as_str()).collect();
    assert_eq!(phones, ["8 (916) 123-45-67", "+7 903 000-00-01"]);
    assert_eq!(anna.emails[0].raw, "anna@example.ru");
    assert_eq!(anna.custom["rooms"], FieldValue::Integer(2));
    assert_eq!(anna.custom["budget"], FieldValue::Money(rub("1500000.50")));
    assert_eq!(
        anna.tags.iter().map(String::as_str).collect::<Vec<_>>(),
        ["vip", "опт"]
    );
    assert_eq!(anna.loyalty_percent, Some(15));
    assert_eq!(
        anna.consents.personal_data,
        Some(Consent::given(date(2024, 1, 10)))
    );
    assert!(anna.consents.allows(Channel::Sms));

    let romashka = base.get_client(report.imported[1]).unwrap();
    match &romashka.party {
        Party::Company(company) => {
            assert_eq!(company.legal_name, "ООО \"Ромашка\"");
            assert_eq!(company.tax_id.as_deref(), Some("7707083893"));
        }
        other => panic!("expected a company, got {other:?}"),
    }

    let oleg = base.get_client(report.imported[2]).unwrap();
    assert_eq!(oleg.birthday, Some(date(1985, 7, 20)));
    assert_eq!(
        oleg.consents.personal_data,
        Some(Consent::withdrawn(date(2024, 2, 1)))
    );
    assert!(!oleg.consents.allows(Channel::Sms));
}

#[test]
fn excel_commas_with_quoted_decimal_commas() {
    let mut base = ClientBase::new(schema());
    let mapping = ColumnMapping::from_pairs([
        ("ФИО", "full_name"),
        ("Бюджет", "custom.budget"),
        ("Дата рождения", "birthday"),
        ("Телефон", "phone"),
    ])
    .unwrap();
    let report = base
        .import_clients_csv(&fixture("clients_excel.csv")[..], &mapping, &strict())
        .unwrap();
    let mut lenient = ClientBase::new(schema());
    let kept = lenient
        .import_clients_csv(
            &fixture("clients_excel.csv")[..],
            &mapping,
            &CsvOptions::default(),
        )
        .unwrap();
    assert_eq!(kept.imported.len(), 4);
    assert_eq!(kept.set_aside, report.rejected);
    assert!(!lenient
        .get_client(kept.imported[3])
        .unwrap()
        .custom
        .contains_key("budget"));
    assert_eq!(report.imported.len(), 3);
    assert_eq!(report.ignored_columns, ["Лишняя колонка"]);
    assert_eq!(
        report.rejected,
        [rejected(
            5,
            Some("Бюджет"),
            Some("custom.budget"),
            "invalid_value",
            "\"1,2,3\": more than one decimal mark"
        )]
    );
    let orlov = base.get_client(report.imported[0]).unwrap();
    assert_eq!(orlov.display_name(), "Орлов Артём Игоревич");
    assert_eq!(orlov.custom["budget"], FieldValue::Money(rub("1234.50")));
    assert_eq!(orlov.birthday, Some(date(1990, 1, 2)));
    let belova = base.get_client(report.imported[1]).unwrap();
    assert_eq!(belova.custom["budget"], FieldValue::Money(rub("99.90")));
    assert_eq!(belova.birthday, Some(date(1991, 1, 2)));
    match &base.get_client(report.imported[2]).unwrap().party {
        Party::Person(name) => {
            assert_eq!(name.surname.as_deref(), Some("Мамедов"));
            assert_eq!(name.given.as_deref(), Some("Рашид"));
            assert_eq!(name.patronymic.as_deref(), Some("Ибрагим оглы"));
        }
        other => panic!("expected a person, got {other:?}"),
    }
}

#[test]
fn tab_separated_with_a_quoted_tab() {
    let mut base = ClientBase::new(schema());
    let mapping = ColumnMapping::from_pairs([
        ("Фамилия", "surname"),
        ("Имя", "given_name"),
        ("Телефон", "phone"),
        ("Лояльность", "loyalty_percent"),
    ])
    .unwrap();
    let report = base
        .import_clients_csv(
            &fixture("clients.tsv")[..],
            &mapping,
            &CsvOptions::default(),
        )
        .unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(
        base.get_client(report.imported[0]).unwrap().loyalty_percent,
        Some(7)
    );
    assert_eq!(
        base.get_client(report.imported[1]).unwrap().phones[0].raw,
        "8 916\t555"
    );
}

#[test]
fn an_explicit_delimiter_overrides_detection() {
    let csv = "Фамилия,Имя;Город\nИванов,Иван;Москва\n";
    let mut base = ClientBase::default();
    let mapping =
        ColumnMapping::from_pairs([("Фамилия,Имя", "full_name"), ("Город", "city")]).unwrap();
    let options = CsvOptions {
        delimiter: Some(b';'),
        ..CsvOptions::default()
    };
    let report = base
        .import_clients_csv(csv.as_bytes(), &mapping, &options)
        .unwrap();
    let client = base.get_client(report.imported[0]).unwrap();
    assert_eq!(client.display_name(), "Иванов,Иван");
    assert_eq!(client.city.as_deref(), Some("Москва"));
}

#[test]
fn a_mapped_column_missing_from_the_file_fails_the_whole_import() {
    let mut base = ClientBase::new(schema());
    let before = base.clone();
    let mut mapping = one_c_mapping();
    mapping.push("Телефон 3", "phone".parse().unwrap()).unwrap();
    let err = base
        .import_clients_csv(
            &fixture("clients_1c.csv")[..],
            &mapping,
            &CsvOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Csv);
    assert!(
        err.reason()
            .starts_with("the file has no column \"Телефон 3\" named in the mapping"),
        "{err}"
    );
    assert!(base == before);
}

#[test]
fn deals_with_russian_statuses_amounts_and_one_product() {
    let mut base = ClientBase::new(schema());
    let clients = "Фамилия;Имя\nИванова;Анна\nПетров;Пётр\n";
    let mapping =
        ColumnMapping::from_pairs([("Фамилия", "surname"), ("Имя", "given_name")]).unwrap();
    base.import_clients_csv(clients.as_bytes(), &mapping, &CsvOptions::default())
        .unwrap();

    let mapping = ColumnMapping::from_pairs([
        ("Номер", "id"),
        ("Клиент", "client_id"),
        ("Название", "title"),
        ("Статус", "status"),
        ("Сумма", "amount"),
        ("Валюта", "currency"),
        ("Создана", "created_at"),
        ("Закрыта", "closed_at"),
        ("Товар", "product"),
        ("Категория", "category"),
        ("Кол-во", "quantity"),
        ("Цена", "unit_price"),
    ])
    .unwrap();
    let report = base
        .import_deals_csv(
            &fixture("deals_1c.csv")[..],
            &mapping,
            &CsvOptions::default(),
        )
        .unwrap();
    assert_eq!(report.imported, [DealId(101), DealId(102), DealId(104)]);
    assert_eq!(
        report.rejected,
        [
            rejected(
                4,
                Some("Клиент"),
                Some("client"),
                "unknown_id",
                "client 99 does not exist"
            ),
            rejected(
                6,
                Some("Сумма"),
                Some("amount"),
                "invalid_value",
                "\"12,345\": more than 2 decimal places"
            ),
            rejected(
                7,
                Some("Статус"),
                Some("status"),
                "invalid_value",
                "\"может быть\" is not a deal status (open, won, lost, duplicate_of:<id>)"
            ),
            rejected(
                8,
                Some("Кол-во"),
                Some("lines[0].product"),
                "invalid_value",
                "a quantity, unit price or category is given without a product"
            ),
        ]
    );

    let won = base.get_deal(DealId(101)).unwrap();
    assert_eq!(won.status, DealStatus::Won);
    assert_eq!(won.amount, rub("4900"));
    assert_eq!(won.lines[0].quantity, Quantity::units(2));
    assert_eq!(won.lines[0].category.as_deref(), Some("Корма"));
    assert_eq!(won.lines_total().unwrap(), won.amount);
    assert_eq!(
        won.created_at.unwrap().to_rfc3339(),
        "2024-03-05T10:00:00+00:00"
    );
    // A duplicate of a deal further down the file.
    assert_eq!(
        base.get_deal(DealId(102)).unwrap().status,
        DealStatus::DuplicateOf(DealId(104))
    );
    // No amount: the lines' total, 2,5 × 99,99 rounded half away from zero.
    let weighed = base.get_deal(DealId(104)).unwrap();
    assert_eq!(weighed.amount, rub("249.98"));
    assert_eq!(weighed.client, ClientId(2));
    // New ids continue above the imported ones.
    let next = base
        .add_deal(clientbase::Deal::new(ClientId(1), rub("1")))
        .unwrap();
    assert_eq!(next, DealId(105));
}

/// 1C and Bitrix habits the import used to lose whole rows to.
fn habits_mapping() -> ColumnMapping {
    ColumnMapping::from_pairs([
        ("Фамилия", "surname"),
        ("Имя", "given_name"),
        ("Телефон", "phone"),
        ("Дата рождения", "birthday"),
    ])
    .unwrap()
}

#[test]
fn an_unterminated_quote_costs_one_line_not_the_rest_of_the_file() {
    let mut csv = String::from("Фамилия;Имя;Телефон;Дата рождения\n");
    for i in 1..=500 {
        // Row 499 opens a quote it never closes, as a hand-edited export does.
        let quote = if i == 499 { "\"" } else { "" };
        csv.push_str(&format!("{quote}Фам{i};Имя{i};+7916{i:07};01.02.1980\n"));
    }
    let mut base = ClientBase::default();
    let report = base
        .import_clients_csv(csv.as_bytes(), &habits_mapping(), &CsvOptions::default())
        .unwrap();
    assert_eq!(report.rows, 500);
    assert_eq!(report.imported.len(), 500, "{:?}", report.rejected);
    assert_eq!(report.set_aside.len(), 1);
    assert_eq!(report.set_aside[0].line, 500);
    assert!(report.set_aside[0].reason.contains("never closes"));
    let row499 = base.get_client(report.imported[498]).unwrap();
    assert_eq!(row499.display_name(), "Фам499 Имя499");
    assert_eq!(
        base.get_client(report.imported[499])
            .unwrap()
            .display_name(),
        "Фам500 Имя500"
    );
    // Strict: the one line is rejected, the other 499 rows are still read.
    let mut strict_base = ClientBase::default();
    let report = strict_base
        .import_clients_csv(csv.as_bytes(), &habits_mapping(), &strict())
        .unwrap();
    assert_eq!(report.imported.len(), 499);
    assert_eq!(report.rejected[0].line, 500);
    // A quote that closes on a later line is still one multi-line cell.
    let mut base = ClientBase::default();
    let report = base
        .import_clients_csv(
            "Фамилия;Имя\n\"Иванов\nмл.\";Иван\nПетров;Пётр\n".as_bytes(),
            &ColumnMapping::from_pairs([("Фамилия", "surname"), ("Имя", "given_name")]).unwrap(),
            &CsvOptions::default(),
        )
        .unwrap();
    assert_eq!(report.imported.len(), 2);
    assert!(report.set_aside.is_empty(), "{:?}", report.set_aside);
}

#[test]
fn one_c_dates_empty_dates_and_implausible_birthdays() {
    let csv = "Фамилия;Имя;Телефон;Дата рождения\n\
               Иванов;Иван;;12.03.1985 0:00:00\n\
               Петров;Пётр;;12.03.1985 г.\n\
               Сидоров;Олег;;12.03.1985г.\n\
               Козлов;Илья;;01.01.0001 0:00:00\n\
               Орлов;Иван;;01.01.1900\n\
               Попов;Ян;;01.01.2999\n\
               Лебедев;Лев;;01.01.1800\n\
               Волков;Вадим;;31.50.1987\n";
    let mut base = ClientBase::default();
    let report = base
        .import_clients_csv(csv.as_bytes(), &habits_mapping(), &CsvOptions::default())
        .unwrap();
    assert_eq!(report.imported.len(), 8, "{:?}", report.rejected);
    let birthdays: Vec<Option<NaiveDate>> = report
        .imported
        .iter()
        .map(|id| base.get_client(*id).unwrap().birthday)
        .collect();
    let d = Some(date(1985, 3, 12));
    assert_eq!(birthdays, [d, d, d, None, None, None, None, None]);
    let aside: Vec<(u64, Option<&str>)> = report
        .set_aside
        .iter()
        .map(|r| (r.line, r.field.as_deref()))
        .collect();
    // The placeholders are empty dates, not problems; the rest are set aside.
    assert_eq!(
        aside,
        [
            (7, Some("birthday")),
            (8, Some("birthday")),
            (9, Some("birthday"))
        ]
    );
    assert!(
        report.set_aside[0].reason.contains("plausible"),
        "{}",
        report.set_aside[0].reason
    );
}

#[test]
fn a_deal_in_an_unknown_currency_is_rejected() {
    let mut base = ClientBase::new(schema());
    let mapping = ColumnMapping::from_pairs([("Фамилия", "surname")]).unwrap();
    base.import_clients_csv(
        "Фамилия\nИванова\n".as_bytes(),
        &mapping,
        &CsvOptions::default(),
    )
    .unwrap();
    let mapping = ColumnMapping::from_pairs([
        ("Клиент", "client_id"),
        ("Сумма", "amount"),
        ("Валюта", "currency"),
    ])
    .unwrap();
    let csv = "Клиент;Сумма;Валюта\n1;100;RUB\n1;200;ZZZ\n1;300;usd\n";
    let report = base
        .import_deals_csv(csv.as_bytes(), &mapping, &CsvOptions::default())
        .unwrap();
    assert_eq!(report.imported.len(), 2);
    assert_eq!(
        report.rejected,
        [rejected(
            3,
            Some("Валюта"),
            Some("currency"),
            "invalid_value",
            "\"ZZZ\" is not an ISO 4217 currency code"
        )]
    );
}

#[test]
fn postcodes_are_kept_and_a_bad_one_is_set_aside() {
    let csv = "Фамилия;Имя;Индекс;Адрес\n\
               Иванов;Иван;101000;ул. Мясницкая, д. 1\n\
               Петров;Пётр;Москва;ул. Тверская, д. 2\n";
    let mut base = ClientBase::default();
    let mapping = ColumnMapping::from_pairs([
        ("Фамилия", "surname"),
        ("Имя", "given_name"),
        ("Индекс", "postcode"),
        ("Адрес", "address"),
    ])
    .unwrap();
    let report = base
        .import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())
        .unwrap();
    assert_eq!(report.imported.len(), 2, "{report:?}");
    let ivanov = base.get_client(report.imported[0]).unwrap();
    assert_eq!(ivanov.postcode.as_deref(), Some("101000"));
    let petrov = base.get_client(report.imported[1]).unwrap();
    assert_eq!(petrov.postcode, None);
    assert_eq!(petrov.address.as_deref(), Some("ул. Тверская, д. 2"));
    assert_eq!(report.set_aside.len(), 1);
    assert_eq!(report.set_aside[0].line, 3);
    assert_eq!(report.set_aside[0].field.as_deref(), Some("postcode"));
    assert!(report.set_aside[0].reason.contains("not a postcode"));
}
