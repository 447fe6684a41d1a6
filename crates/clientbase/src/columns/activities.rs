//! Activity columns of the snapshot: the activities of each client in the
//! order [`ClientBase::activities_of`] gives them (activity id order), with
//! an offset per client, so that event rules (scoring) and aggregates over
//! activities (segments, behaviour types) scan them as they scan deals.
//!
//! The kind and the direction are one byte each, the date and the due date
//! whole seconds since 1970, the manager and the outcome interned texts. The
//! free text and the linked deal are not held: a rule reading them runs
//! through the record interpreter.

use super::{TextColumn, NO_TIME};
use crate::activity::{Activity, ActivityKind, Direction};
use crate::base::ClientBase;
use crate::client::Client;

/// No direction.
pub(crate) const NO_DIRECTION: u8 = 0;
/// [`Direction::Inbound`].
pub(crate) const INBOUND: u8 = 1;
/// [`Direction::Outbound`].
pub(crate) const OUTBOUND: u8 = 2;

/// Activity columns, in client order and then in the order of
/// [`ClientBase::activities_of`].
#[derive(Debug, Default)]
pub(crate) struct ActivityColumns {
    /// Activities of client `i`: `offsets[i]..offsets[i + 1]`.
    pub offsets: Vec<usize>,
    pub id: Vec<u64>,
    /// Index in [`ActivityKind::ALL`].
    pub kind: Vec<u8>,
    /// [`NO_DIRECTION`], [`INBOUND`] or [`OUTBOUND`].
    pub direction: Vec<u8>,
    /// When it happened, seconds since 1970.
    pub at: Vec<i64>,
    /// The due date, [`NO_TIME`] for none.
    pub due: Vec<i64>,
    pub done: Vec<bool>,
    pub manager: TextColumn,
    pub outcome: TextColumn,
}

/// The index of `kind` in [`ActivityKind::ALL`].
fn kind_index(kind: ActivityKind) -> u8 {
    ActivityKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0) as u8
}

impl ActivityColumns {
    /// Pushes the activities of `clients` (offsets relative to the first of
    /// them, without a leading 0).
    pub(super) fn push(&mut self, base: &ClientBase, clients: &[&Client]) {
        for client in clients {
            for activity in base.activities_of(client.id) {
                self.push_one(activity);
            }
            self.offsets.push(self.id.len());
        }
    }

    fn push_one(&mut self, activity: &Activity) {
        self.id.push(activity.id.get());
        self.kind.push(kind_index(activity.kind));
        self.direction.push(match activity.direction {
            None => NO_DIRECTION,
            Some(Direction::Inbound) => INBOUND,
            Some(Direction::Outbound) => OUTBOUND,
        });
        self.at.push(activity.at.timestamp());
        self.due
            .push(activity.due.map_or(NO_TIME, |t| t.timestamp()));
        self.done.push(activity.done);
        self.manager.push_opt(activity.manager.as_deref());
        self.outcome.push_opt(activity.outcome.as_deref());
    }

    /// Appends a part built by [`ActivityColumns::push`]: offsets moved,
    /// texts interned again (the first part also brings the leading 0).
    pub(super) fn append(&mut self, part: ActivityColumns) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let base = self.id.len();
        self.offsets.extend(part.offsets.iter().map(|o| o + base));
        if self.id.is_empty() {
            self.id = part.id;
            self.kind = part.kind;
            self.direction = part.direction;
            self.at = part.at;
            self.due = part.due;
            self.done = part.done;
        } else {
            self.id.extend(part.id);
            self.kind.extend(part.kind);
            self.direction.extend(part.direction);
            self.at.extend(part.at);
            self.due.extend(part.due);
            self.done.extend(part.done);
        }
        self.manager.append(part.manager);
        self.outcome.append(part.outcome);
    }

    /// The number of activities.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.id.len()
    }

    /// About how many bytes the columns hold on the heap.
    pub(super) fn bytes(&self) -> usize {
        self.offsets.capacity() * 8
            + self.id.capacity() * 8
            + self.kind.capacity()
            + self.direction.capacity()
            + self.at.capacity() * 8
            + self.due.capacity() * 8
            + self.done.capacity()
            + self.manager.bytes()
            + self.outcome.bytes()
    }
}

#[cfg(all(test, feature = "generator"))]
mod tests {
    use super::super::Columns;
    use super::*;

    #[test]
    fn activities_follow_each_clients_records() {
        let config = crate::generator::GeneratorConfig::new(120, 5);
        let base = crate::generator::generate(&config).unwrap().base;
        assert!(base.activities().len() > 0);
        for chunk in [1, 9, usize::MAX] {
            let columns = Columns::build_in(&base, chunk);
            let a = &columns.activities;
            assert_eq!(a.len(), base.activities().len(), "chunk {chunk}");
            assert_eq!(a.offsets.len(), base.clients().len() + 1);
            for (i, client) in base.clients().enumerate() {
                let records: Vec<&Activity> = base.activities_of(client.id).collect();
                let range = a.offsets[i]..a.offsets[i + 1];
                assert_eq!(range.len(), records.len(), "{}", client.id);
                for (k, record) in range.zip(records) {
                    assert_eq!(a.id[k], record.id.get());
                    assert_eq!(ActivityKind::ALL[a.kind[k] as usize], record.kind);
                    assert_eq!(a.at[k], record.at.timestamp());
                    assert_eq!(a.done[k], record.done);
                    let text = |column: &TextColumn| match column.ids[k] {
                        super::super::NO_TEXT => None,
                        id => Some(column.dict.texts[id as usize].clone()),
                    };
                    let trimmed = |t: &Option<String>| {
                        t.as_deref()
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_string)
                    };
                    assert_eq!(text(&a.manager), trimmed(&record.manager));
                    assert_eq!(text(&a.outcome), trimmed(&record.outcome));
                }
            }
        }
    }
}
