//! Changing a record by the keys of its JSON form: what `replace(**changes)`
//! does in the Python binding, written once here so that the aliases the JSON
//! form reads (`given_name` for `given`) replace their key instead of clashing
//! with it.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Activity, Client, Deal, Error, Result};

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
}

impl Record for Client {
    const ALIASES: &'static [(&'static str, &'static str)] =
        &[("given_name", "given"), ("company", "legal_name")];
}

impl Record for Deal {
    const ALIASES: &'static [(&'static str, &'static str)] = &[("client_id", "client")];
}

impl Record for Activity {
    const ALIASES: &'static [(&'static str, &'static str)] = &[("client_id", "client")];
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
}
