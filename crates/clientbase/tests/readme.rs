//! The Rust examples of the README, kept compiling and true.
#![cfg(feature = "csv")]

use clientbase::{
    Client, ClientBase, ColumnMapping, ContactNormalizer, CsvOptions, Currency, Deal, FieldDef,
    FieldType, FieldValue, Money, Schema,
};

#[test]
fn readme_first_steps() -> clientbase::Result<()> {
    let mut schema = Schema::new();
    schema.declare_tag("vip")?;
    schema.declare_field(FieldDef::new("rooms", FieldType::Integer))?;
    let mut base = ClientBase::new(schema);

    let olga = base.add_client(
        Client::person("Смирнова", "Ольга", Some("Игоревна"))
            .with_phone("8 (916) 123-45-67")
            .with_tag("vip")
            .with_field("rooms", FieldValue::Integer(2)),
    )?;
    base.add_deal(Deal::new(olga, Money::parse("4 990,00", Currency::RUB)?))?;

    let err = base
        .add_client(Client::person("Петров", "Пётр", None).with_tag("gold"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown tag: new client, field \"tags\": \"gold\" is not in the tag vocabulary"
    );

    let _report = base
        .normalize_contacts(&ContactNormalizer::default())
        .unwrap();
    assert_eq!(
        base.client(olga)?.phones[0].e164.as_deref(),
        Some("+79161234567")
    );
    Ok(())
}

#[test]
fn readme_csv_import() -> clientbase::Result<()> {
    let mut base = ClientBase::default();
    let csv = "Фамилия;Имя;Телефон;Дата рождения\nИванов;Иван;8 916 123 45 67;05.03.1985\nПетрова;Анна;;31.02.1985\n";
    let mapping = ColumnMapping::from_json(
        r#"{"Фамилия": "surname", "Имя": "given_name", "Телефон": "phone", "Дата рождения": "birthday"}"#,
    )?;
    let report = base.import_clients_csv(csv.as_bytes(), &mapping, &CsvOptions::default())?;
    assert_eq!(report.imported.len(), 2);
    assert!(report.rejected.is_empty());
    assert_eq!(
        report.set_aside[0].to_string(),
        "line 3, column \"Дата рождения\": \"31.02.1985\" is not a calendar date"
    );
    Ok(())
}

#[test]
fn readme_duplicates() -> clientbase::Result<()> {
    use clientbase::dedup::{Decisions, MatchIndex, MatchOptions, Verdict};
    use clientbase::MergeRules;

    let mut base = ClientBase::default();
    // Other clients, so that weights are those of a real base.
    for i in 0..200 {
        base.add_client(
            Client::person(&format!("Клиентов{i}"), "Иван", None)
                .with_phone(&format!("+7 905 {i:07}")),
        )?;
    }
    let olga = base.add_client(
        Client::person("Смирнова", "Ольга", Some("Игоревна")).with_phone("8 (916) 123-45-67"),
    )?;
    base.add_client(Client::person("Smirnova", "Olya", None).with_phone("+7 916 123 45 67"))?;

    let index = MatchIndex::build(&base, MatchOptions::default())?;
    let lead = Client::person("Smirnova", "Olga", None).with_phone("+7 916 1234567");
    let found = index.find(&lead, 5);
    assert_eq!(found[0].client, olga);
    assert_eq!(found[0].verdict, Verdict::Duplicate);
    assert!(found[0].explanation.to_text().contains("phone"));

    let before = base.clone();
    let dupes = index.dedupe(&Decisions::new());
    assert_eq!(dupes.clusters.len(), 1);
    for cluster in &dupes.clusters {
        let others = &cluster.members[1..];
        let record = base.merge_clients(cluster.id, others, &MergeRules::default())?;
        base.undo_merge(&record)?;
    }
    assert!(base == before);
    Ok(())
}

#[cfg(feature = "storage")]
#[test]
fn readme_a_base_kept_in_a_file() -> clientbase::Result<()> {
    use clientbase::ChangesParams;
    let dir = std::env::temp_dir().join(format!("cb-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut base = ClientBase::create(dir.join("base.cb"), Schema::new())?;
    base.set_actor(Some("manager 7"));
    let anna = base.add_client(Client::person("Иванова", "Анна", None))?;
    base.backup(dir.join("backup-2026-12-07.cb"))?;
    let history = base.changes(&ChangesParams {
        record: Some(anna.to_string()),
        ..Default::default()
    })?;
    assert_eq!(history[0].action, "add_client");
    drop(base);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
