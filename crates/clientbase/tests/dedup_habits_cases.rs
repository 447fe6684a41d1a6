//! Hand-written duplicates and look-alikes of the habits CRM and 1C exports
//! have (initials, the Latin keyboard layout, a married surname, a web-form
//! lead, a mistyped digit, city spellings, …), each matched on insert against
//! a generated background base. Written apart from the generator, so the
//! matcher is checked on cases it was not tuned on.
#![cfg(feature = "generator")]

use chrono::NaiveDate;
use clientbase::dedup::{MatchField, MatchIndex, MatchOptions, Verdict};
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::{Client, ClientBase};
use std::sync::OnceLock;

fn background() -> ClientBase {
    static BASE: OnceLock<ClientBase> = OnceLock::new();
    BASE.get_or_init(|| {
        generate(&GeneratorConfig::new(4_000, 3))
            .expect("generate")
            .base
    })
    .clone()
}

fn born(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// What `other` is found to be to `original` on insert into a base that
/// holds `original`, and the explanation.
fn matched(options: MatchOptions, original: Client, other: &Client) -> (Verdict, String) {
    let mut base = background();
    let id = base.add_client(original).expect("add");
    let index = MatchIndex::build(&base, options).expect("index");
    let found = index.find(other, 50);
    match found.iter().find(|c| c.client == id) {
        Some(c) => (c.verdict, c.explanation.to_text()),
        None => (Verdict::Distinct, "not a candidate".into()),
    }
}

fn verdict(original: Client, other: &Client) -> (Verdict, String) {
    matched(MatchOptions::default(), original, other)
}

fn assert_duplicate(case: &str, original: Client, other: Client) {
    let (verdict, why) = verdict(original, &other);
    assert_eq!(verdict, Verdict::Duplicate, "{case}:\n{why}");
}

fn assert_not_duplicate(case: &str, original: Client, other: Client) -> Verdict {
    let (verdict, why) = verdict(original, &other);
    assert_ne!(verdict, Verdict::Duplicate, "{case}:\n{why}");
    verdict
}

fn tarasov() -> Client {
    let mut c = Client::person("Тарасов", "Олег", Some("Яковлевич"))
        .with_phone("8 (921) 555-17-39")
        .with_email("oleg.tarasov@yandex.ru");
    c.birthday = born(1979, 4, 23);
    c.city = Some("Пермь".into());
    c
}

#[test]
fn initials_agree_with_the_names_they_begin() {
    let initials = Client::person("Тарасов", "О.", Some("Я.")).with_phone("+79215551739");
    assert_duplicate("initials", tarasov(), initials);
    let (_, why) = verdict(
        tarasov(),
        &Client::person("Тарасов", "О.", Some("Я.")).with_phone("+79215551739"),
    );
    assert!(why.contains("initial"), "{why}");
    // An initial of another name is another person.
    let other = Client::person("Тарасов", "А.", Some("Я.")).with_phone("+79215551739");
    assert_not_duplicate("another initial", tarasov(), other);
}

#[test]
fn a_name_typed_on_the_latin_layout_is_read_back() {
    let mut original = Client::person("Иванов", "Сергей", None)
        .with_phone("8 916 204-33-81")
        .with_email("s.ivanov77@mail.ru");
    original.birthday = born(1977, 9, 14);
    let mut typed = Client::person("Bdfyjd", "Cthutq", None)
        .with_phone("+7 916 2043381")
        .with_email("s.ivanov77@mail.ru");
    typed.birthday = born(1977, 9, 14);
    assert_duplicate("keyboard layout", original.clone(), typed);
    // A name in Latin letters is a transliteration, not a layout slip.
    let latin = Client::person("Ivanov", "Sergey", None).with_phone("+7 916 2043381");
    assert_duplicate("transliterated", original, latin);
}

#[test]
fn swapped_fields_with_a_short_form() {
    let mut original =
        Client::person("Смирнов", "Александр", Some("Викторович")).with_phone("8 903 771-20-45");
    original.city = Some("Казань".into());
    let swapped = Client::person("Саша", "Смирнов", None).with_phone("89037712045");
    assert_duplicate("swapped and diminutive", original, swapped);
}

#[test]
fn a_replaced_given_name_is_a_policy() {
    let mut original = Client::person("Кузьмина", "Елена", Some("Игоревна"));
    original.birthday = born(1990, 2, 11);
    original.address = Some("ул. Гагарина, д. 12, кв. 40".into());
    original.city = Some("Самара".into());
    let mut other = Client::person("Кузьмина", "Ольга", Some("Игоревна"));
    other.birthday = born(1990, 2, 11);
    other.address = Some("улица Гагарина, дом 12, квартира 40".into());
    other.city = Some("Самара".into());
    // By default twins stay apart.
    assert_not_duplicate("given replaced, veto", original.clone(), other.clone());
    let options = MatchOptions::from_json(r#"{"given_name_veto": false}"#).expect("options");
    let (verdict, why) = matched(options, original, &other);
    assert_eq!(verdict, Verdict::Duplicate, "{why}");
    assert!(MatchOptions::from_json(r#"{"given_name_vetoo": false}"#).is_err());
}

#[test]
fn a_married_surname_with_the_same_phone_and_birthday() {
    let mut original =
        Client::person("Соколова", "Анна", Some("Петровна")).with_phone("8 912 640-02-19");
    original.birthday = born(1992, 6, 30);
    let mut married =
        Client::person("Волкова", "Анна", Some("Петровна")).with_phone("+7 (912) 640-02-19");
    married.birthday = born(1992, 6, 30);
    assert_duplicate("married surname", original, married);
}

#[test]
fn a_web_form_lead_with_a_given_name_and_a_phone() {
    let mut original = Client::person("Морозов", "Дмитрий", Some("Андреевич"))
        .with_phone("8 (985) 310-77-26")
        .with_email("morozov.da@gmail.com");
    original.birthday = born(1984, 12, 3);
    let lead = Client::person("", "Дмитрий", None).with_phone("+7 985 310 77 26");
    assert_duplicate("web lead", original.clone(), lead);
    let short = Client::person("", "Дима", None).with_phone("9853107726");
    assert_duplicate("web lead, short form", original, short);
}

#[test]
fn a_new_phone_or_a_mistyped_digit() {
    let mut original = Client::person("Белова", "Ирина", Some("Сергеевна"))
        .with_phone("8 917 442-18-90")
        .with_email("irina.belova@mail.ru");
    original.birthday = born(1981, 1, 17);
    original.city = Some("Уфа".into());
    let mut moved = Client::person("Белова", "Ирина", Some("Сергеевна"))
        .with_phone("8 927 100-55-32")
        .with_email("irina.belova@mail.ru");
    moved.birthday = born(1981, 1, 17);
    assert_duplicate("new phone", original.clone(), moved);
    let mut digit =
        Client::person("Белова", "Ирина", Some("Сергеевна")).with_phone("8 917 442-18-98");
    digit.city = Some("Уфа".into());
    let (verdict, why) = verdict(original.clone(), &digit);
    assert_eq!(verdict, Verdict::Duplicate, "{why}");
    assert!(why.contains("one_digit"), "{why}");
    let swapped_digits =
        Client::person("Белова", "Ирина", Some("Сергеевна")).with_phone("8 917 442-81-90");
    assert_duplicate("two digits swapped", original, swapped_digits);
}

#[test]
fn a_year_typo_and_city_spellings() {
    let mut original =
        Client::person("Гарипов", "Ринат", Some("Ильдарович")).with_phone("8 917 300-12-44");
    original.birthday = born(1985, 8, 21);
    original.city = Some("Уфа".into());
    let mut typo =
        Client::person("Гарипов", "Ринат", Some("Ильдарович")).with_phone("8 917 300-12-44");
    typo.birthday = born(1958, 8, 21);
    typo.city = Some("г. Уфа".into());
    assert_duplicate("year typo", original.clone(), typo);
    for spelling in ["г. Уфа", "Уфа г.", "г Уфа", "город Уфа", "УФА", "г.Уфа"]
    {
        let mut other =
            Client::person("Гарипов", "Ринат", Some("Ильдарович")).with_phone("8 917 300-12-44");
        other.city = Some(spelling.into());
        let mut base = background();
        let id = base.add_client(original.clone()).unwrap();
        let index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
        let found = index.find(&other, 10);
        let candidate = found.iter().find(|c| c.client == id).expect(spelling);
        let city = candidate
            .explanation
            .evidence(MatchField::City)
            .expect(spelling);
        assert_eq!(city.level, "same", "{spelling}");
    }
}

#[test]
fn spaces_transpositions_and_typos_in_several_fields() {
    let mut original =
        Client::person("Никитина", "Светлана", Some("Олеговна")).with_phone("8 961 505-44-02");
    original.birthday = born(1975, 10, 5);
    original.city = Some("Екатеринбург".into());
    original.address = Some("ул. Малышева, д. 51, кв. 12".into());
    let spaced =
        Client::person("Никит ина", "Светлана", Some("Олеговна")).with_phone("8 961 505-44-02");
    assert_duplicate("space in name", original.clone(), spaced);
    let mut transposed = Client::person("Нкиитина", "Свтелана", Some("Олеговна"));
    transposed.birthday = born(1975, 10, 5);
    assert_duplicate("transposed letters", original.clone(), transposed);
    let mut typos = Client::person("Никитена", "Светлана", Some("Олеговна"));
    typos.birthday = born(1975, 10, 5);
    typos.city = Some("Екатеринбрг".into());
    typos.address = Some("ул. Малышева, д. 51, кв. 12а".into());
    assert_duplicate("typos in name, city and address", original, typos);
}

#[test]
fn case_alone_does_not_make_a_relative() {
    let original = Client::person("Кузнецов", "Пётр", None).with_phone("8 (495) 123-98-76");
    let upper = Client::person("КУЗНЕЦОВ", "ПЁТР", None).with_phone("+74951239876");
    assert_duplicate("upper case", original, upper);
}

#[test]
fn namesakes_with_other_phones_stay_apart() {
    let mut one =
        Client::person("Черепанов", "Игорь", Some("Валентинович")).with_phone("8 916 111-22-33");
    one.city = Some("Москва".into());
    let mut other =
        Client::person("Черепанов", "Игорь", Some("Валентинович")).with_phone("8 926 444-55-66");
    other.city = Some("Москва".into());
    assert_not_duplicate("namesakes", one, other);
}

#[test]
fn sisters_with_names_spelled_alike_are_two_people() {
    for (a, b) in [("Дарья", "Мария"), ("Алёна", "Алина"), ("Юлия", "Юлиана")]
    {
        let mut one = Client::person("Орлова", a, Some("Викторовна")).with_phone("8 912 000-11-22");
        one.address = Some("ул. Мира, д. 3, кв. 9".into());
        let mut other =
            Client::person("Орлова", b, Some("Викторовна")).with_phone("8 912 000-11-22");
        other.address = Some("ул. Мира, д. 3, кв. 9".into());
        let verdict = assert_not_duplicate(&format!("{a} and {b}"), one, other);
        assert_eq!(verdict, Verdict::Related, "{a} and {b}");
    }
}

#[test]
fn mailboxes_a_digit_or_a_dot_apart() {
    let one = Client::person("", "Андрей", None)
        .with_email("andrey1@mail.ru")
        .with_phone("8 903 123-00-01");
    let other = Client::person("", "Андрей", None)
        .with_email("andrey2@mail.ru")
        .with_phone("8 905 765-43-21");
    assert_not_duplicate("andrey1 and andrey2", one, other);
    let mut dotted = Client::person("Федоров", "", None)
        .with_email("e.fedorov@mail.ru")
        .with_phone("8 912 345-67-89");
    dotted.city = Some("Пермь".into());
    let mut plain = Client::person("Федоров", "Евгений", None)
        .with_email("efedorov@mail.ru")
        .with_phone("8 999 876-54-32");
    plain.city = Some("Сочи".into());
    assert_not_duplicate("e.fedorov and efedorov", dotted, plain);
}

#[test]
fn one_street_address_in_two_cities_is_no_link() {
    let mut spb = Client::person("Лебедев", "Иван", None).with_phone("8 911 222-33-44");
    spb.address = Some("ул. Дзержинского, д. 17".into());
    spb.city = Some("Санкт-Петербург".into());
    let mut msk = Client::person("Сидоров", "Олег", None).with_phone("8 926 555-66-77");
    msk.address = Some("ул. Дзержинского, д. 17".into());
    msk.city = Some("Москва".into());
    let verdict = assert_not_duplicate("same address, other city", spb, msk);
    assert_eq!(verdict, Verdict::Distinct);
}

#[test]
fn twins_and_spouses_stay_apart() {
    let mut one =
        Client::person("Зайцев", "Алексей", Some("Романович")).with_phone("8 915 700-80-90");
    one.birthday = born(2001, 5, 5);
    one.address = Some("ул. Садовая, д. 8, кв. 1".into());
    let mut twin =
        Client::person("Зайцев", "Андрей", Some("Романович")).with_phone("8 915 700-80-90");
    twin.birthday = born(2001, 5, 5);
    twin.address = Some("ул. Садовая, д. 8, кв. 1".into());
    assert_eq!(
        assert_not_duplicate("twins", one.clone(), twin),
        Verdict::Related
    );
    let mut wife =
        Client::person("Зайцева", "Марина", Some("Сергеевна")).with_phone("8 915 700-80-90");
    wife.address = Some("ул. Садовая, д. 8, кв. 1".into());
    assert_eq!(assert_not_duplicate("spouse", one, wife), Verdict::Related);
}

#[test]
fn identifying_custom_fields_are_compared_and_blocked_on() {
    use clientbase::{FieldDef, FieldType, FieldValue};
    let mut base = background();
    base.declare_field(FieldDef::new("passport", FieldType::Text).as_identifier())
        .expect("declare");
    let mut original = Client::person("Захаров", "Игорь", None).with_phone("8 916 765-00-11");
    original
        .custom
        .insert("passport".into(), FieldValue::Text("45 01 123456".into()));
    let id = base.add_client(original).expect("add");
    let index = MatchIndex::build(&base, MatchOptions::default()).expect("index");
    // Another phone, a name in Latin letters with the given name as an
    // initial: only the passport ties them, typed without spaces.
    let mut other = Client::person("Zakharov", "I.", None).with_phone("8 925 000-77-66");
    other
        .custom
        .insert("passport".into(), FieldValue::Text("4501123456".into()));
    let found = index.find(&other, 5);
    let first = found.first().expect("a candidate");
    assert_eq!(first.client, id);
    assert_eq!(
        first.verdict,
        Verdict::Duplicate,
        "{}",
        first.explanation.to_text()
    );
    let evidence = first
        .explanation
        .evidence(MatchField::Identifier)
        .expect("compared");
    assert_eq!(evidence.level, "same");
    // One digit mistyped is still evidence; a different passport counts against.
    let mut other = Client::person("Захаров", "Игорь", None).with_phone("8 925 000-77-66");
    other
        .custom
        .insert("passport".into(), FieldValue::Text("4501123465".into()));
    let found = index.find(&other, 5);
    let typo = found.iter().find(|c| c.client == id).expect("found");
    let level = &typo
        .explanation
        .evidence(MatchField::Identifier)
        .expect("compared")
        .level;
    assert_eq!(level, "one_typo");
    other
        .custom
        .insert("passport".into(), FieldValue::Text("4509987654".into()));
    let found = index.find(&other, 5);
    assert!(found
        .iter()
        .all(|c| c.client != id || c.verdict != Verdict::Duplicate));
    // A field the schema does not declare cannot be an identifier.
    let bad = MatchOptions::from_json(r#"{"identifiers": ["snils"]}"#).expect("options");
    let err = MatchIndex::build(&base, bad).expect_err("unknown field");
    assert!(err.to_string().contains("snils"), "{err}");
}

/// A record of another country's register: Latin names, an address, a suburb
/// and a birthday, no phone or email.
fn latin(
    surname: &str,
    given: &str,
    address: &str,
    city: &str,
    birthday: (i32, u32, u32),
) -> Client {
    let mut c = Client::person(surname, given, None);
    c.address = Some(address.into());
    c.city = Some(city.into());
    c.birthday = born(birthday.0, birthday.1, birthday.2);
    c
}

#[test]
fn latin_names_with_typos_in_several_fields() {
    let original = latin(
        "Mitchell",
        "Hayden",
        "12 Banksia Street",
        "Kingston",
        (1974, 6, 2),
    );
    let spaced = latin(
        "Mitchell",
        "Hayd en",
        "12 Banksia Street",
        "Kingston",
        (1974, 6, 2),
    );
    assert_duplicate("a space inside the given name", original.clone(), spaced);
    let transposed = latin(
        "Mitcehll",
        "Haedyn",
        "12 Banksia Street",
        "Kingston",
        (1974, 6, 2),
    );
    assert_duplicate(
        "letters transposed in both names",
        original.clone(),
        transposed,
    );
    let typos = latin(
        "Mitchel",
        "Hayden",
        "12 Banksai Street",
        "Kingstn",
        (1974, 6, 2),
    );
    assert_duplicate("typos in name, address and city", original.clone(), typos);
    let birthday = latin(
        "Mitchell",
        "Hayden",
        "12 Banksia St",
        "Kingston",
        (1974, 6, 12),
    );
    assert_duplicate("a birthday digit mistyped", original.clone(), birthday);
    // Another house on the street and another birthday: a neighbour.
    let neighbour = latin(
        "Mitchell",
        "Jordan",
        "14 Banksia Street",
        "Kingston",
        (1981, 3, 9),
    );
    assert_not_duplicate("a neighbour", original, neighbour);
}
