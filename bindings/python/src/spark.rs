//! The partition steps of the whole-base dedupe on Arrow record batches
//! (`clientbase::dedup::partitioned`'s `*_batch` functions), for
//! `clientbase.spark`'s `mapInArrow` and `applyInArrow` functions: a batch comes
//! in through the PyCapsule interface (`__arrow_c_array__`), the core answers
//! with a batch, and that goes back the same way (`pyarrow.record_batch(result)`).

use crate::error::{to_py_err, OrRaise};
use arrow_array::ffi::to_ffi;
use arrow_array::{Array, RecordBatch, StructArray};
use clientbase::dedup::partitioned::{self, BlockScorer, GlobalStats};
use clientbase::dedup::{Decisions, MatchOptions};
use clientbase::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use std::sync::{Mutex, PoisonError};

fn bad(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, reason.into()).with_field("batch")
}

/// A record batch from an object with `__arrow_c_array__` (a pyarrow batch).
fn batch_arg(obj: &Bound<'_, PyAny>) -> PyResult<RecordBatch> {
    let (_, array) = crate::arrow::import_c_array(obj)?;
    let rows = array
        .as_any()
        .downcast_ref::<StructArray>()
        .ok_or_else(|| to_py_err(bad("expected a record batch (a struct array)")))?;
    Ok(RecordBatch::from(rows.clone()))
}

/// A record batch the core made, for `pyarrow.record_batch(...)`.
#[pyclass(frozen, name = "_SparkBatch", module = "clientbase")]
pub(crate) struct PySparkBatch {
    batch: RecordBatch,
}

#[pymethods]
impl PySparkBatch {
    /// The batch as a pair of `arrow_schema` and `arrow_array` PyCapsules.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let _ = requested_schema;
        let data = StructArray::from(self.batch.clone()).into_data();
        let (array, schema) = to_ffi(&data).map_err(|e| to_py_err(bad(e.to_string())))?;
        let schema = PyCapsule::new_with_value(py, schema, c"arrow_schema")?;
        let array = PyCapsule::new_with_value(py, array, c"arrow_array")?;
        PyTuple::new(py, [schema.into_any(), array.into_any()])
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }
}

/// The core's batch, or its error raised.
fn answer(result: clientbase::Result<RecordBatch>) -> PyResult<PySparkBatch> {
    Ok(PySparkBatch {
        batch: result.or_raise()?,
    })
}

/// `partitioned::prepare_batch`: kind 0 rows (`id`, `blob`) per client, then
/// its block keys (1), term-frequency values (2) and lookups (3); kind 4 rows
/// for rows that cannot be read as clients.
#[pyfunction]
#[pyo3(signature = (batch, options = "{}", id_column = "id"))]
pub(crate) fn _spark_prepare(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
    options: &str,
    id_column: &str,
) -> PyResult<PySparkBatch> {
    let batch = batch_arg(batch)?;
    let options = MatchOptions::from_json(options).or_raise()?;
    answer(py.detach(|| partitioned::prepare_batch(&batch, &options, id_column)))
}

/// Scores the runs of one block key in batches sorted by key (`hash`, `id`,
/// `blob`, `terms`, `keys`); a run is carried over to the next batch.
#[pyclass(frozen, name = "_SparkBlockScorer", module = "clientbase")]
pub(crate) struct PySparkBlockScorer {
    inner: Mutex<BlockScorer>,
}

#[pymethods]
impl PySparkBlockScorer {
    #[new]
    fn new(options: &str, stats: &str) -> PyResult<Self> {
        let options = MatchOptions::from_json(options).or_raise()?;
        let stats = GlobalStats::from_json(stats).or_raise()?;
        Ok(PySparkBlockScorer {
            inner: Mutex::new(BlockScorer::new(options, stats).or_raise()?),
        })
    }

    /// Takes in a batch; returns the links of the runs it completed.
    fn push(&self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> PyResult<PySparkBatch> {
        let batch = batch_arg(batch)?;
        answer(py.detach(|| {
            let mut scorer = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            scorer.push_batch(&batch)
        }))
    }

    /// Scores the last run; returns its links and the count row.
    fn finish(&self, py: Python<'_>) -> PyResult<PySparkBatch> {
        answer(py.detach(|| {
            let mut scorer = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            scorer.finish_batch()
        }))
    }
}

/// `partitioned::cluster_batch`: clusters one connected component.
#[pyfunction]
#[pyo3(signature = (batch, options, stats, decisions = "{}"))]
pub(crate) fn _spark_cluster(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
    options: &str,
    stats: &str,
    decisions: &str,
) -> PyResult<PySparkBatch> {
    let batch = batch_arg(batch)?;
    let options = MatchOptions::from_json(options).or_raise()?;
    let stats = GlobalStats::from_json(stats).or_raise()?;
    let decisions = Decisions::from_json(decisions).or_raise()?;
    answer(py.detach(|| partitioned::cluster_batch(&batch, &options, &stats, &decisions)))
}

/// The blocking statistics as `MatchIndex.dedupe()` reports them, from
/// `(key, records in a block, blocks of that key and size)` triples.
#[pyfunction]
#[pyo3(signature = (blocks, max_block))]
pub(crate) fn _spark_blocking_stats(
    py: Python<'_>,
    blocks: Vec<(u8, u64, u64)>,
    max_block: usize,
) -> PyResult<Bound<'_, PyAny>> {
    crate::convert::to_py(py, &partitioned::blocking_stats(&blocks, max_block))
}

/// A generated base (the project's seeded generator) as JSON, for tests and
/// benchmarks: `ClientBase.from_json(_generate_base_json(n, seed))`.
#[pyfunction]
pub(crate) fn _generate_base_json(py: Python<'_>, clients: usize, seed: u64) -> PyResult<String> {
    py.detach(|| {
        let config = clientbase::generator::GeneratorConfig::new(clients, seed);
        clientbase::generator::generate(&config)?.base.to_json()
    })
    .or_raise()
}

/// `partitioned::components_batch`: the connected components of the edges of
/// a batch (`left`, `right`) as rows `id`, `component`.
#[pyfunction]
pub(crate) fn _spark_components(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
) -> PyResult<PySparkBatch> {
    let batch = batch_arg(batch)?;
    answer(py.detach(|| partitioned::components_batch(&batch)))
}

/// The match fields by name, in the order `field` numbers them.
#[pyfunction]
pub(crate) fn _spark_fields() -> Vec<&'static str> {
    partitioned::field_names()
}
