//! Changing a record by the keys of its JSON form: what `replace(**changes)`
//! does in the Python binding, written once here so that the aliases the JSON
//! form reads (`given_name` for `given`) replace their key instead of clashing
//! with it. It also gives the bindings one generic way to add, replace and
//! fetch a record of any kind, so that C and Python write each call once.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Activity, ActivityId, Client, ClientBase, ClientId, Deal, DealId, Error, Result};

/// A record (client, deal, activity) that can be changed key by key.
pub trait Record: Serialize + DeserializeOwned {
    /// The other names its JSON form reads for a key, as `(alias, key)`.
    const ALIASES: &'static [(&'static str, &'static str)];

    /// A copy with `changes` applied to its JSON form: a key, or an alias of
    /// one, sets the value; `null` removes it. The result is read back like
    /// any JSON record, so a bad value is the usual `Json` error.
    fn replaced(&self, changes: Map<String, Value>) -> Result<Self> {
        let mut value = serde_json::to_value(self).map_err(Error::from)?;
        if let Value::Object(map) = &mut value {
            for (key, change) in changes {
                let key = Self::ALIASES
                    .iter()
                    .find(|(alias, _)| *alias == key)
                    .map_or(key.as_str(), |(_, canonical)| canonical)
                    .to_string();
                match change {
                    Value::Null => map.remove(&key),
                    change => map.insert(key, change),
                };
            }
        }
        serde_json::from_value(value).map_err(Error::from)
    }

    /// Adds the record to `base` (any `id` in it is ignored): its new id.
    fn add_to(self, base: &mut ClientBase) -> Result<u64>;

    /// Replaces the record of `base` with the same id.
    fn update_in(self, base: &mut ClientBase) -> Result<()>;

    /// The record of `base` with `id`; an unknown id is `UnknownId`.
    fn find_in(base: &ClientBase, id: u64) -> Result<&Self>;

    /// Removes the record of `base` with `id`, which nothing may refer to any
    /// more, and returns it.
    fn remove_from(base: &mut ClientBase, id: u64) -> Result<Self>;
}

/// Implements [`Record`] for a record kind: its aliases and the base's methods.
macro_rules! record {
    ($ty:ty, $id:ident, $add:ident, $update:ident, $find:ident, $remove:ident, $aliases:expr) => {
        impl Record for $ty {
            const ALIASES: &'static [(&'static str, &'static str)] = $aliases;

            fn add_to(self, base: &mut ClientBase) -> Result<u64> {
                base.$add(self).map($id::get)
            }

            fn update_in(self, base: &mut ClientBase) -> Result<()> {
                base.$update(self)
            }

            fn find_in(base: &ClientBase, id: u64) -> Result<&Self> {
                base.$find($id(id))
            }

            fn remove_from(base: &mut ClientBase, id: u64) -> Result<Self> {
                base.$remove($id(id))
            }
        }
    };
}

record!(
    Client,
    ClientId,
    add_client,
    update_client,
    client,
    remove_client,
    &[("given_name", "given"), ("company", "legal_name")]
);
record!(
    Deal,
    DealId,
    add_deal,
    update_deal,
    deal,
    remove_deal,
    &[("client_id", "client")]
);
record!(
    Activity,
    ActivityId,
    add_activity,
    update_activity,
    activity,
    remove_activity,
    &[("client_id", "client")]
);

/// Runs `$body` with `$T` the record type named `$kind` (`client`, `deal`,
/// `activity`); another name is an `InvalidValue` error on the field `kind`.
macro_rules! by_kind {
    ($kind:expr, $T:ident => $body:expr) => {
        match $kind {
            "client" => {
                type $T = Client;
                $body
            }
            "deal" => {
                type $T = Deal;
                $body
            }
            "activity" => {
                type $T = Activity;
                $body
            }
            other => Err(crate::error::invalid(
                "kind",
                format!("{other:?} is not a record kind (client, deal, activity)"),
            )),
        }
    };
}

/// Adds a record of `kind` (`client`, `deal`, `activity`) read from `json`
/// (any `id` in it is ignored): its new id. For bindings that take the kind
/// as an argument.
pub fn add_json(base: &mut ClientBase, kind: &str, json: &str) -> Result<u64> {
    by_kind!(kind, T => serde_json::from_str::<T>(json)?.add_to(base))
}

/// Replaces the record of `kind` with the one read from `json`, found by its id.
pub fn update_json(base: &mut ClientBase, kind: &str, json: &str) -> Result<()> {
    by_kind!(kind, T => serde_json::from_str::<T>(json)?.update_in(base))
}

/// The record of `kind` with `id` as compact JSON.
pub fn find_json(base: &ClientBase, kind: &str, id: u64) -> Result<String> {
    by_kind!(kind, T => Ok(serde_json::to_string(T::find_in(base, id)?)?))
}

/// The activities of `base` in id order: all of them, those of `client`,
/// those of `deal`, or those of both.
pub fn activities(base: &ClientBase, client: Option<u64>, deal: Option<u64>) -> Vec<Activity> {
    let of_client = |a: &&Activity| client.is_none_or(|c| a.client == ClientId(c));
    match deal {
        Some(deal) => base
            .activities_of_deal(DealId(deal))
            .filter(of_client)
            .cloned()
            .collect(),
        None => base.activities().filter(of_client).cloned().collect(),
    }
}

/// Writes the records of `kind` (`client` or `deal`) as CSV into `out`.
#[cfg(feature = "csv")]
pub fn export_csv(base: &ClientBase, kind: &str, out: &mut dyn std::io::Write) -> Result<()> {
    match kind {
        "client" => base.export_clients_csv(out),
        "deal" => base.export_deals_csv(out),
        other => Err(crate::error::invalid(
            "kind",
            format!("{other:?} has no CSV export (client, deal)"),
        )),
    }
}

