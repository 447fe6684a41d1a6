//! The keys of the actions already done: read from a base's activities once,
//! then kept next to the base (see [`crate::columns::done`]) and added to
//! when [`add_due_tasks`](super::add_due_tasks) records a day.

use super::key_of_text;
use crate::activity::ActivityKind;
use crate::base::ClientBase;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// A key read into its parts: (rule number, whether the object is a deal,
/// its id, the occurrence's day number from 1970 or `i32::MIN` for none).
pub(crate) type DoneKey = (u32, bool, u64, i32);

/// The done keys of a base's activities, their rule names numbered.
#[derive(Debug, Default, Clone)]
pub(crate) struct DoneIndex {
    rules: FxHashMap<String, u32>,
    keys: FxHashSet<DoneKey>,
}

/// `yyyy-mm-dd` as the key writes it, without the general date parser.
fn parse_day(text: &str) -> Option<chrono::NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// A key read back into its parts: the rule's name, whether the object is a
/// deal, its id and the day (`i32::MIN` for none).
pub(crate) fn parse_key(key: &str) -> Option<(&str, bool, u64, i32)> {
    let mut parts = key.splitn(3, '/');
    let rule = parts.next()?;
    let (is_deal, id) = match parts.next()?.split_once('-')? {
        ("deal", id) => (true, id.parse().ok()?),
        ("client", id) => (false, id.parse().ok()?),
        _ => return None,
    };
    let day = match parts.next() {
        None => i32::MIN,
        Some(date) => crate::table::date_to_days(parse_day(date)?),
    };
    Some((rule, is_deal, id, day))
}

impl DoneIndex {
    /// The keys the base's tasks, messages and emails carry (the last line
    /// of their text, `[key]`), read on all cores.
    pub(crate) fn of_base(base: &ClientBase) -> DoneIndex {
        let texts: Vec<&str> = base
            .activities()
            .filter(|a| {
                matches!(
                    a.kind,
                    ActivityKind::Task | ActivityKind::Message | ActivityKind::Email
                )
            })
            .filter_map(|a| a.text.as_deref())
            .collect();
        let parsed = crate::batch::map_column(&texts, |text| key_of_text(text).and_then(parse_key));
        let mut index = DoneIndex::default();
        index.keys.reserve(parsed.len());
        for (rule, is_deal, id, day) in parsed.into_iter().flatten() {
            let rule = index.rule_number(rule);
            index.keys.insert((rule, is_deal, id, day));
        }
        index
    }

    /// The index kept by `base` if it is of the base as it is now, else
    /// read from its activities (and kept).
    pub(crate) fn kept(base: &ClientBase) -> Arc<DoneIndex> {
        let slot = &base.columns_cache().2;
        if let Some(index) = slot.get(base) {
            return index;
        }
        let index = Arc::new(DoneIndex::of_base(base));
        slot.put(base.version(), Arc::clone(&index));
        index
    }

    fn rule_number(&mut self, rule: &str) -> u32 {
        if let Some(&n) = self.rules.get(rule) {
            return n;
        }
        let n = self.rules.len() as u32;
        self.rules.insert(rule.to_string(), n);
        n
    }

    /// Adds a key (one that does not read as a key is not kept, as when
    /// read from an activity).
    pub(crate) fn add(&mut self, key: &str) {
        if let Some((rule, is_deal, id, day)) = parse_key(key) {
            let rule = self.rule_number(rule);
            self.keys.insert((rule, is_deal, id, day));
        }
    }

    /// The number of the rule named `name`, if a key of it is done.
    pub(crate) fn rule(&self, name: &str) -> Option<u32> {
        self.rules.get(name).copied()
    }

    /// Whether the key (its rule numbered by [`DoneIndex::rule`]) is done.
    pub(crate) fn contains(&self, key: &DoneKey) -> bool {
        self.keys.contains(key)
    }
}

/// Records actions with `write` and adds their keys to the index the base
/// keeps (when it kept one of its version before the write), so that the
/// next call does not read every activity again.
pub(crate) fn recording<T>(
    base: &mut ClientBase,
    write: impl FnOnce(&mut ClientBase) -> crate::error::Result<T>,
    keys: impl Fn(&T) -> &[String],
) -> crate::error::Result<T> {
    let index = base.columns_cache().2.take(base);
    let out = write(base)?;
    if let Some(index) = index {
        let mut index = Arc::unwrap_or_clone(index);
        for key in keys(&out) {
            index.add(key);
        }
        base.columns_cache().2.put(base.version(), Arc::new(index));
    }
    Ok(out)
}
