//! Merging clients loses nothing and undoes exactly.
#![cfg(feature = "generator")]

use chrono::NaiveDate;
use clientbase::generator::{generate, GeneratorConfig};
use clientbase::{
    Channel, Client, ClientBase, ClientId, Consent, ConsentState, Currency, Deal, ErrorKind,
    MergeRules, Money, RelationKind, Survivorship,
};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn generated() -> &'static ClientBase {
    static BASE: OnceLock<ClientBase> = OnceLock::new();
    BASE.get_or_init(|| generate(&GeneratorConfig::new(60, 3)).unwrap().base)
}

/// A client's deals, activities and incoming relations, as the indexes say.
type Indexed = (ClientId, Vec<u64>, Vec<u64>, Vec<(ClientId, RelationKind)>);

/// Everything the indexes say, to compare besides the records.
fn indexes(base: &ClientBase) -> Vec<Indexed> {
    base.clients()
        .map(|c| {
            let mut related: Vec<_> = base.related_to(c.id).collect();
            related.sort();
            (
                c.id,
                base.deals_of(c.id).map(|d| d.id.0).collect(),
                base.activities_of(c.id).map(|a| a.id.0).collect(),
                related,
            )
        })
        .collect()
}

fn rule(choice: u8, manual: ClientId) -> Survivorship {
    match choice % 5 {
        0 => Survivorship::MostRecent,
        1 => Survivorship::MostComplete,
        2 => Survivorship::MostFrequent,
        3 => Survivorship::SourcePriority(vec!["сайт".into(), "звонок".into()]),
        _ => Survivorship::Manual(manual),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn merge_then_undo_gives_back_the_same_base(
        picks in proptest::collection::btree_set(0usize..60, 2..6),
        survivor_at in 0usize..6,
        default_rule in 0u8..5,
        city_rule in 0u8..5,
        reread_json in proptest::bool::weighted(0.1),
    ) {
        let original = generated();
        let mut base = original.clone();
        let ids: Vec<ClientId> = base.clients().map(|c| c.id).collect();
        let members: Vec<ClientId> = picks.iter().map(|i| ids[*i]).collect();
        let survivor = members[survivor_at % members.len()];
        let others: Vec<ClientId> = members.iter().copied().filter(|m| *m != survivor).collect();
        let manual = members[(survivor_at + 1) % members.len()];
        let rules = MergeRules::new(rule(default_rule, manual))
            .with_field("city", rule(city_rule, manual));
        let deals_before: usize = members.iter().map(|m| base.deals_of(*m).count()).sum();
        let phones_before: BTreeSet<String> = members
            .iter()
            .flat_map(|m| base.client(*m).unwrap().phones.iter().map(|p| p.raw.trim().to_string()))
            .collect();
        let tags_before: BTreeSet<String> = members
            .iter()
            .flat_map(|m| base.client(*m).unwrap().tags.iter().cloned())
            .collect();

        let companies = members.iter().filter(|m| base.client(**m).unwrap().is_company()).count();
        if companies != 0 && companies != members.len() {
            let err = base.merge_clients(survivor, &others, &rules).unwrap_err();
            prop_assert_eq!(err.kind(), ErrorKind::Conflict);
            prop_assert!(&base == original);
            return Ok(());
        }
        let record = base.merge_clients(survivor, &others, &rules).unwrap();

        // Nothing lost: deals, contact points and tags all on the survivor.
        prop_assert_eq!(base.deals_of(survivor).count(), deals_before);
        let merged = base.client(survivor).unwrap();
        for raw in &phones_before {
            prop_assert!(merged.phones.iter().any(|p| p.raw.trim() == raw), "lost phone {}", raw);
        }
        prop_assert_eq!(&merged.tags, &tags_before);
        for other in &others {
            prop_assert!(base.get_client(*other).is_none());
            prop_assert!(base.related_to(*other).next().is_none());
        }
        prop_assert!(merged.relations.iter().all(|r| r.to != survivor && !others.contains(&r.to)));
        // The merged base is valid as a whole (reading JSON checks every
        // reference; a tenth of the cases, it is the slow part).
        if reread_json {
            let reread = ClientBase::from_json(&base.to_json().unwrap());
            prop_assert!(reread.is_ok(), "{:?}", reread.err());
        }

        prop_assert_eq!(base.merges().len(), 1);
        base.undo_merge(&record).unwrap();
        prop_assert!(base.merges().is_empty());
        prop_assert!(&base == original);
        prop_assert_eq!(indexes(&base), indexes(original));
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
}

#[test]
fn survivorship_rules_choose_per_field() {
    let mut base = ClientBase::default();
    base.freeze_clock(Some("2025-01-01T00:00:00Z".parse().unwrap()));
    let mut a = Client::person("Иванов", "Сергей", Some("Петрович"));
    a.city = Some("Москва".into());
    a.source = Some("звонок".into());
    let a = base.add_client(a).unwrap();
    base.freeze_clock(Some("2025-02-01T00:00:00Z".parse().unwrap()));
    let mut b = Client::person("Ivanov", "Sergey", None);
    b.city = Some("Санкт-Петербург".into());
    b.source = Some("сайт".into());
    let b = base.add_client(b).unwrap();
    base.freeze_clock(Some("2025-03-01T00:00:00Z".parse().unwrap()));
    let mut c = Client::person("Иванов", "Сергей", None);
    c.city = Some("Москва".into());
    let c = base.add_client(c).unwrap();

    let pick = |rules: MergeRules| {
        let mut base = base.clone();
        base.merge_clients(a, &[b, c], &rules).unwrap();
        base.client(a).unwrap().clone()
    };
    // The newest record with a city is c (Москва), the newest name is c's.
    let recent = pick(MergeRules::default());
    assert_eq!(recent.city.as_deref(), Some("Москва"));
    // The fullest name is a's, with its patronymic.
    let complete = pick(MergeRules::new(Survivorship::MostComplete));
    assert_eq!(complete.display_name(), "Иванов Сергей Петрович");
    // Two records of three say Москва.
    let frequent = pick(MergeRules::default().with_field("city", Survivorship::MostFrequent));
    assert_eq!(frequent.city.as_deref(), Some("Москва"));
    // The site is trusted first.
    let sourced = pick(
        MergeRules::default().with_field("city", Survivorship::SourcePriority(vec!["сайт".into()])),
    );
    assert_eq!(sourced.city.as_deref(), Some("Санкт-Петербург"));
    let manual = pick(MergeRules::default().with_field("city", Survivorship::Manual(b)));
    assert_eq!(manual.city.as_deref(), Some("Санкт-Петербург"));
    // The survivor was known since the first record.
    assert_eq!(recent.created_at, base.client(a).unwrap().created_at);
}

#[test]
fn the_strictest_consent_wins_and_contacts_are_united() {
    let mut base = ClientBase::default();
    let a = base
        .add_client(
            Client::person("Иванов", "Сергей", None)
                .with_phone("8 916 123-45-67")
                .with_consent(Channel::Sms, Consent::given(day(1)))
                .with_consent(Channel::Email, Consent::given(day(1))),
        )
        .unwrap();
    let b = base
        .add_client(
            Client::person("Иванов", "Сергей", None)
                .with_phone("8 916 123-45-67")
                .with_phone("8 495 765-43-21")
                .with_consent(Channel::Sms, Consent::withdrawn(day(2)))
                .with_consent(Channel::Email, Consent::given(day(5))),
        )
        .unwrap();
    base.add_deal(Deal::new(b, Money::from_minor(100, Currency::RUB)))
        .unwrap();
    base.merge_clients(a, &[b], &MergeRules::default()).unwrap();
    let merged = base.client(a).unwrap();
    assert_eq!(merged.phones.len(), 2);
    let sms = merged.consents.marketing[&Channel::Sms];
    assert_eq!(sms.state, ConsentState::Withdrawn);
    assert_eq!(merged.consents.marketing[&Channel::Email].date, day(5));
    assert_eq!(base.deals_of(a).count(), 1);
}

#[test]
fn bad_merges_are_refused_and_change_nothing() {
    let mut base = ClientBase::default();
    let a = base
        .add_client(Client::person("Иванов", "Сергей", None))
        .unwrap();
    let b = base
        .add_client(Client::person("Иванов", "Сергей", None))
        .unwrap();
    let c = base
        .add_client(Client::person("Петров", "Пётр", None))
        .unwrap();
    let before = base.clone();
    let err = base
        .merge_clients(a, &[ClientId(99)], &MergeRules::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownId);
    let err = base
        .merge_clients(a, &[b, b], &MergeRules::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    // Nothing to merge is a mistake, not a merge logged that did nothing.
    let err = base
        .merge_clients(a, &[], &MergeRules::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(err.record(), Some("client 1"));
    assert_eq!(err.field(), Some("others"));
    assert!(err.reason().contains("is empty"), "{err}");
    let err = base
        .merge_clients(
            a,
            &[b],
            &MergeRules::default().with_field("colour", Survivorship::MostRecent),
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("colour"));
    let err = base
        .merge_clients(a, &[b], &MergeRules::new(Survivorship::Manual(c)))
        .unwrap_err();
    assert!(
        err.to_string().contains("not one of the merged records"),
        "{err}"
    );
    assert!(base == before);

    // The merge is logged in the base, and the log is part of its JSON.
    let record = base.merge_clients(a, &[b], &MergeRules::default()).unwrap();
    assert_eq!(base.merges(), std::slice::from_ref(&record));
    let reread = ClientBase::from_json(&base.to_json().unwrap()).unwrap();
    assert!(reread == base);
    assert_eq!(reread.merges()[0], record);
    let mut undone = reread.clone();
    undone.undo_merge(&undone.merges()[0].clone()).unwrap();
    assert!(undone.merges().is_empty());
    assert!(undone == before);

    // An undo after the survivor changed would lose the change: refused.
    let mut edited = base.client(a).unwrap().clone();
    edited.city = Some("Тула".into());
    base.update_client(edited).unwrap();
    let err = base.undo_merge(&record).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(base.client(a).unwrap().city.as_deref(), Some("Тула"));
}
