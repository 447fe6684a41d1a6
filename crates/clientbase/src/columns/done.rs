//! Where a base keeps the index of the automation keys already done
//! ([`crate::automation`]'s idempotency keys read from its activities).
//!
//! Unlike the snapshot, the index is not dropped by every write: it is
//! stamped with the base's [`version`](ClientBase::version) it was read at,
//! and used only while the base is still at that version. Recording the
//! day's actions (`add_due_tasks`) adds their keys to it and stamps it with
//! the version after that write, so the next day starts from it instead of
//! reading every activity's text again; any other write makes the next
//! call read the activities once more. A clone of the base gets its own
//! slot (the same index, shared until one of them replaces it).

use crate::automation::DoneIndex;
use crate::base::ClientBase;
use std::sync::{Arc, Mutex};

/// The index of done keys kept by a base, with the version it is of.
#[derive(Debug, Default)]
pub(crate) struct DoneSlot(Mutex<Option<(u64, Arc<DoneIndex>)>>);

impl Clone for DoneSlot {
    fn clone(&self) -> DoneSlot {
        DoneSlot(Mutex::new(self.0.lock().ok().and_then(|kept| kept.clone())))
    }
}

impl DoneSlot {
    /// The index kept, if it is of the base's version now.
    pub(crate) fn get(&self, base: &ClientBase) -> Option<Arc<DoneIndex>> {
        let kept = self.0.lock().ok()?;
        match &*kept {
            Some((version, index)) if *version == base.version() => Some(Arc::clone(index)),
            _ => None,
        }
    }

    /// Keeps `index` as the index of the base at `version`.
    pub(crate) fn put(&self, version: u64, index: Arc<DoneIndex>) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some((version, index));
        }
    }

    /// Takes the index out, if it is of the base's version now (for a
    /// write that will add to it and put it back).
    pub(crate) fn take(&self, base: &ClientBase) -> Option<Arc<DoneIndex>> {
        let mut kept = self.0.lock().ok()?;
        match kept.take() {
            Some((version, index)) if version == base.version() => Some(index),
            _ => None,
        }
    }
}
