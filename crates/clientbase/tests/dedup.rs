//! Duplicates: on insert, whole base, related persons, decisions, chains,
//! estimation, duplicate deals, and accuracy on a generated base.
#![cfg(feature = "generator")]

use chrono::{NaiveDate, TimeZone, Utc};
use clientbase::dedup::{
    accuracy, duplicate_deals, find_duplicate_deal, open_deals, DealAction, DealRules, Decisions,
    MatchField, MatchIndex, MatchOptions, Verdict,
};
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::{
    Activity, ActivityKind, Client, ClientBase, Currency, Deal, DealStatus, ErrorKind, Money,
    ProductLine, Quantity, RelationKind,
};

fn born(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn person(surname: &str, given: &str, patronymic: Option<&str>, phone: &str) -> Client {
    Client::person(surname, given, patronymic).with_phone(phone)
}

/// A small base: Сергей Иванов, his wife on the same phone and address,
/// a namesake elsewhere, and strangers.
fn family_base() -> ClientBase {
    let mut base = ClientBase::default();
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()));
    let mut sergey = person("Иванов", "Сергей", Some("Петрович"), "8 916 123-45-67")
        .with_email("sergey.ivanov@mail.ru");
    sergey.birthday = born(1985, 3, 7);
    sergey.address = Some("ул. Ленина, д. 5, кв. 7".into());
    sergey.city = Some("Тула".into());
    base.add_client(sergey).unwrap();
    let mut wife = person("Иванова", "Мария", Some("Андреевна"), "+7 916 123 45 67");
    wife.birthday = born(1987, 11, 2);
    wife.address = Some("улица Ленина, дом 5, квартира 7".into());
    wife.city = Some("Тула".into());
    base.add_client(wife).unwrap();
    for (i, (s, g)) in [
        ("Петров", "Пётр"),
        ("Сидорова", "Анна"),
        ("Кузнецов", "Олег"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = person(s, g, None, &format!("8 903 000-00-0{i}"));
        c.birthday = born(1970 + i as i32, 1, 1);
        base.add_client(c).unwrap();
    }
    base
}

#[test]
fn a_lead_typed_in_latin_with_another_phone_format_is_found_on_insert() {
    let base = family_base();
    let index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
    assert_eq!(index.len(), 5);
    let mut lead = person("Ivanov", "Sergei", None, "+7 (916) 1234567");
    lead.birthday = born(1985, 3, 7);
    let found = index.find(&lead, 5);
    let top = &found[0];
    assert_eq!(top.client.0, 1);
    assert_eq!(top.verdict, Verdict::Duplicate);
    // The batch gives each lead what `find` gives it.
    let stranger = person("Новиков", "Вадим", None, "8 903 555-00-00");
    let many = index.find_many(&[lead.clone(), stranger.clone()], 5);
    assert_eq!(many, vec![found.clone(), index.find(&stranger, 5)]);
    assert!(top.probability > 0.99, "{}", top.explanation.to_text());
    let phone = top.explanation.evidence(MatchField::Phone).unwrap();
    assert_eq!(phone.level, "same");
    assert!(phone.weight > 0.0);
    // The wife shares the phone: related, not the same person.
    let wife = found.iter().find(|c| c.client.0 == 2).unwrap();
    assert_eq!(wife.verdict, Verdict::Related);
    assert_eq!(wife.explanation.conflict, Some(MatchField::Given));
}

#[test]
fn a_short_name_and_a_mail_typo_still_match() {
    let base = family_base();
    let index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
    let mut lead = Client::person("Иванов", "Серёжа", None).with_email("sergey.ivanov@mial.ru");
    lead.birthday = born(1985, 3, 7);
    let top = &index.find(&lead, 1)[0];
    assert_eq!(top.client.0, 1);
    assert_eq!(top.verdict, Verdict::Duplicate);
    let e = &top.explanation;
    assert_eq!(e.evidence(MatchField::Email).unwrap().level, "one_typo");
    assert_eq!(e.evidence(MatchField::Given).unwrap().level, "same");
}

#[test]
fn explanations_read_the_same_as_the_fixture() {
    let base = family_base();
    let index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
    let text = index
        .explain(clientbase::ClientId(1), clientbase::ClientId(2))
        .unwrap()
        .to_text();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/explanation.txt"
    );
    if std::env::var("BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(fixture, &text).unwrap();
    }
    let expected = std::fs::read_to_string(fixture).unwrap();
    assert_eq!(
        text, expected,
        "run with BLESS=1 to accept a deliberate change"
    );
}

