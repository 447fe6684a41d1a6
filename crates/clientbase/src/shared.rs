//! [`SharedStr`]: a name that many records repeat (a product, a category, a
//! pipeline, a stage, a manager), kept once in memory and shared.
//!
//! Every `SharedStr` is made through one table of the process (interned), so
//! equal names point to the same bytes: a base of ten million deal lines holds
//! each product name once instead of ten million `String`s. It reads like a
//! `&str` (it derefs to one, compares with `str` and `String`) and serializes as
//! a plain string.
//!
//! ```
//! use clientbase::SharedStr;
//! let a = SharedStr::from("Корм для кошек 10 кг");
//! let b = SharedStr::from(String::from("Корм для кошек 10 кг"));
//! assert_eq!(a, b);
//! assert!(SharedStr::ptr_eq(&a, &b)); // one allocation for both
//! assert_eq!(a, "Корм для кошек 10 кг");
//! assert_eq!(a.len(), "Корм для кошек 10 кг".len());
//! assert_eq!(serde_json::to_string(&a).unwrap(), r#""Корм для кошек 10 кг""#);
//! ```

use rustc_hash::FxHasher;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

/// A shared, immutable name: equal names made anywhere in the process share
/// one allocation. Derefs to `str`; serializes as a plain string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(Arc<str>);

/// How many parts the table is cut into, each behind its own lock, so that
/// threads decoding records side by side rarely wait for one another.
const SHARDS: usize = 32;

type Shard = HashSet<Arc<str>, BuildHasherDefault<FxHasher>>;

/// One part of the table and the size at which it is next swept of the names
/// no record holds any more.
struct Part {
    names: Shard,
    sweep_at: usize,
}

fn table() -> &'static [Mutex<Part>; SHARDS] {
    static TABLE: OnceLock<[Mutex<Part>; SHARDS]> = OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|_| {
            Mutex::new(Part {
                names: Shard::default(),
                sweep_at: 1024,
            })
        })
    })
}

fn hash_of(text: &str) -> u64 {
    let mut hasher = FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

impl SharedStr {
    /// The shared copy of `text`: the one already in the table, or a new one.
    pub fn new(text: &str) -> SharedStr {
        SharedStr::intern(text, || Arc::from(text))
    }

    fn intern(text: &str, make: impl FnOnce() -> Arc<str>) -> SharedStr {
        if text.is_empty() {
            return SharedStr::default();
        }
        let shard = (hash_of(text) >> 32) as usize % SHARDS;
        // A panic elsewhere while the lock was held leaves the set whole.
        let mut part = table()[shard]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = part.names.get(text) {
            return SharedStr(Arc::clone(found));
        }
        // Names no record holds any more (only the table does) are dropped
        // when the part has doubled since its last sweep.
        if part.names.len() >= part.sweep_at {
            part.names.retain(|name| Arc::strong_count(name) > 1);
            part.sweep_at = (part.names.len() * 2).max(1024);
        }
        let name = make();
        part.names.insert(Arc::clone(&name));
        SharedStr(name)
    }

    /// The name as a `&str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both are the same allocation (always so for equal names made
    /// through the table).
    pub fn ptr_eq(a: &SharedStr, b: &SharedStr) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl Default for SharedStr {
    /// The empty name (one for the whole process, not in the table).
    fn default() -> SharedStr {
        static EMPTY: OnceLock<Arc<str>> = OnceLock::new();
        SharedStr(Arc::clone(EMPTY.get_or_init(|| Arc::from(""))))
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> SharedStr {
        SharedStr::new(text)
    }
}

impl From<&String> for SharedStr {
    fn from(text: &String) -> SharedStr {
        SharedStr::new(text)
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> SharedStr {
        SharedStr::intern(&text, || Arc::from(text.as_str()))
    }
}

impl From<&SharedStr> for SharedStr {
    fn from(text: &SharedStr) -> SharedStr {
        text.clone()
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> String {
        text.0.to_string()
    }
}

impl From<&SharedStr> for String {
    fn from(text: &SharedStr) -> String {
        text.0.to_string()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SharedStr, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = SharedStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SharedStr, E> {
                Ok(SharedStr::new(text))
            }
            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<SharedStr, E> {
                Ok(SharedStr::from(text))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_names_share_one_allocation_and_read_as_str() {
        let a = SharedStr::from("Стадия «Счёт»");
        let b = SharedStr::from(format!("Стадия {}", "«Счёт»"));
        assert!(SharedStr::ptr_eq(&a, &b));
        assert_eq!(a, "Стадия «Счёт»");
        assert_eq!("Стадия «Счёт»", a);
        assert_eq!(a, String::from("Стадия «Счёт»"));
        assert_ne!(a, SharedStr::from("Стадия"));
        assert_eq!(a.to_uppercase(), "СТАДИЯ «СЧЁТ»");
        assert_eq!(String::from(a.clone()), "Стадия «Счёт»");
        assert_eq!(format!("{a} {a:?}"), "Стадия «Счёт» \"Стадия «Счёт»\"");
        assert!(SharedStr::default().is_empty());
        assert!(SharedStr::ptr_eq(
            &SharedStr::from(""),
            &SharedStr::default()
        ));
    }

    #[test]
    fn json_is_a_plain_string() {
        let a = SharedStr::from("won");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"won\"");
        let back: SharedStr = serde_json::from_str("\"won\"").unwrap();
        assert!(SharedStr::ptr_eq(&a, &back));
        let escaped: SharedStr = serde_json::from_str(r#""a\"b""#).unwrap();
        assert_eq!(escaped, "a\"b");
        assert!(serde_json::from_str::<SharedStr>("12").is_err());
    }

    #[test]
    fn names_no_record_holds_are_swept() {
        // Many names made and dropped: the table keeps about as many as live
        // ones, not all it ever saw.
        let kept: Vec<SharedStr> = (0..100)
            .map(|i| SharedStr::from(format!("kept {i}")))
            .collect();
        for i in 0..200_000 {
            drop(SharedStr::from(format!("dropped {i}")));
        }
        let total: usize = table()
            .iter()
            .map(|part| part.lock().unwrap().names.len())
            .sum();
        assert!(total < 100_000, "{total} names left in the table");
        for (i, name) in kept.iter().enumerate() {
            assert!(SharedStr::ptr_eq(
                name,
                &SharedStr::from(format!("kept {i}"))
            ));
        }
    }
}
