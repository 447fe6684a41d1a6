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
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        inputs.par_iter().with_min_len(1024).map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        inputs.iter().map(f).collect()
    }
}
