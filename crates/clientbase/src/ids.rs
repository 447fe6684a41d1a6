//! Stable identifiers of clients, deals and activities.

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
