//! Stable identifiers of clients, deals and activities.

use crate::error::{invalid, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The raw number.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($label, " {}"), self.0)
            }
        }
    };
}

id_type!(
    /// Identifies a client in a [`ClientBase`](crate::ClientBase). Ids are never reused.
    ClientId,
    "client"
);
id_type!(
    /// Identifies a deal in a [`ClientBase`](crate::ClientBase). Ids are never reused.
    DealId,
    "deal"
);
id_type!(
    /// Identifies an activity in a [`ClientBase`](crate::ClientBase). Ids are never reused.
    ActivityId,
    "activity"
);

/// Reads an id as people write it: `17`, `client 17`, `deal 17`; 0 and numbers too
/// large for an id are refused, naming `field`.
pub(crate) fn parse_id(text: &str, field: &str) -> Result<u64> {
    let t = text.trim();
    let t = t
        .strip_prefix("client ")
        .or_else(|| t.strip_prefix("deal "))
        .unwrap_or(t)
        .trim();
    match t.parse::<u64>() {
        Ok(0) => Err(invalid(field, "ids start at 1")),
        Ok(u64::MAX) | Err(_) if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() => {
            Err(invalid(field, format!("{t} is too large for an id")))
        }
        Ok(id) => Ok(id),
        Err(_) => Err(invalid(
            field,
            format!("{t:?} is not an id (a whole number)"),
        )),
    }
}