/// Runs a CSV export (`export_csv`, a view's export) into a string.
pub fn csv_text(run: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<String> {
    let mut out = Vec::new();
    run(&mut out)?;
    String::from_utf8(out).map_err(|err| Error::new(crate::ErrorKind::Csv, err.to_string()))
}

/// Writes the records of `kind` as CSV into the file at `path`, replacing it;
/// a file that cannot be written is an `Io` error naming it.
#[cfg(feature = "csv")]
pub fn export_csv_file(base: &ClientBase, kind: &str, path: &str) -> Result<()> {
    use std::io::Write;
    let io = |err: std::io::Error| {
        Error::new(crate::ErrorKind::Io, format!("{path}: {err}")).with_source(err)
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    export_csv(base, kind, &mut file)?;
    file.flush().map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn an_alias_replaces_its_key() {
        let client = Client::person("Иванова", "Анна", None);
        let changed = client
            .replaced(changes(json!({"given_name": "Мария", "city": "Казань"})))
            .unwrap();
        assert_eq!(changed.display_name(), "Иванова Мария");
        assert_eq!(changed.city.as_deref(), Some("Казань"));
        let cleared = changed.replaced(changes(json!({"city": null}))).unwrap();
        assert_eq!(cleared.city, None);
        let err = client.replaced(changes(json!({"nope": 1}))).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Json);
    }

    #[test]
    fn records_are_added_replaced_and_found_by_kind() {
        let mut base = ClientBase::new(crate::Schema::new());
        let id = Client::person("Иванова", "Анна", None)
            .add_to(&mut base)
            .unwrap();
        let changed = Client::find_in(&base, id)
            .unwrap()
            .replaced(changes(json!({"city": "Казань"})))
            .unwrap();
        changed.update_in(&mut base).unwrap();
        assert_eq!(
            Client::find_in(&base, id).unwrap().city.as_deref(),
            Some("Казань")
        );
        let err = Deal::find_in(&base, 7).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::UnknownId);
        assert_eq!(
            Client::remove_from(&mut base, id).unwrap().city.as_deref(),
            Some("Казань")
        );
        assert_eq!(
            Client::remove_from(&mut base, id).unwrap_err().kind(),
            crate::ErrorKind::UnknownId
        );
        assert_eq!(
            Activity::find_in(&base, id).unwrap_err().kind(),
            crate::ErrorKind::UnknownId
        );
    }
    #[test]
    fn records_are_added_replaced_and_found_by_kind_name() {
        let mut base = ClientBase::new(crate::Schema::new());
        let client = r#"{"kind":"person","surname":"Иванова","given":"Анна"}"#;
        let id = add_json(&mut base, "client", client).unwrap();
        let deal = format!(
            r#"{{"client":{id},"title":"Корм","amount":{{"amount":"10","currency":"RUB"}}}}"#
        );
        let deal = add_json(&mut base, "deal", &deal).unwrap();
        let mut found: Value =
            serde_json::from_str(&find_json(&base, "client", id).unwrap()).unwrap();
        assert_eq!(found["surname"], "Иванова");
        found["city"] = "Казань".into();
        update_json(&mut base, "client", &found.to_string()).unwrap();
        assert_eq!(
            base.client(ClientId(id)).unwrap().city.as_deref(),
            Some("Казань")
        );
        assert!(find_json(&base, "deal", deal).unwrap().contains("Корм"));
        let err = add_json(&mut base, "lead", client).unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            (crate::ErrorKind::InvalidValue, Some("kind"))
        );
        let err = add_json(&mut base, "deal", "{").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Json);
        assert_eq!(
            find_json(&base, "activity", 1).unwrap_err().kind(),
            crate::ErrorKind::UnknownId
        );
        let call =
            r#"{"client":1,"kind":"call","at":"2025-01-01T10:00:00Z","direction":"outbound"}"#;
        let with_deal = call.replace("\"kind\"", &format!("\"deal\":{deal},\"kind\""));
        let first = add_json(&mut base, "activity", call).unwrap();
        let second = add_json(&mut base, "activity", &with_deal).unwrap();
        let ids = |found: Vec<Activity>| found.iter().map(|a| a.id.get()).collect::<Vec<_>>();
        assert_eq!(ids(activities(&base, None, None)), [first, second]);
        assert_eq!(ids(activities(&base, Some(id), None)), [first, second]);
        assert_eq!(ids(activities(&base, Some(id), Some(deal))), [second]);
        assert_eq!(
            ids(activities(&base, Some(id + 1), Some(deal))),
            Vec::<u64>::new()
        );
        assert_eq!(
            ids(activities(&base, None, Some(deal + 1))),
            Vec::<u64>::new()
        );
        #[cfg(feature = "csv")]
        {
            let mut csv = Vec::new();
            export_csv(&base, "deal", &mut csv).unwrap();
            assert!(String::from_utf8(csv).unwrap().contains("Корм"));
            assert!(export_csv(&base, "activity", &mut Vec::new()).is_err());
            let text = csv_text(|out| export_csv(&base, "deal", out)).unwrap();
            assert!(text.contains("Корм"));
            let dir = std::env::temp_dir().join(format!("cb-record-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("deals.csv");
            export_csv_file(&base, "deal", path.to_str().unwrap()).unwrap();
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
            let missing = dir.join("no/such/dir.csv");
            let err = export_csv_file(&base, "deal", missing.to_str().unwrap()).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Io);
            assert!(err.to_string().contains("no/such/dir.csv"), "{err}");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}
