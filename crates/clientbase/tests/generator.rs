//! The generator: deterministic, valid, realistic, with a consistent ground truth.
#![cfg(feature = "generator")]

use clientbase::generator::{
    generate, generate_with_progress, DuplicateKind, GeneratorConfig, SharedContact, Stage,
};
use clientbase::{ClientBase, Party, RelationKind};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

fn small(seed: u64) -> GeneratorConfig {
    GeneratorConfig::new(2_000, seed)
}

#[test]
fn same_seed_same_base_and_truth() {
    let a = generate(&small(11)).unwrap();
    let b = generate(&small(11)).unwrap();
    assert_eq!(a.base.to_json().unwrap(), b.base.to_json().unwrap());
    assert_eq!(a.truth, b.truth);
    assert_eq!(
        serde_json::to_string(&a.truth).unwrap(),
        serde_json::to_string(&b.truth).unwrap()
    );
}

#[test]
fn different_seed_different_base() {
    let a = generate(&small(11)).unwrap();
    let b = generate(&small(12)).unwrap();
    assert_ne!(a.base.to_json().unwrap(), b.base.to_json().unwrap());
    assert_ne!(a.truth, b.truth);
}

#[cfg(feature = "parallel")]
#[test]
fn output_does_not_depend_on_the_thread_count() {
    // More than one chunk, so chunks really run on different threads.
    let config = GeneratorConfig::new(5_000, 3);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| generate(&config).unwrap());
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap()
        .install(|| generate(&config).unwrap());
    assert!(one.base == three.base);
    assert_eq!(one.truth, three.truth);
}

#[test]
fn the_base_is_valid_and_survives_json() {
    let generated = generate(&small(5)).unwrap();
    let json = generated.base.to_json().unwrap();
    let back = ClientBase::from_json(&json).unwrap();
    assert!(back == generated.base);
    let counts = generated.base.counts();
    assert_eq!(counts.clients, 2_000);
    assert!(
        counts.companies > 100 && counts.companies < 400,
        "{counts:?}"
    );
    assert!(counts.open_tasks > 0 && counts.open_deals > 0, "{counts:?}");
    // About ten lines per client by default.
    let lines_per_client = counts.deal_lines as f64 / counts.clients as f64;
    assert!(
        (8.0..12.0).contains(&lines_per_client),
        "{lines_per_client}"
    );
}