#[test]
fn whole_base_clusters_have_stable_ids_and_honour_decisions() {
    let mut base = family_base();
    let mut again = person("Иванов", "Сергей", None, "8-916-123-45-67");
    again.birthday = born(1985, 3, 7);
    let again = base.add_client(again).unwrap();
    let index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
    let found = index.dedupe(&Decisions::new());
    assert_eq!(found.clusters.len(), 1);
    let cluster = &found.clusters[0];
    assert_eq!(cluster.id.0, 1);
    assert_eq!(cluster.members, vec![clientbase::ClientId(1), again]);
    assert_eq!(cluster.weakest(), cluster.strongest());
    // The wife is related to both records, never in the cluster.
    assert!(found
        .related
        .iter()
        .any(|l| l.left.0 == 1 && l.right.0 == 2));
    assert!(found.blocking.iter().any(|s| s.comparisons > 0));

    // A later record of the same client joins; the cluster keeps its id.
    let mut third = Client::person("Ivanov", "Sergey", None).with_email("sergey.ivanov@mail.ru");
    third.birthday = born(1985, 3, 7);
    let third = base.add_client(third).unwrap();
    let mut index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
    let found = index.dedupe(&Decisions::new());
    assert_eq!(found.clusters[0].id.0, 1);
    assert!(found.clusters[0].members.contains(&third));

    // The same through the incremental index.
    index.remove(third);
    index.insert(base.client(third).unwrap()).unwrap();
    assert_eq!(index.dedupe(&Decisions::new()).clusters[0].members.len(), 3);

    // "Not a duplicate" is remembered.
    let mut decisions = Decisions::new();
    decisions.not_duplicate(clientbase::ClientId(1), again);
    let found = index.dedupe(&decisions);
    let with_one = found
        .clusters
        .iter()
        .find(|c| c.members.contains(&clientbase::ClientId(1)));
    assert!(with_one.is_none_or(|c| !c.members.contains(&again)));
    assert!(!found.refused.is_empty());
}

#[test]
fn a_chain_of_look_alikes_is_not_one_client() {
    // B shares A's phone and C's email; A and C have different birthdays.
    let mut base = ClientBase::default();
    for i in 0..200 {
        let mut stranger = person(
            "Смирнов",
            "Пётр",
            None,
            &format!("8 905 100-{:02}-{:02}", i / 100, i % 100),
        );
        stranger.birthday = born(1950 + i % 50, 1 + (i % 12) as u32, 1 + (i % 28) as u32);
        stranger
            .emails
            .push(clientbase::Email::raw(format!("smirnov{i}@mail.ru")));
        base.add_client(stranger).unwrap();
    }
    let mut a = person("Орлов", "Олег", None, "8 916 555-44-33");
    a.birthday = born(1980, 1, 1);
    let a = base.add_client(a).unwrap();
    let b = base
        .add_client(
            person("Орлов", "Олег", None, "8 916 555-44-33").with_email("orlov.oleg@yandex.ru"),
        )
        .unwrap();
    let mut c = Client::person("Орлов", "Олег", None).with_email("orlov.oleg@yandex.ru");
    c.birthday = born(1999, 9, 9);
    let c = base.add_client(c).unwrap();
    let index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
    let found = index.dedupe(&Decisions::new());
    let cluster_of = found.cluster_of();
    assert!(
        !cluster_of.contains_key(&a) || cluster_of.get(&a) != cluster_of.get(&c),
        "{found:#?}"
    );
    assert!(cluster_of.contains_key(&b));
    assert_eq!(
        found.refused.len(),
        1,
        "{}\n{}",
        index.explain(a, b).unwrap().to_text(),
        index.explain(b, c).unwrap().to_text()
    );
}

#[test]
fn bad_options_and_ids_are_named() {
    let base = family_base();
    let err = MatchOptions::from_json(r#"{"max_blok": 5}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    let err = MatchOptions::from_json(r#"{"threshold": 1.5}"#).unwrap_err();
    assert_eq!(err.field(), Some("threshold"));
    let index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
    let err = index
        .explain(clientbase::ClientId(1), clientbase::ClientId(42))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownId);
    assert_eq!(err.record(), Some("client 42"));
}

#[test]
fn generated_base_meets_the_accuracy_targets_and_estimation_keeps_them() {
    let generated = generate(&GeneratorConfig::new(5_000, 21)).unwrap();
    let mut index = MatchIndex::build(&generated.base, MatchOptions::default()).unwrap();
    let found = index.dedupe(&Decisions::new());
    let scored = accuracy(&generated.truth, &found);
    assert!(scored.precision >= 0.98, "{scored:#?}");
    assert!(scored.recall >= 0.95, "{scored:#?}");
    assert_eq!(scored.related_merged, 0, "{scored:#?}");
    // Every cluster's id is its oldest record and its links join its members.
    for c in &found.clusters {
        assert_eq!(c.id, c.members[0]);
        assert_eq!(c.links.len(), c.members.len() - 1);
    }

    let estimate = index.estimate(200_000, 7).unwrap();
    assert!(
        estimate.pairs > 0 && estimate.iterations > 0,
        "{estimate:?}"
    );
    assert!(
        (0.01..0.5).contains(&estimate.duplicates_per_record),
        "{estimate:?}"
    );
    let estimated = accuracy(&generated.truth, &index.dedupe(&Decisions::new()));
    assert!(estimated.f1 >= 0.95, "{estimated:#?}");
}

