//! Names through the public API: splitting, gender, initials, keys.

use clientbase::{clean_name, name_key, transliterate, Gender, PersonName};

#[test]
fn the_issue_examples() {
    let a = PersonName::parse("Иванов Сергей Петрович");
    let b = PersonName::parse("Сергей Петрович Иванов");
    assert_eq!(a, b);
    assert_eq!(a.initials(), "Иванов С. П.");
    assert_eq!(a.gender(), Some(Gender::Male));
    assert_eq!(
        PersonName::parse("Ivanov Sergey").key(),
        PersonName::parse("Иванов Сергей").key()
    );
    assert_eq!(name_key("Артём"), name_key("Артем"));
    assert_eq!(
        PersonName::parse("Ольга Игоревна Смирнова").gender(),
        Some(Gender::Female)
    );
    assert_eq!(
        PersonName::parse("Зейнаб Ахмед кызы Алиева").gender(),
        Some(Gender::Female)
    );
}

#[test]
fn cleaning_and_transliteration() {
    assert_eq!(
        clean_name("  ПЕТРОВ-ВОДКИН\tкузьма "),
        "Петров-Водкин Кузьма"
    );
    assert_eq!(transliterate("Щербаков Юрий"), "Shcherbakov Iurii");
    let messy = PersonName {
        surname: Some(" иванова ".into()),
        given: Some("".into()),
        patronymic: None,
    };
    assert_eq!(
        messy.cleaned(),
        PersonName {
            surname: Some("Иванова".into()),
            given: None,
            patronymic: None
        }
    );
}

proptest::proptest! {
    #[test]
    fn never_panics(input in proptest::prelude::any::<String>()) {
        let name = PersonName::parse(&input);
        let _ = (name.initials(), name.key(), name.gender(), name.cleaned(), transliterate(&input));
    }
}
