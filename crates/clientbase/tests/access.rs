//! Views restricted by role (`clientbase::access`): what a manager sees, how
//! contacts are masked, which exports a policy refuses and how exports are
//! logged; and the property that no call made through a restricted view
//! returns a client outside it or an unmasked contact, on random bases and
//! policies, for every read capability of the registry.

use chrono::{TimeZone, Utc};
use clientbase::access::{ContactAccess, ExportKind, Policy, Scope, View};
use clientbase::capability::{Access, CAPABILITIES};
use clientbase::{
    Activity, ActivityKind, Channel, Client, ClientBase, ClientId, Consent, Currency, Deal,
    DealStatus, Email, ErrorKind, Money, Phone, ProductLine, Quantity, Relation, RelationKind,
    Schema,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const OWNERS: [&str; 3] = ["Анна", "Борис", "Вера"];

/// One client of a random base.
#[derive(Debug, Clone)]
struct Spec {
    owner: Option<usize>,
    email: bool,
    spouse_of: Option<usize>,
    deals: Vec<(u32, u8)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::option::weighted(0.8, 0..OWNERS.len()),
        any::<bool>(),
        proptest::option::weighted(0.3, 0..8usize),
        proptest::collection::vec((1..100_000u32, 0..3u8), 0..3),
    )
        .prop_map(|(owner, email, spouse_of, deals)| Spec {
            owner,
            email,
            spouse_of,
            deals,
        })
}

/// A marker that is in one client's name and nowhere else.
fn marker(i: usize) -> String {
    format!("zorg{i:03}q")
}

fn national(i: usize, seed: u32) -> String {
    format!("916{:07}", (seed as usize + i * 7_919) % 10_000_000)
}

fn email(i: usize) -> String {
    format!("mailbox{i:03}x@example.ru")
}

/// A base from the specs: client `i` is named by its marker, has a unique
/// phone (and email), an owner, maybe a spouse, deals and a note naming it.
fn build(specs: &[Spec], seed: u32) -> ClientBase {
    let mut base = ClientBase::new(Schema::new());
    let at = Utc.with_ymd_and_hms(2025, 1, 15, 10, 0, 0).unwrap();
    base.freeze_clock(Some(at));
    for (i, spec) in specs.iter().enumerate() {
        let mut client = Client::person(&marker(i).to_uppercase(), "Ольга", None);
        client.owner = spec.owner.map(|o| OWNERS[o].to_string());
        client.city = Some("Москва".into());
        client
            .phones
            .push(Phone::raw(format!("+7{}", national(i, seed))));
        client.consents.marketing.insert(
            Channel::Sms,
            Consent::given(chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()),
        );
        if spec.email {
            client.emails.push(Email::raw(email(i)));
        }
        if let Some(to) = spec.spouse_of.filter(|&to| to < i) {
            client.relations.push(Relation {
                kind: RelationKind::Spouse,
                to: ClientId(to as u64 + 1),
            });
        }
        let id = base.add_client(client).unwrap();
        for &(amount, status) in &spec.deals {
            let money = Money::from_minor(amount as i64 * 100, Currency::RUB);
            let mut deal =
                Deal::new(id, money).with_line(ProductLine::new("Корм", Quantity::units(1), money));
            deal.owner = spec.owner.map(|o| OWNERS[o].into());
            deal.status = match status {
                0 => DealStatus::Open,
                1 => DealStatus::Won,
                _ => DealStatus::Lost,
            };
            if deal.status.is_closed() {
                deal.closed_at = Some(at);
            }
            base.add_deal(deal).unwrap();
        }
        let mut note = Activity::new(id, ActivityKind::Note, at);
        note.text = Some(format!("звонок {}", marker(i)));
        base.add_activity(note).unwrap();
    }
    base.freeze_clock(Some(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()));
    base
}

/// The params tried for each capability: `{}`, the shared vectors' params,
/// and those with `client` (and `deal`) set to each record of the base.
fn param_sets(base: &ClientBase) -> BTreeMap<String, Vec<Value>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/capabilities.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut sets: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for case in doc["vectors"].as_array().unwrap() {
        let name = case["capability"].as_str().unwrap().to_string();
        let params = case["params"].clone();
        let list = sets.entry(name).or_insert_with(|| vec![json!({})]);
        if params["client"].is_u64() {
            for client in base.clients() {
                let mut p = params.clone();
                p["client"] = json!(client.id.0);
                list.push(p);
            }
        }
        if params["deal"].is_u64() {
            for deal in base.deals() {
                let mut p = params.clone();
                p["deal"] = json!(deal.id.0);
                list.push(p);
            }
        }
        list.push(params);
    }
    for client in base.clients() {
        sets.entry("open_deals_owners".into())
            .or_default()
            .push(json!({"client": client.id.0}));
        sets.entry("open_deals".into())
            .or_default()
            .push(json!({"client": client.id.0}));
    }
    sets
}