fn pet_food(deal: Deal) -> Deal {
    deal.with_line(
        ProductLine::new(
            "Корм для кошек 10 кг",
            Quantity::units(1),
            Money::from_minor(245_000, Currency::RUB),
        )
        .with_category("Корма"),
    )
}

#[test]
fn a_repeated_deal_is_closed_or_flagged() {
    let mut base = family_base();
    let sergey = clientbase::ClientId(1);
    let wife = clientbase::ClientId(2);
    let mut first = pet_food(Deal::new(sergey, Money::zero(Currency::RUB)));
    first.created_at = Some(Utc.with_ymd_and_hms(2024, 12, 1, 10, 0, 0).unwrap());
    first.owner = Some("Анна".into());
    let first = base.add_deal(first).unwrap();
    let mut call = Activity::new(
        sergey,
        ActivityKind::Call,
        Utc.with_ymd_and_hms(2024, 12, 20, 10, 0, 0).unwrap(),
    );
    call.deal = Some(first);
    base.add_activity(call).unwrap();

    // The wife's new deal for the same food, same manager: closed as duplicate,
    // once the matcher links her to her husband.
    let index = MatchIndex::build(&base, MatchOptions::default()).unwrap();
    let related = index.dedupe(&Decisions::new()).related;
    let mut second = pet_food(Deal::new(wife, Money::zero(Currency::RUB)));
    second.created_at = Some(Utc.with_ymd_and_hms(2024, 12, 28, 10, 0, 0).unwrap());
    second.owner = Some("Анна".into());
    assert!(
        find_duplicate_deal(&base, &second, &DealRules::default(), &[])
            .unwrap()
            .is_none()
    );
    let found = find_duplicate_deal(&base, &second, &DealRules::default(), &related)
        .unwrap()
        .unwrap();
    assert_eq!(found.older, first);
    assert!(found.same_decision_unit);
    assert_eq!(found.action, DealAction::Close);
    assert_eq!(open_deals(&base, wife, &related), vec![first]);

    // The wife asks about the same thing in her own words, with no product
    // lines yet: nothing to compare but the pipeline, so a person decides.
    let mut enquiry = Deal::new(wife, Money::zero(Currency::RUB));
    enquiry.title = Some("Вопрос по доставке".into());
    enquiry.created_at = second.created_at;
    let found = find_duplicate_deal(&base, &enquiry, &DealRules::default(), &related)
        .unwrap()
        .unwrap();
    assert_eq!(found.older, first);
    assert_eq!(found.action, DealAction::ReviewSamePipeline);
    enquiry.pipeline = "service".into();
    assert!(
        find_duplicate_deal(&base, &enquiry, &DealRules::default(), &related)
            .unwrap()
            .is_none()
    );

    // Another manager's deal is flagged for a decision.
    second.owner = Some("Игорь".into());
    let found = find_duplicate_deal(&base, &second, &DealRules::default(), &related)
        .unwrap()
        .unwrap();
    assert!(matches!(
        found.action,
        DealAction::ReviewOtherManager { .. }
    ));

    // After 30 days without activity the older deal is abandoned.
    second.created_at = Some(Utc.with_ymd_and_hms(2025, 2, 1, 10, 0, 0).unwrap());
    let found = find_duplicate_deal(&base, &second, &DealRules::default(), &related)
        .unwrap()
        .unwrap();
    assert_eq!(found.action, DealAction::ReviewAbandoned { idle_days: 43 });

    // Recorded as a spouse, no matcher needed; closing marks the status.
    let mut wife_record = base.client(wife).unwrap().clone();
    wife_record.relations.push(clientbase::Relation {
        kind: RelationKind::Spouse,
        to: sergey,
    });
    base.update_client(wife_record).unwrap();
    second.created_at = Some(Utc.with_ymd_and_hms(2024, 12, 28, 10, 0, 0).unwrap());
    second.owner = Some("Анна".into());
    let second = base.add_deal(second).unwrap();
    let all = duplicate_deals(&base, &DealRules::default(), &[]);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].newer, Some(second));
    base.close_duplicate_deal(second, first).unwrap();
    assert_eq!(
        base.deal(second).unwrap().status,
        DealStatus::DuplicateOf(first)
    );
    let err = base.close_duplicate_deal(second, first).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);

    // A deal dated before every open one repeats none of them.
    let mut earlier = pet_food(Deal::new(sergey, Money::zero(Currency::RUB)));
    earlier.created_at = Some(Utc.with_ymd_and_hms(2024, 11, 1, 10, 0, 0).unwrap());
    assert!(
        find_duplicate_deal(&base, &earlier, &DealRules::default(), &[])
            .unwrap()
            .is_none()
    );
}
