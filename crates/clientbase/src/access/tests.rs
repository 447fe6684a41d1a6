use super::*;
use crate::client::{Email, Messenger, MessengerKind, Phone, RelationKind};
use crate::deal::Deal;
use crate::money::{Currency, Money};
use crate::schema::Schema;

fn client(surname: &str, owner: Option<&str>, phone: &str, email: &str) -> Client {
    let mut c = Client::person(surname, "Имя", None);
    c.owner = owner.map(str::to_string);
    c.phones.push(Phone {
        e164: Some(phone.to_string()),
        ..Phone::raw(phone)
    });
    c.emails.push(Email::raw(email));
    c
}

fn policy() -> Policy {
    Policy::from_json(
        r#"{"roles": {
              "manager": {"clients": "own", "contacts": "full"},
              "operator": {"clients": "all", "contacts": "masked", "forbid_exports": ["all"],
                           "export_reason": "operators only call"},
              "head": {"clients": "all", "contacts": "full"}},
            "actors": {"ivanov": {"role": "manager", "owns": ["Иванов"]},
                       "boss": {"role": "head", "forbid_exports": ["csv"]}},
            "default_role": "operator"}"#,
    )
    .unwrap()
}

#[test]
fn policies_are_checked() {
    let typo = Policy::from_json(r#"{"roles": {"m": {"client": "own"}}}"#).unwrap_err();
    assert_eq!(typo.kind(), ErrorKind::Json);
    assert!(
        typo.to_string().contains("unknown field `client`"),
        "{typo}"
    );
    let missing = Policy::from_json(r#"{"actors": {"a": {"role": "nobody"}}}"#).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::InvalidValue);
    assert_eq!(missing.record(), Some("actor \"a\""));
    assert_eq!(missing.field(), Some("role"));
    let scope = Policy::from_json(r#"{"roles": {"m": {"clients": "some"}}}"#).unwrap_err();
    assert_eq!(scope.kind(), ErrorKind::Json);
    let stranger = Policy::from_json(r#"{"roles": {"m": {}}}"#)
        .unwrap()
        .grant("x")
        .unwrap_err();
    assert_eq!(stranger.kind(), ErrorKind::Forbidden);
}

#[test]
fn grants_resolve_roles_owners_and_exports() {
    let p = policy();
    let ivanov = p.grant("ivanov").unwrap();
    assert_eq!(
        (ivanov.clients, ivanov.contacts),
        (Scope::Own, ContactAccess::Full)
    );
    assert!(ivanov.owns.contains("Иванов") && !ivanov.owns.contains("ivanov"));
    let stranger = p.grant("Петрова").unwrap();
    assert_eq!(stranger.role, "operator");
    assert!(stranger.owns.contains("Петрова"));
    let err = stranger
        .check_export(ExportKind::Table, "clients_table")
        .unwrap_err();
    assert!(err.to_string().contains("operators only call"), "{err}");
    let boss = p.grant("boss").unwrap();
    assert!(boss
        .check_export(ExportKind::Table, "clients_table")
        .is_ok());
    let err = boss
        .check_export(ExportKind::Csv, "export_clients_csv")
        .unwrap_err();
    assert!(err.to_string().contains("actor \"boss\""), "{err}");
}

#[test]
fn masking_keeps_the_shape_and_drops_the_number() {
    let mut c = client("А", None, "+79161234567", "ivanov@mail.ru");
    c.messengers.push(Messenger {
        kind: MessengerKind::Telegram,
        id: "@ivanov".into(),
        consent: None,
    });
    let mut masked = c.clone();
    mask::mask_client(&mut masked, ContactAccess::Masked);
    assert_eq!(masked.phones[0].raw, "+7 916 ***-**-67");
    assert_eq!(masked.phones[0].e164, None);
    assert_eq!(masked.emails[0].raw, "i***@mail.ru");
    assert_eq!(masked.messengers[0].id, "i***");
    let mut hidden = c.clone();
    mask::mask_client(&mut hidden, ContactAccess::Hidden);
    assert!(hidden.phones.is_empty() && hidden.emails.is_empty() && hidden.messengers.is_empty());
    let mut full = c.clone();
    mask::mask_client(&mut full, ContactAccess::Full);
    assert_eq!(full, c);
}

fn base() -> (ClientBase, ClientId, ClientId) {
    let mut base = ClientBase::new(Schema::new());
    let mine = base
        .add_client(client("Мой", Some("Иванов"), "+79161112233", "my@mail.ru"))
        .unwrap();
    let mut wife = client("Жена", Some("Петров"), "+79164445566", "wife@mail.ru");
    wife.relations.push(crate::client::Relation {
        kind: RelationKind::Spouse,
        to: mine,
    });
    let wife = base.add_client(wife).unwrap();
    base.add_deal(Deal::new(mine, Money::zero(Currency::RUB)))
        .unwrap();
    base.add_deal(Deal::new(wife, Money::zero(Currency::RUB)))
        .unwrap();
    (base, mine, wife)
}

#[test]
fn a_manager_sees_own_clients_and_relatives_deals_only_as_owned_by() {
    let (mut base, mine, wife) = base();
    let mut view = View::new(&base, &policy(), "ivanov").unwrap();
    let ids: Vec<ClientId> = view.clients(&base).unwrap().iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![mine]);
    assert_eq!(
        view.client(&base, wife).unwrap_err().kind(),
        ErrorKind::UnknownId
    );
    assert!(view.base(&base).related_to(mine).next().is_none());
    let seen = view
        .call(
            &base,
            "open_deals_owners",
            serde_json::json!({"client": mine.0}),
        )
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        seen,
        serde_json::json!([
            {"deal": 1, "client": mine.0, "owner": "Иванов", "visible": true},
            {"deal": null, "client": null, "owner": "Петров", "visible": false}
        ])
    );
    let err = view
        .call(
            &base,
            "open_deals_owners",
            serde_json::json!({"client": wife.0}),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownId);
    // A write on the base reaches the view at its next call.
    let mut more = client("Второй", Some("Иванов"), "+79167778899", "two@mail.ru");
    more.relations.clear();
    let second = base.add_client(more).unwrap();
    assert!(view.client(&base, second).is_ok());
}

#[test]
fn views_refuse_writes_and_the_change_log() {
    let (base, _, _) = base();
    let mut view = View::new(&base, &policy(), "ivanov").unwrap();
    let err = view
        .call(&base, "set_actor", serde_json::json!({"actor": "x"}))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    #[cfg(feature = "storage")]
    {
        let err = view
            .call(&base, "changes", serde_json::json!({}))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden);
    }
}

#[test]
fn an_unrestricted_view_reads_the_base_itself() {
    let (base, _, _) = base();
    let mut view = View::new(&base, &policy(), "boss").unwrap();
    assert!(std::ptr::eq(view.base(&base), &base));
    assert_eq!(view.clients(&base).unwrap().len(), 2);
}

/// A history read through a view has the base file's change log, its contact
/// points as the role sees them, and only for a client in the view.
#[cfg(feature = "storage")]
#[test]
fn a_views_history_reads_the_change_log_with_contacts_masked() {
    use crate::table::Value;
    let dir = std::env::temp_dir().join(format!("cb-view-history-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("base.cb");
    let _ = std::fs::remove_file(&path);
    let mut base = ClientBase::create(&path, Schema::new()).unwrap();
    let anna = base
        .add_client(client(
            "Иванова",
            Some("Иванов"),
            "+79161234567",
            "anna@mail.ru",
        ))
        .unwrap();
    let other = base
        .add_client(client(
            "Петрова",
            Some("Петров"),
            "+79031112233",
            "p@mail.ru",
        ))
        .unwrap();
    let mut changed = base.client(anna).unwrap().clone();
    changed.phones.push(Phone {
        e164: Some("+79169998877".into()),
        ..Phone::raw("8 916 999-88-77")
    });
    base.update_client(changed).unwrap();
    let policy = Policy::from_json(
        r#"{"roles": {"manager": {"clients": "own", "contacts": "full"},
                      "operator": {"clients": "all", "contacts": "masked"},
                      "guest": {"clients": "all", "contacts": "hidden"}},
            "actors": {"ivanov": {"role": "manager", "owns": ["Иванов"]},
                       "olga": {"role": "operator"}, "visitor": {"role": "guest"}}}"#,
    )
    .unwrap();
    let history = |actor: &str, id: ClientId| -> Result<Vec<String>> {
        let mut view = View::new(&base, &policy, actor)?;
        let table = view
            .call(&base, "client_history", serde_json::json!({"client": id.0}))?
            .into_table("client_history")?;
        let (kind, what) = (table.column("kind").unwrap(), table.column("what").unwrap());
        Ok((0..table.rows())
            .filter(|i| matches!(kind.value(*i), Value::Text(k) if k.starts_with("contact")))
            .map(|i| match what.value(i) {
                Value::Text(w) => w.to_string(),
                other => format!("{other:?}"),
            })
            .collect())
    };
    assert_eq!(history("ivanov", anna).unwrap(), ["phone +79169998877"]);
    assert_eq!(history("olga", anna).unwrap(), ["phone +7 916 ***-**-77"]);
    assert!(history("visitor", anna).unwrap().is_empty());
    // The same history on the base itself, and none for a client outside the view.
    let full = crate::history::client_history(
        &base,
        &crate::history::HistoryParams {
            client: anna,
            ..Default::default()
        },
    )
    .unwrap();
    let rows_full = full.rows();
    let mut view = View::new(&base, &policy, "visitor").unwrap();
    let hidden = view
        .call(
            &base,
            "client_history",
            serde_json::json!({"client": anna.0}),
        )
        .unwrap()
        .into_table("client_history")
        .unwrap();
    assert_eq!(
        hidden.rows(),
        rows_full - 1,
        "only the contact event is left out"
    );
    let err = history("ivanov", other).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownId);
    drop(base);
    std::fs::remove_dir_all(&dir).unwrap();
}