/// Everything a call gave back that the actor must not have: a foreign
/// client's marker or id, or (for a masked or hidden role) a full contact.
fn leaks(out: &Value, base: &ClientBase, view: &View) -> Vec<String> {
    let grant = view.grant();
    let mut found = Vec::new();
    let foreign: Vec<(ClientId, String)> = base
        .clients()
        .filter(|c| !grant.sees(c))
        .map(|c| (c.id, marker(c.id.0 as usize - 1)))
        .collect();
    let contacts: Vec<String> = if grant.contacts == ContactAccess::Full {
        Vec::new()
    } else {
        base.clients()
            .flat_map(|c| {
                let mut v: Vec<String> = c
                    .phones
                    .iter()
                    .map(|p| p.raw.chars().filter(char::is_ascii_digit).skip(1).collect())
                    .collect();
                v.extend(
                    c.emails
                        .iter()
                        .map(|e| e.raw.split('@').next().unwrap().to_string() + "@"),
                );
                v
            })
            .collect()
    };
    let visible = |id: u64| !foreign.iter().any(|(f, _)| f.0 == id);
    fn walk(value: &Value, key: Option<&str>, each: &mut dyn FnMut(&Value, Option<&str>)) {
        each(value, key);
        match value {
            Value::Array(items) => items.iter().for_each(|v| walk(v, key, each)),
            Value::Object(map) => {
                // A table's column: its values are under the column's name.
                let column = map.get("name").and_then(Value::as_str);
                for (k, v) in map {
                    let key = if k == "values" {
                        column
                    } else {
                        Some(k.as_str())
                    };
                    walk(v, key, each);
                }
            }
            _ => {}
        }
    }
    walk(out, None, &mut |value, key| match value {
        Value::String(text) => {
            let lower = text.to_lowercase();
            for (id, m) in &foreign {
                if lower.contains(m.as_str()) {
                    found.push(format!("{id}'s name in {text:?}"));
                }
            }
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            for contact in &contacts {
                let hit = if contact.ends_with('@') {
                    lower.contains(contact.as_str())
                } else {
                    digits.contains(contact.as_str())
                };
                if hit {
                    found.push(format!("contact {contact} in {text:?}"));
                }
            }
        }
        Value::Number(n) if key == Some("client") => {
            if let Some(id) = n.as_u64() {
                if !visible(id) {
                    found.push(format!("client {id} under {key:?}"));
                }
            }
        }
        _ => {}
    });
    found
}

fn policy_of(
    clients: Scope,
    contacts: ContactAccess,
    owns: &[usize],
    forbid: &[ExportKind],
) -> Policy {
    let owns: Vec<&str> = owns.iter().map(|&o| OWNERS[o]).collect();
    Policy::from_value(json!({
        "roles": {"r": {"clients": clients, "contacts": contacts, "forbid_exports": forbid,
                        "export_reason": "test policy"}},
        "actors": {"actor": {"role": "r", "owns": if owns.is_empty() { vec!["nobody"] } else { owns }}}
    }))
    .unwrap()
}

