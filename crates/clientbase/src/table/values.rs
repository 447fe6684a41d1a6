//! The storage of a column of numbers: values the table owns, or (feature
//! `arrow`) the buffer of the Arrow array the column was read from, shared
//! without a copy.
//!
//! A column read from a polars or pyarrow frame keeps pointing at the frame's
//! memory until something writes to it; [`Values::to_mut`] then copies the
//! values once into a vector of its own. A clone shares the values too (an
//! owned vector is reference-counted), so a calculation that keeps a column
//! as it is takes it without a copy. Everything that only reads sees a slice
//! either way.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A number a column stores: `i32` (dates), `i64`, `u64`, `f64`, `i128` (decimals).
#[cfg(feature = "arrow")]
pub trait Element: arrow_buffer::ArrowNativeType + PartialEq {}

/// A number a column stores: `i32` (dates), `i64`, `u64`, `f64`, `i128` (decimals).
#[cfg(not(feature = "arrow"))]
pub trait Element: Copy + PartialEq + fmt::Debug + Default + Send + Sync + 'static {}

impl Element for i32 {}
impl Element for i64 {}
impl Element for u64 {}
impl Element for f64 {}
impl Element for i128 {}

/// The values of a column of numbers, owned or shared with an Arrow buffer;
/// reads as a slice (`Deref<Target = [T]>`).
///
/// ```
/// use clientbase::table::Values;
/// let mut values: Values<i64> = vec![1, 2].into();
/// assert_eq!(&values[..], &[1, 2]);
/// values.to_mut().push(3);
/// assert_eq!(values.len(), 3);
/// ```
#[derive(Clone)]
pub struct Values<T: Element>(Repr<T>);

#[derive(Clone)]
enum Repr<T: Element> {
    Owned(Arc<Vec<T>>),
    #[cfg(feature = "arrow")]
    Shared(arrow_buffer::ScalarBuffer<T>),
}

impl<T: Element> Values<T> {
    /// Empty, with room for `rows` values.
    pub fn with_capacity(rows: usize) -> Values<T> {
        Values(Repr::Owned(Arc::new(Vec::with_capacity(rows))))
    }

    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            Repr::Owned(v) => v.as_slice(),
            #[cfg(feature = "arrow")]
            Repr::Shared(b) => b,
        }
    }

    /// The values as a vector of their own, to change: values shared with
    /// Arrow or with a clone are copied the first time.
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        #[cfg(feature = "arrow")]
        if let Repr::Shared(b) = &self.0 {
            self.0 = Repr::Owned(Arc::new(b.to_vec()));
        }
        match &mut self.0 {
            Repr::Owned(v) => Arc::make_mut(v),
            #[cfg(feature = "arrow")]
            Repr::Shared(_) => unreachable!("copied into a vector above"),
        }
    }

    /// Makes room for `additional` more values; shared values are copied into
    /// a vector with that room, in one allocation.
    pub fn reserve(&mut self, additional: usize) {
        #[cfg(feature = "arrow")]
        if let Repr::Shared(b) = &self.0 {
            let mut owned = Vec::with_capacity(b.len() + additional);
            owned.extend_from_slice(b);
            self.0 = Repr::Owned(Arc::new(owned));
            return;
        }
        self.to_mut().reserve(additional);
    }

    /// The values as a vector (values shared with Arrow or a clone are copied).
    pub fn into_vec(self) -> Vec<T> {
        match self.0 {
            Repr::Owned(v) => Arc::unwrap_or_clone(v),
            #[cfg(feature = "arrow")]
            Repr::Shared(b) => b.to_vec(),
        }
    }

    /// Whether the values are an Arrow buffer shared with the array they were
    /// read from (always `false` without the `arrow` feature; a clone's
    /// sharing does not count).
    pub fn is_shared(&self) -> bool {
        #[cfg(feature = "arrow")]
        if let Repr::Shared(_) = self.0 {
            return true;
        }
        false
    }

    /// Values that share an Arrow buffer, without a copy.
    #[cfg(feature = "arrow")]
    pub fn from_arrow(buffer: arrow_buffer::ScalarBuffer<T>) -> Values<T> {
        Values(Repr::Shared(buffer))
    }

    /// The values as an Arrow buffer, without a copy: an owned vector becomes
    /// the buffer (copied if a clone still shares it), a shared buffer is
    /// handed back.
    #[cfg(feature = "arrow")]
    pub fn into_arrow(self) -> arrow_buffer::ScalarBuffer<T> {
        match self.0 {
            Repr::Owned(v) => Arc::unwrap_or_clone(v).into(),
            Repr::Shared(b) => b,
        }
    }
}

impl<T: Element> Default for Values<T> {
    fn default() -> Self {
        Values(Repr::Owned(Arc::new(Vec::new())))
    }
}

impl<T: Element> Deref for Values<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Element> From<Vec<T>> for Values<T> {
    fn from(values: Vec<T>) -> Self {
        Values(Repr::Owned(Arc::new(values)))
    }
}

impl<T: Element> FromIterator<T> for Values<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Values(Repr::Owned(Arc::new(iter.into_iter().collect())))
    }
}

impl<'a, T: Element> IntoIterator for &'a Values<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: Element> PartialEq for Values<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Element> PartialEq<Vec<T>> for Values<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Element> fmt::Debug for Values<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_values_change_in_place() {
        let mut values: Values<i64> = vec![1, 2].into();
        assert!(!values.is_shared());
        values.to_mut().push(3);
        assert_eq!(values, vec![1, 2, 3]);
        // A clone shares the vector until one of them is written to.
        let mut clone = values.clone();
        assert_eq!(clone.as_ptr(), values.as_ptr());
        clone.to_mut()[0] = 10;
        assert_ne!(clone.as_ptr(), values.as_ptr());
        assert_eq!(values, vec![1, 2, 3]);
        assert_eq!(clone, vec![10, 2, 3]);
        assert_eq!(values.into_vec(), vec![1, 2, 3]);
    }

    #[cfg(feature = "arrow")]
    #[test]
    fn shared_values_point_at_the_arrow_buffer_until_changed() {
        let buffer = arrow_buffer::ScalarBuffer::from(vec![1.5f64, 2.5]);
        let start = buffer.as_ptr();
        let mut values = Values::from_arrow(buffer.clone());
        assert!(values.is_shared());
        assert_eq!(values.as_ptr(), start, "no copy while only read");
        assert_eq!(&values[..], &[1.5, 2.5]);
        assert_eq!(values.clone().into_arrow().as_ptr(), start);
        values.to_mut().push(3.5);
        assert!(!values.is_shared());
        assert_eq!(values, vec![1.5, 2.5, 3.5]);
        assert_eq!(&buffer[..], &[1.5, 2.5], "the Arrow buffer is untouched");
    }
}
