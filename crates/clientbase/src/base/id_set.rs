//! [`IdSet`]: the ids a record's index entry holds (a client's deals, a deal's
//! activities), sorted in one small vector.
//!
//! A client has a few deals and activities: a `BTreeSet` would take a node of
//! eleven slots (112 bytes) for each, a vector takes what the ids need. Inserts
//! of new ids (the largest so far) are pushes; others shift the ids after them,
//! which for the sizes of these sets costs less than a tree's walk.

/// Sorted, distinct ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdSet<T>(Vec<T>);

impl<T> Default for IdSet<T> {
    fn default() -> IdSet<T> {
        IdSet(Vec::new())
    }
}

impl<T: Ord + Copy> IdSet<T> {
    /// Adds `id`; whether it was not there.
    pub(crate) fn insert(&mut self, id: T) -> bool {
        match self.0.last() {
            None => {
                self.0.push(id);
                true
            }
            Some(last) if *last < id => {
                self.0.push(id);
                true
            }
            _ => match self.0.binary_search(&id) {
                Ok(_) => false,
                Err(at) => {
                    self.0.insert(at, id);
                    true
                }
            },
        }
    }

    /// Removes `id`; whether it was there.
    pub(crate) fn remove(&mut self, id: &T) -> bool {
        match self.0.binary_search(id) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// How many ids.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a, T> IntoIterator for &'a IdSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Ord + Copy> Extend<T> for IdSet<T> {
    /// Adds the ids; sorted runs above the largest id (as the loaders give
    /// them) are appended without a sort.
    fn extend<I: IntoIterator<Item = T>>(&mut self, ids: I) {
        let start = self.0.len();
        self.0.extend(ids);
        let sorted_above = self.0[start.saturating_sub(1)..]
            .windows(2)
            .all(|pair| pair[0] < pair[1]);
        if !sorted_above {
            self.0.sort_unstable();
            self.0.dedup();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IdSet;
    use std::collections::BTreeSet;

    #[test]
    fn behaves_as_a_sorted_set() {
        let mut set = IdSet::default();
        let mut model = BTreeSet::new();
        // A fixed scramble of inserts, removes and extends.
        let mut x: u64 = 7;
        for step in 0..2_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let id = (x >> 33) % 64;
            match step % 5 {
                0 | 1 => assert_eq!(set.insert(id), model.insert(id)),
                2 => assert_eq!(set.remove(&id), model.remove(&id)),
                3 => {
                    let run = [id, id + 1, id + 2];
                    set.extend(run);
                    model.extend(run);
                }
                _ => {
                    let top = model.last().map_or(0, |t| t + 1);
                    set.extend([top, top + 3]);
                    model.extend([top, top + 3]);
                }
            }
            assert_eq!(set.len(), model.len());
            assert_eq!(set.is_empty(), model.is_empty());
            assert!((&set).into_iter().eq(model.iter()), "step {step}");
        }
    }
}