fn export_kinds() -> impl Strategy<Value = Vec<ExportKind>> {
    proptest::sample::subsequence(
        vec![
            ExportKind::Csv,
            ExportKind::Json,
            ExportKind::Table,
            ExportKind::Audience,
            ExportKind::Backup,
            ExportKind::All,
        ],
        0..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn no_call_through_a_view_leaks(
        specs in proptest::collection::vec(spec(), 1..7),
        seed in 0..10_000_000u32,
        clients in prop_oneof![Just(Scope::Own), Just(Scope::All)],
        contacts in prop_oneof![Just(ContactAccess::Masked), Just(ContactAccess::Hidden), Just(ContactAccess::Full)],
        owns in proptest::sample::subsequence(vec![0usize, 1, 2], 0..3),
        forbid in export_kinds(),
    ) {
        let base = build(&specs, seed);
        let policy = policy_of(clients, contacts, &owns, &forbid);
        let mut view = View::new(&base, &policy, "actor").unwrap();
        let sets = param_sets(&base);
        let dir = std::env::temp_dir().join(format!("cb-access-{}-{seed}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut called = 0;
        let mut answered = BTreeSet::new();
        for info in CAPABILITIES {
            // Converts a file with LibreOffice: no base, and slow.
            if info.name == "docx_to_pdf" {
                continue;
            }
            let mut params = sets.get(info.name).cloned().unwrap_or_else(|| vec![json!({})]);
            if info.name == "backup" {
                params = vec![json!({"path": dir.join(format!("backup-{called}.cb"))})];
            }
            for p in params {
                called += 1;
                let result = view.call(&base, info.name, p.clone());
                if info.access() == Access::Write {
                    prop_assert_eq!(result.unwrap_err().kind(), ErrorKind::Forbidden);
                    continue;
                }
                let kind = clientbase::access::export_kind(info.name);
                if let Some(kind) = kind {
                    let refused = view.grant().check_export(kind, info.name).is_err();
                    if refused {
                        prop_assert_eq!(result.unwrap_err().kind(), ErrorKind::Forbidden);
                        answered.insert(info.name);
                        continue;
                    }
                }
                let out = match result {
                    Ok(out) => {
                        answered.insert(info.name);
                        out.into_json().unwrap()
                    }
                    Err(err) => Value::String(err.to_string()),
                };
                let found = leaks(&out, &base, &view);
                prop_assert!(found.is_empty(), "{} {}: {:?}", info.name, p, found);
                #[cfg(feature = "storage")]
                if info.name == "backup" && out.is_object() {
                    let copy = ClientBase::open(out["path"].as_str().unwrap()).unwrap();
                    let json: Value = serde_json::from_str(&copy.to_json().unwrap()).unwrap();
                    let found = leaks(&json, &base, &view);
                    prop_assert!(found.is_empty(), "backup: {:?}", found);
                }
            }
        }
        #[cfg_attr(not(feature = "csv"), allow(unused_mut))]
        let mut exports = vec![view.to_json(&base).map(Value::String)];
        #[cfg(feature = "csv")]
        exports.extend([
            {
                let mut out = Vec::new();
                view.export_clients_csv(&base, &mut out)
                    .map(|()| Value::String(String::from_utf8(out).unwrap()))
            },
            {
                let mut out = Vec::new();
                view.export_deals_csv(&base, &mut out)
                    .map(|()| Value::String(String::from_utf8(out).unwrap()))
            },
        ]);
        for export in exports {
            match export {
                Ok(out) => {
                    let found = leaks(&out, &base, &view);
                    prop_assert!(found.is_empty(), "export: {:?}", found);
                }
                Err(err) => prop_assert_eq!(err.kind(), ErrorKind::Forbidden),
            }
        }
        // Most read capabilities answered or were refused by the policy (the
        // rest refused their params).
        prop_assert!(answered.len() >= 35, "{:?}", answered);
        // What the actor sees is exactly the clients the policy gives them.
        let seen: BTreeSet<ClientId> = view.clients(&base).unwrap().iter().map(|c| c.id).collect();
        let expected: BTreeSet<ClientId> = base
            .clients()
            .filter(|c| clients == Scope::All || c.owner.as_deref().is_some_and(|o| owns.iter().any(|&i| OWNERS[i] == o)))
            .map(|c| c.id)
            .collect();
        prop_assert_eq!(seen, expected);
        std::fs::remove_dir_all(&dir).ok();
    }
}

fn manager_policy() -> Policy {
    Policy::from_json(
        r#"{"roles": {
              "manager": {"clients": "own", "contacts": "masked",
                          "forbid_exports": ["csv", "json"],
                          "export_reason": "managers do not take the base home"},
              "head": {"clients": "all", "contacts": "full"}},
            "actors": {"anna": {"role": "manager", "owns": ["Анна"]},
                       "head": {"role": "head", "forbid_exports": ["backup"],
                                "export_reason": "backups are the admin's"}}}"#,
    )
    .unwrap()
}

#[test]
fn a_manager_sees_own_clients_masked_and_relatives_deals_as_owned_by() {
    let specs = vec![
        Spec {
            owner: Some(0),
            email: true,
            spouse_of: None,
            deals: vec![(10, 0)],
        },
        Spec {
            owner: Some(1),
            email: true,
            spouse_of: Some(0),
            deals: vec![(20, 0), (30, 1)],
        },
        Spec {
            owner: None,
            email: false,
            spouse_of: None,
            deals: vec![],
        },
    ];
    let base = build(&specs, 1_234_567);
    let mut view = View::new(&base, &manager_policy(), "anna").unwrap();
    let clients = view.clients(&base).unwrap();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0].phones[0].raw, "+7 916 ***-**-67");
    assert_eq!(clients[0].emails[0].raw, "m***@example.ru");
    let table = view
        .call(
            &base,
            "clients_table",
            json!({"fields": ["id", "phones_json"]}),
        )
        .unwrap();
    let table = table.into_json().unwrap();
    assert_eq!(table["columns"][0]["values"], json!([1]));
    let phones = table["columns"][1]["values"][0].as_str().unwrap();
    assert!(
        phones.contains("+7 916 ***-**-67") && !phones.contains("4567"),
        "{phones}"
    );
    // The detector of leaks finds them in what the base itself gives.
    let plain = clientbase::capability::call_read(&base, "clients_table", json!({})).unwrap();
    let found = leaks(&plain.into_json().unwrap(), &base, &view);
    assert!(found.iter().any(|f| f.contains("name")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("contact")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("client 2")), "{found:?}");
    let deals = view
        .call(&base, "open_deals_owners", json!({"client": 1}))
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        deals,
        json!([
            {"deal": 1, "client": 1, "owner": "Анна", "visible": true},
            {"deal": null, "client": null, "owner": "Борис", "visible": false}
        ])
    );
    // The plain base tells the whole truth.
    let all = clientbase::capability::call_read(&base, "open_deals_owners", json!({"client": 1}))
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(all[1]["deal"], 2);
    let err = view.to_json(&base).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(
        err.to_string(),
        "forbidden: actor \"anna\", field \"export_json\": json exports (export_json) are refused to the role \"manager\": managers do not take the base home"
    );
}

