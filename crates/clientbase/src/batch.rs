//! Column batches: one function maps a column, in parallel with the `parallel`
//! feature, keeping the input order.

/// Maps every element of `inputs` with `f`, in input order; on all cores when the
/// `parallel` feature is on (chunks of at least 1024 so small columns stay cheap).
pub(crate) fn map_column<S, T, F>(inputs: &[S], f: F) -> Vec<T>
where
    S: Sync,
    T: Send,
    F: Fn(&S) -> T + Sync + Send,
{
    map_column_with_min(inputs, 1024, f)
}

/// [`map_column`] with chunks of at least `min_len` (smaller for costly items).
pub(crate) fn map_column_with_min<S, T, F>(inputs: &[S], min_len: usize, f: F) -> Vec<T>
where
    S: Sync,
    T: Send,
    F: Fn(&S) -> T + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        inputs.par_iter().with_min_len(min_len).map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        let _ = min_len;
        inputs.iter().map(f).collect()
    }
}

/// Maps every element of `inputs` (with its index) to a run of outputs and
/// concatenates the runs in input order; on all cores with `parallel`.
pub(crate) fn flat_map_indexed<S, T, F>(inputs: &[S], f: F) -> Vec<T>
where
    S: Sync,
    T: Send,
    F: Fn(usize, &S) -> Vec<T> + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        inputs
            .par_iter()
            .enumerate()
            .with_min_len(256)
            .flat_map_iter(|(i, s)| f(i, s))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        inputs
            .iter()
            .enumerate()
            .flat_map(|(i, s)| f(i, s))
            .collect()
    }
}

/// Sorts `items`, on all cores with `parallel`.
pub(crate) fn sort_unstable<T: Ord + Send>(items: &mut [T]) {
    #[cfg(feature = "parallel")]
    {
        use rayon::slice::ParallelSliceMut;
        items.par_sort_unstable();
    }
    #[cfg(not(feature = "parallel"))]
    items.sort_unstable();
}