#[test]
fn ground_truth_is_consistent() {
    let config = GeneratorConfig::new(4_000, 9);
    let generated = generate(&config).unwrap();
    let (base, truth) = (&generated.base, &generated.truth);
    assert_eq!(truth.records.len(), 4_000);
    assert_eq!(truth.seed, 9);
    for (k, record) in truth.records.iter().enumerate() {
        assert_eq!(record.client.get(), k as u64 + 1);
        let client = base.get_client(record.client).unwrap();
        assert_eq!(
            record.phones.len(),
            client.phones.len(),
            "{}",
            record.client
        );
    }
    let entities: BTreeSet<_> = truth.records.iter().map(|r| r.entity).collect();
    assert_eq!(entities.len() as u64, truth.entities);
    assert_eq!(entities.iter().next().unwrap().0, 1);
    assert_eq!(entities.iter().next_back().unwrap().0, truth.entities);

    for pair in &truth.duplicates {
        assert!(truth.same_entity(pair.original, pair.duplicate));
        assert!(pair.original < pair.duplicate);
        assert!(!pair.kinds.is_empty());
        let original = base.get_client(pair.original).unwrap();
        let duplicate = base.get_client(pair.duplicate).unwrap();
        assert!(duplicate.created_at > original.created_at);
        assert_eq!(original.is_company(), duplicate.is_company());
    }
    for pair in &truth.related {
        assert!(!truth.same_entity(pair.a, pair.b), "{pair:?}");
        assert!(pair.a < pair.b);
        let later = base.get_client(pair.b).unwrap();
        let earlier = base.get_client(pair.a).unwrap();
        let holds = |c: &clientbase::Client, to| c.relations.iter().any(|r| r.to == to);
        assert_eq!(
            pair.recorded,
            holds(later, pair.a) || holds(earlier, pair.b),
            "{pair:?}"
        );
        if pair.shared.contains(&SharedContact::Address) {
            assert_eq!(earlier.address, later.address);
            assert!(earlier.address.is_some());
        }
        if pair.shared.contains(&SharedContact::Phone) {
            let numbers = |id| -> HashSet<String> {
                truth
                    .intended_phones(id)
                    .iter()
                    .flat_map(|p| [p.e164.clone(), p.second_e164.clone()])
                    .flatten()
                    .collect()
            };
            assert!(!numbers(pair.a).is_disjoint(&numbers(pair.b)), "{pair:?}");
        }
        if pair.kind == RelationKind::EmployeeOf {
            assert!(earlier.is_company() && !later.is_company());
        }
    }

    // Rates near the configuration: ~10 % of entities duplicated, 1.38 each.
    let duplicated: HashSet<_> = truth
        .duplicates
        .iter()
        .map(|p| truth.entity_of(p.original).unwrap())
        .collect();
    let share = duplicated.len() as f64 / truth.entities as f64;
    assert!((0.07..0.13).contains(&share), "{share}");
    let spouses = truth
        .related
        .iter()
        .filter(|p| p.kind == RelationKind::Spouse)
        .count();
    assert!(spouses > 50, "{spouses}");
    let kinds = truth.kind_counts();
    for kind in [
        DuplicateKind::PhoneRetyped,
        DuplicateKind::EmailTypo,
        DuplicateKind::NameTypo,
        DuplicateKind::Transliterated,
        DuplicateKind::SwappedNameOrder,
        DuplicateKind::MissingField,
        DuplicateKind::CompanyNameVariant,
    ] {
        assert!(
            kinds.get(&kind).copied().unwrap_or(0) > 3,
            "{kind}: {kinds:?}"
        );
    }
    assert_eq!(
        truth
            .duplicate_groups()
            .values()
            .map(Vec::len)
            .sum::<usize>(),
        truth.duplicates.len() + duplicated.len()
    );
}

#[test]
fn different_clients_never_share_a_mailbox_by_accident() {
    let generated = generate(&GeneratorConfig::new(6_000, 21)).unwrap();
    let truth = &generated.truth;
    // A family mailbox is shared by spouses and by their duplicates.
    let entity = |id| truth.entity_of(id).unwrap();
    let family: HashSet<_> = truth
        .related
        .iter()
        .filter(|p| p.shared.contains(&SharedContact::Email))
        .flat_map(|p| [(entity(p.a), entity(p.b)), (entity(p.b), entity(p.a))])
        .collect();
    let mut owner: HashMap<String, clientbase::ClientId> = HashMap::new();
    for client in generated.base.clients() {
        for email in &client.emails {
            let key = email.raw.trim().to_lowercase();
            if let Some(&other) = owner.get(&key) {
                assert!(
                    truth.same_entity(other, client.id)
                        || family.contains(&(entity(other), entity(client.id))),
                    "{key} shared by {other} and {}",
                    client.id
                );
            } else {
                owner.insert(key, client.id);
            }
        }
    }
}

