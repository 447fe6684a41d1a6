//! Duplicates: match a new record against the base on insert, deduplicate the
//! whole base into clusters, tell related persons from duplicates, and score
//! the result against a generated base's ground truth.
//!
//! # The model
//!
//! Clients are compared field by field ([`MatchField`]): phones (E.164),
//! emails (the same mailbox, or one typo apart), surname, given name (short
//! forms under their full name, either script, typed in each other's fields),
//! patronymic, birthday (day and month swapped, one part mistyped), tax id,
//! company name, city and address. Each field lands on an agreement level, and
//! each level weighs `log2(m/u)` bits in a Fellegi-Sunter model
//! ([`MatchModel`]): `m` is how often a duplicate agrees that way, `u` how
//! often two different clients do. Exact agreement on a common value (a common
//! surname, an office switchboard) weighs `log2(m/tf)` where `tf` is the share
//! of records with that value, so Иванов counts for less than Черепанов. The
//! prior is the chance two random records of a base this size are the same
//! client, so a larger base asks for more evidence. The defaults work without
//! labels; [`MatchIndex::estimate`] estimates u from random pairs and m by EM
//! from the base itself, and every weight can be set by hand.
//!
//! A pair is a duplicate when its probability reaches the threshold and no
//! field shows two different people (given names, birthdays, patronymics or tax
//! ids that differ, Иванов and Иванова). Two clients that share a phone, email
//! or address but are not the same person are *related* (a spouse, a relative,
//! a colleague at the office number): linked, never merged. Every verdict comes
//! with its [`Explanation`].
//!
//! # Blocking
//!
//! Only clients that share a [`BlockingKey`] are compared: a phone, an email
//! key, the mailbox name, the name in either order, a name part with the
//! birthday, the tax id, the company name, the address. Blocks over
//! [`MatchOptions::max_block`] records are skipped, and [`Dedupe::blocking`]
//! reports how many comparisons each key made and how many blocks it skipped.
//!
//! # Duplicate deals
//!
//! [`find_duplicate_deal`] checks a new deal against the open deals of its
//! client's decision unit (the client, and spouses, relatives and colleagues
//! by recorded relations or related links); [`duplicate_deals`] checks the
//! whole base. A repeat is closed as a duplicate of the older deal
//! ([`ClientBase::close_duplicate_deal`](crate::ClientBase::close_duplicate_deal)),
//! unless the older deal was abandoned or is another manager's: then it is
//! flagged for a decision ([`DealAction`]).
//!
//! # On insert and whole base
//!
//! [`MatchIndex::find`] matches one new record against the indexed base and
//! ranks the candidates; [`MatchIndex::dedupe`] clusters the whole base. A
//! cluster's id is its oldest record's id, so ids stay put across runs; a join
//! that would put two clearly different records in one cluster (A~B~C with A
//! and C different people) is refused and listed, and pairs decided "not a
//! duplicate" ([`Decisions`]) are never joined.
//!
//! ```
//! use clientbase::generator::{generate, GeneratorConfig};
//! use clientbase::dedup::{accuracy, Decisions, MatchIndex, MatchOptions};
//!
//! let generated = generate(&GeneratorConfig::new(3_000, 11))?;
//! let index = MatchIndex::build(&generated.base, MatchOptions::default())?;
//! let found = index.dedupe(&Decisions::new());
//! let scored = accuracy(&generated.truth, &found);
//! assert!(scored.precision > 0.9 && scored.recall > 0.8, "{scored:?}");
//! let cluster = &found.clusters[0];
//! let weakest = cluster.weakest().unwrap();
//! println!("{}", index.explain(weakest.left, weakest.right)?.to_text());
//! # Ok::<(), clientbase::Error>(())
//! ```

mod blocking;
mod cluster;
mod compare;
mod deals;
mod features;
mod index;
mod model;
pub mod partitioned;
#[cfg(feature = "generator")]
mod score;

pub use blocking::{BlockingKey, BlockingStats};
pub use cluster::{Cluster, Decisions, Dedupe, Link};
pub use compare::MatchField;
pub use deals::{
    decision_unit, duplicate_deals, find_duplicate_deal, open_deals, DealAction, DealRules,
    DuplicateDeal,
};
pub use index::{Candidate, MatchIndex, MatchOptions, MatchSettings};
pub use model::{Estimate, Explanation, FieldEvidence, FieldWeights, MatchModel, Verdict};
#[cfg(feature = "generator")]
pub use score::{accuracy, Accuracy};