#[cfg(all(feature = "csv", feature = "storage"))]
#[test]
fn exports_through_a_view_are_logged_with_the_actor_and_count() {
    let dir = std::env::temp_dir().join(format!("cb-access-log-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let specs = vec![
        Spec {
            owner: Some(0),
            email: true,
            spouse_of: None,
            deals: vec![(10, 0)],
        },
        Spec {
            owner: Some(0),
            email: true,
            spouse_of: None,
            deals: vec![],
        },
        Spec {
            owner: Some(1),
            email: true,
            spouse_of: None,
            deals: vec![(20, 0)],
        },
    ];
    let mut base = build(&specs, 42);
    base.save_as(dir.join("base.cb")).unwrap();
    base.set_actor(Some("host"));
    let policy = manager_policy();
    let mut anna = View::new(&base, &policy, "anna").unwrap();
    anna.call(&base, "clients_table", json!({})).unwrap();
    anna.call(&base, "audience", json!({"channel": "sms"}))
        .unwrap();
    assert!(anna.export_clients_csv(&base, Vec::new()).is_err());
    let mut head = View::new(&base, &policy, "head").unwrap();
    head.call(&base, "deals_table", json!({})).unwrap();
    let mut csv = Vec::new();
    head.export_clients_csv(&base, &mut csv).unwrap();
    let err = head
        .call(&base, "backup", json!({"path": dir.join("copy.cb")}))
        .unwrap_err();
    assert!(err.to_string().contains("backups are the admin's"), "{err}");
    assert!(!dir.join("copy.cb").exists());
    // The plain base logs its own actor; audiences are logged too.
    clientbase::capability::call_read(&base, "audience", json!({"channel": "sms"})).unwrap();
    let log: Vec<(String, Option<u64>, Option<String>)> = base
        .changes(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|c| c.exported.is_some())
        .map(|c| (c.action, c.exported, c.actor))
        .collect();
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        log,
        vec![
            ("clients_table".into(), Some(2), some("anna")),
            // Anna's phones are masked: nobody in her audience can be reached.
            ("audience".into(), Some(0), some("anna")),
            ("deals_table".into(), Some(2), some("head")),
            ("export_clients_csv".into(), Some(3), some("head")),
            ("audience".into(), Some(3), some("host")),
        ]
    );
    drop(base);
    std::fs::remove_dir_all(&dir).ok();
}

#[cfg(feature = "csv")]
#[test]
fn csv_exports_by_kind_name() {
    let specs = vec![Spec {
        owner: Some(0),
        email: true,
        spouse_of: None,
        deals: vec![(10, 0)],
    }];
    let base = build(&specs, 7);
    let policy = manager_policy();
    let mut head = View::new(&base, &policy, "head").unwrap();
    let (mut by_kind, mut named) = (Vec::new(), Vec::new());
    head.export_csv(&base, "deal", &mut by_kind).unwrap();
    head.export_deals_csv(&base, &mut named).unwrap();
    assert_eq!(by_kind, named);
    let err = head
        .export_csv(&base, "activity", &mut Vec::new())
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidValue, Some("kind"))
    );
    let mut anna = View::new(&base, &policy, "anna").unwrap();
    let err = anna
        .export_csv(&base, "client", &mut Vec::new())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}