#[test]
fn names_agree_in_gender() {
    let generated = generate(&small(8)).unwrap();
    let mut checked = 0;
    for (client, record) in generated.base.clients().zip(&generated.truth.records) {
        // Originals only: duplicates may be transliterated or swapped.
        if generated
            .truth
            .duplicates
            .iter()
            .any(|d| d.duplicate == record.client)
        {
            continue;
        }
        let Party::Person(name) = &client.party else {
            continue;
        };
        let (Some(surname), Some(patronymic)) = (&name.surname, &name.patronymic) else {
            continue;
        };
        let female = patronymic.ends_with("на");
        assert!(female || patronymic.ends_with("ич"), "{patronymic}");
        if surname.ends_with("ов") || surname.ends_with("ев") || surname.ends_with("ин") {
            assert!(!female, "{surname} {patronymic}");
        }
        if surname.ends_with("ова") || surname.ends_with("ская") {
            assert!(female, "{surname} {patronymic}");
        }
        checked += 1;
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn progress_is_reported_to_the_end() {
    let seen = Mutex::new(Vec::new());
    let generated = generate_with_progress(&small(2), &|p| seen.lock().unwrap().push(p)).unwrap();
    let seen = seen.into_inner().unwrap();
    let last_generating = seen.iter().rfind(|p| p.stage == Stage::Generating).unwrap();
    assert_eq!(last_generating.done, 2_000);
    let last = seen.last().unwrap();
    assert_eq!(last.stage, Stage::Inserting);
    assert_eq!(last.done, last.total);
    let counts = generated.base.counts();
    assert_eq!(
        last.total as usize,
        counts.clients + counts.deals + counts.activities
    );
}

#[test]
fn bad_configs_are_refused_with_the_field() {
    let mut config = small(1);
    config.duplicate_rate = 1.5;
    let err = generate(&config).unwrap_err();
    assert_eq!(err.field(), Some("duplicate_rate"));
    assert_eq!(err.record(), Some("generator config"));
    let mut config = small(1);
    config.lines_per_deal = 0.5;
    assert_eq!(
        generate(&config).unwrap_err().field(),
        Some("lines_per_deal")
    );
}

#[test]
fn empty_and_custom_schemas_work() {
    let empty = generate(&GeneratorConfig::new(0, 1)).unwrap();
    assert_eq!(empty.base.counts().clients, 0);
    assert!(empty.truth.records.is_empty());

    let mut config = GeneratorConfig::new(300, 4);
    let mut schema = clientbase::Schema::new();
    schema.declare_tag("gold").unwrap();
    schema
        .declare_field(clientbase::FieldDef::new(
            "rooms",
            clientbase::FieldType::Integer,
        ))
        .unwrap();
    config.schema = schema;
    let generated = generate(&config).unwrap();
    assert!(generated.base.clients().any(|c| c.tags.contains("gold")));
    assert!(generated
        .base
        .clients()
        .any(|c| c.custom.contains_key("rooms")));
}

#[test]
fn phones_are_a_realistic_mix() {
    let generated = generate(&GeneratorConfig::new(8_000, 17)).unwrap();
    let intended: Vec<_> = generated
        .truth
        .records
        .iter()
        .flat_map(|r| &r.phones)
        .collect();
    let count = |f: &dyn Fn(&str) -> bool| {
        intended
            .iter()
            .filter(|p| p.e164.as_deref().is_some_and(f))
            .count()
    };
    assert!(count(&|e| e.starts_with("+79")) > 5_000);
    assert!(count(&|e| e.starts_with("+7812")) > 50);
    assert!(count(&|e| e.starts_with("+7495") || e.starts_with("+7499")) > 100);
    assert!(count(&|e| e.starts_with("+7800")) > 20);
    assert!(count(&|e| e.starts_with("+77")) > 20);
    assert!(count(&|e| !e.starts_with("+7")) > 10);
    let invalid = intended.iter().filter(|p| p.e164.is_none()).count();
    assert!(invalid > 50 && invalid < 400, "{invalid}");
    assert!(intended.iter().any(|p| p.extension.is_some()));
    assert!(intended.iter().any(|p| p.second_e164.is_some()));
    // Phones are stored as typed; normalization is another module's job.
    assert!(generated
        .base
        .clients()
        .flat_map(|c| &c.phones)
        .all(|p| p.e164.is_none()));
}

#[test]
fn open_deals_sit_in_the_stage_orders_the_generator_publishes() {
    let orders = clientbase::generator::stage_orders();
    let generated = generate(&small(5)).unwrap();
    let mut open = 0;
    for deal in generated.base.deals().filter(|d| !d.status.is_closed()) {
        let stages = orders
            .get(deal.pipeline.as_str())
            .unwrap_or_else(|| panic!("pipeline {:?} has no stage order", deal.pipeline));
        assert!(
            stages.iter().any(|s| *s == deal.stage),
            "deal {} is in stage {:?}, not in the order of {:?}",
            deal.id.0,
            deal.stage,
            deal.pipeline
        );
        open += 1;
    }
    assert!(open > 0, "the generated base has open deals to check");
}
