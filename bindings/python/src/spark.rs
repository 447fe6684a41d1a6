//! The partition steps of the whole-base dedupe (`clientbase::dedup::partitioned`)
//! on Arrow record batches, for `clientbase.spark`'s `mapInArrow` and
//! `applyInArrow` functions: a batch comes in through the PyCapsule interface
//! (`__arrow_c_array__`), its columns are handed to the core, and the core's
//! answer goes back as a batch (`pyarrow.record_batch(result)`). Columns are
//! converted here; every decision is the core's.

use crate::error::{to_py_err, OrRaise};
use arrow_array::builder::{
    BinaryBuilder, Float64Builder, Int32Builder, Int64Builder, Int8Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::types::{Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef, GenericListArray, OffsetSizeTrait, RecordBatch, StructArray};
use arrow_schema::{Field, Schema};
use clientbase::dedup::partitioned::{
    self, BlockRows, BlockScorer, ComponentMembers, GlobalStats, TermCount,
};
use clientbase::dedup::{Decisions, MatchOptions, Verdict};
use clientbase::{Error, ErrorKind, Table};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use std::sync::{Arc, Mutex, PoisonError};

/// A row of `_spark_cluster`'s answer: kind, cluster, left, right, weight.
type ClusterRow = (i8, i64, i64, i64, f64);

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
        let array = StructArray::from(self.batch.clone());
        let schema = FFI_ArrowSchema::try_from(array.data_type())
            .map_err(|e| to_py_err(bad(e.to_string())))?;
        let array = FFI_ArrowArray::new(&array.to_data());
        let schema = PyCapsule::new_with_value(py, schema, c"arrow_schema")?;
        let array = PyCapsule::new_with_value(py, array, c"arrow_array")?;
        PyTuple::new(py, [schema.into_any(), array.into_any()])
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }
}

fn out(columns: Vec<(&str, ArrayRef)>) -> PyResult<PySparkBatch> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|c| c.1).collect();
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| to_py_err(bad(e.to_string())))?;
    Ok(PySparkBatch { batch })
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> clientbase::Result<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| bad(format!("the batch has no column {name:?}")))
}

fn int64s(batch: &RecordBatch, name: &str) -> clientbase::Result<Vec<i64>> {
    let a = column(batch, name)?;
    let a = a
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad(format!("column {name:?} is {}, not int64", a.data_type())))?;
    Ok(a.iter().map(|v| v.unwrap_or(0)).collect())
}

fn binaries<'a>(batch: &'a RecordBatch, name: &str) -> clientbase::Result<Vec<&'a [u8]>> {
    let a = column(batch, name)?;
    if let Some(a) = a.as_binary_opt::<i32>() {
        return Ok(a.iter().map(|v| v.unwrap_or(&[])).collect());
    }
    if let Some(a) = a.as_binary_opt::<i64>() {
        return Ok(a.iter().map(|v| v.unwrap_or(&[])).collect());
    }
    Err(bad(format!(
        "column {name:?} is {}, not binary",
        a.data_type()
    )))
}

fn lists<O: OffsetSizeTrait, T>(
    list: &GenericListArray<O>,
    item: impl Fn(&ArrayRef) -> clientbase::Result<Vec<T>>,
) -> clientbase::Result<Vec<Vec<T>>> {
    (0..list.len())
        .map(|i| {
            if list.is_null(i) {
                Ok(Vec::new())
            } else {
                item(&list.value(i))
            }
        })
        .collect()
}

fn list_column<T>(
    batch: &RecordBatch,
    name: &str,
    item: impl Fn(&ArrayRef) -> clientbase::Result<Vec<T>>,
) -> clientbase::Result<Vec<Vec<T>>> {
    let a = column(batch, name)?;
    if let Some(l) = a.as_list_opt::<i32>() {
        return lists(l, item);
    }
    if let Some(l) = a.as_list_opt::<i64>() {
        return lists(l, item);
    }
    Err(bad(format!(
        "column {name:?} is {}, not a list",
        a.data_type()
    )))
}

fn key_list(a: &ArrayRef) -> clientbase::Result<Vec<i64>> {
    let a = a
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad(format!("keys are {}, not int64", a.data_type())))?;
    Ok(a.iter().flatten().collect())
}

/// `list<struct<field: int32, hash: int64, count: int64>>` items.
fn term_list(a: &ArrayRef) -> clientbase::Result<Vec<TermCount>> {
    let s = a
        .as_struct_opt()
        .ok_or_else(|| bad(format!("terms are {}, not structs", a.data_type())))?;
    let get = |name: &str| {
        s.column_by_name(name)
            .ok_or_else(|| bad(format!("terms have no {name:?}")))
    };
    let (field, hash, count) = (get("field")?, get("hash")?, get("count")?);
    let field = field
        .as_primitive_opt::<Int32Type>()
        .ok_or_else(|| bad("a term's field is not int32"))?;
    let hash = hash
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad("a term's hash is not int64"))?;
    let count = count
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad("a term's count is not int64"))?;
    Ok((0..s.len())
        .map(|i| TermCount {
            field: u8::try_from(field.value(i)).unwrap_or(u8::MAX),
            hash: hash.value(i),
            count: count.value(i).max(0) as u64,
        })
        .collect())
}

fn options_arg(json: &str) -> PyResult<MatchOptions> {
    MatchOptions::from_json(json).or_raise()
}

/// The rows of `_spark_prepare`: one `kind` 0 row per client read (`id`,
/// `blob`), then its block keys (kind 1: `hash`, `aux` the key), its
/// term-frequency values (kind 2: `hash`, `aux` the field) and its lookups
/// (kind 3: `hash`). Rows that cannot be read as clients give kind 4 rows
/// (`aux` the row number in the batch).
#[pyfunction]
#[pyo3(signature = (batch, options = "{}", id_column = "id"))]
pub(crate) fn _spark_prepare(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
    options: &str,
    id_column: &str,
) -> PyResult<PySparkBatch> {
    let batch = batch_arg(batch)?;
    let options = options_arg(options)?;
    let (kind, id, hash, aux, blob) = py
        .detach(|| -> clientbase::Result<_> {
            let table = Table::from_record_batch(&batch)?;
            let (clients, skipped) = partitioned::read_clients(&table, id_column)?;
            let prepared = partitioned::prepare(&clients, &options);
            let rows: usize = prepared
                .iter()
                .map(|p| 1 + p.block_keys.len() + p.term_values.len() + p.lookups.len())
                .sum::<usize>()
                + skipped.len();
            let mut kind = Int8Builder::with_capacity(rows);
            let mut id = Int64Builder::with_capacity(rows);
            let mut hash = Int64Builder::with_capacity(rows);
            let mut aux = Int32Builder::with_capacity(rows);
            let mut blob = BinaryBuilder::with_capacity(rows, prepared.len() * 128);
            let mut row = |k: i8, i: i64, h: i64, a: i32, b: Option<&[u8]>| {
                kind.append_value(k);
                id.append_value(i);
                hash.append_value(h);
                aux.append_value(a);
                blob.append_option(b);
            };
            for p in &prepared {
                row(0, p.id, 0, 0, Some(&p.blob));
                for (h, k) in &p.block_keys {
                    row(1, p.id, *h, i32::from(*k), None);
                }
                for (f, h) in &p.term_values {
                    row(2, p.id, *h, i32::from(*f), None);
                }
                for h in &p.lookups {
                    row(3, p.id, *h, 0, None);
                }
            }
            for r in skipped {
                row(4, 0, 0, r as i32, None);
            }
            Ok((
                kind.finish(),
                id.finish(),
                hash.finish(),
                aux.finish(),
                blob.finish(),
            ))
        })
        .or_raise()?;
    out(vec![
        ("kind", Arc::new(kind)),
        ("id", Arc::new(id)),
        ("hash", Arc::new(hash)),
        ("aux", Arc::new(aux)),
        ("blob", Arc::new(blob)),
    ])
}

fn links_batch(links: &[(i64, i64, f64, i8)]) -> PyResult<PySparkBatch> {
    let mut left = Int64Builder::with_capacity(links.len());
    let mut right = Int64Builder::with_capacity(links.len());
    let mut weight = Float64Builder::with_capacity(links.len());
    let mut probability = Float64Builder::with_capacity(links.len());
    let mut verdict = Int8Builder::with_capacity(links.len());
    for (l, r, w, v) in links {
        left.append_value(*l);
        right.append_value(*r);
        weight.append_value(*w);
        probability.append_value(partitioned::link_probability(*w));
        verdict.append_value(*v);
    }
    out(vec![
        ("left", Arc::new(left.finish())),
        ("right", Arc::new(right.finish())),
        ("weight", Arc::new(weight.finish())),
        ("probability", Arc::new(probability.finish())),
        ("verdict", Arc::new(verdict.finish())),
    ])
}

/// Scores the runs of one block key in batches sorted by key (`hash`, `id`,
/// `blob`, `terms`, `keys`); a run is carried over to the next batch.
#[pyclass(frozen, name = "_SparkBlockScorer", module = "clientbase")]
pub(crate) struct PySparkBlockScorer {
    inner: Mutex<BlockScorer>,
}

impl PySparkBlockScorer {
    /// The links found so far as rows `(left, right, weight, verdict)`
    /// (verdict 0 duplicate, 1 related), then a row `(comparisons, 0, 0, -1)`.
    fn drain(scorer: &mut BlockScorer, count: bool) -> Vec<(i64, i64, f64, i8)> {
        let mut rows: Vec<(i64, i64, f64, i8)> = scorer
            .take_links()
            .into_iter()
            .map(|l| {
                let v = if l.verdict == Verdict::Duplicate {
                    0
                } else {
                    1
                };
                (l.left.0 as i64, l.right.0 as i64, l.weight, v)
            })
            .collect();
        if count {
            rows.push((scorer.comparisons() as i64, 0, 0.0, -1));
        }
        rows
    }
}

#[pymethods]
impl PySparkBlockScorer {
    #[new]
    fn new(options: &str, stats: &str) -> PyResult<Self> {
        let options = options_arg(options)?;
        let stats = GlobalStats::from_json(stats).or_raise()?;
        Ok(PySparkBlockScorer {
            inner: Mutex::new(BlockScorer::new(options, stats).or_raise()?),
        })
    }

    /// Takes in a batch; returns the links of the runs it completed.
    fn push(&self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> PyResult<PySparkBatch> {
        let batch = batch_arg(batch)?;
        let rows = py
            .detach(|| -> clientbase::Result<_> {
                let rows = BlockRows {
                    hashes: int64s(&batch, "hash")?,
                    ids: int64s(&batch, "id")?,
                    blobs: binaries(&batch, "blob")?,
                    terms: list_column(&batch, "terms", term_list)?,
                    keys: list_column(&batch, "keys", key_list)?,
                };
                let mut scorer = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
                scorer.push(rows)?;
                Ok(Self::drain(&mut scorer, false))
            })
            .or_raise()?;
        links_batch(&rows)
    }

    /// Scores the last run; returns its links and the count row.
    fn finish(&self, py: Python<'_>) -> PyResult<PySparkBatch> {
        let rows = py
            .detach(|| -> clientbase::Result<_> {
                let mut scorer = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
                scorer.finish()?;
                Ok(Self::drain(&mut scorer, true))
            })
            .or_raise()?;
        links_batch(&rows)
    }
}

/// Clusters one connected component: a batch of its duplicate links (`kind`
/// 0: `left`, `right`, `weight`) and members (`kind` 1: `id`, `blob`,
/// `terms`). Returns rows `(kind, cluster, left, right, weight)`: kind 0 a
/// member (`left`) of `cluster`, 1 a link of `cluster`, 2 a refused link.
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
    let options = options_arg(options)?;
    let stats = GlobalStats::from_json(stats).or_raise()?;
    let decisions: Decisions = serde_json::from_str(decisions)
        .map_err(|e| {
            Error::new(ErrorKind::Json, format!("decisions: {e}")).with_field("not_duplicates")
        })
        .or_raise()?;
    let rows = py
        .detach(|| -> clientbase::Result<Vec<ClusterRow>> {
            let kinds = column(&batch, "kind")?;
            let kinds: Vec<i8> = kinds
                .as_primitive_opt::<Int8Type>()
                .ok_or_else(|| bad("column \"kind\" is not int8"))?
                .iter()
                .map(|v| v.unwrap_or(-1))
                .collect();
            let (left, right, ids) = (
                int64s(&batch, "left")?,
                int64s(&batch, "right")?,
                int64s(&batch, "id")?,
            );
            let weight = column(&batch, "weight")?;
            let weight = weight
                .as_primitive_opt::<arrow_array::types::Float64Type>()
                .ok_or_else(|| bad("column \"weight\" is not float64"))?;
            let blobs = binaries(&batch, "blob")?;
            let terms = list_column(&batch, "terms", term_list)?;
            let mut links = Vec::new();
            let mut members = ComponentMembers::default();
            for (i, (blob, terms)) in blobs.into_iter().zip(terms).enumerate() {
                match kinds[i] {
                    0 => links.push((left[i], right[i], weight.value(i))),
                    1 => {
                        members.ids.push(ids[i]);
                        members.blobs.push(blob);
                        members.terms.push(terms);
                    }
                    k => return Err(bad(format!("a row of kind {k}"))),
                }
            }
            let (clusters, refused) =
                partitioned::cluster_component(&options, &stats, &links, members, &decisions)?;
            let mut rows = Vec::new();
            for c in &clusters {
                for m in &c.members {
                    rows.push((0, c.id.0 as i64, m.0 as i64, 0, 0.0));
                }
                for l in &c.links {
                    rows.push((
                        1,
                        c.id.0 as i64,
                        l.left.0 as i64,
                        l.right.0 as i64,
                        l.weight,
                    ));
                }
            }
            for l in &refused {
                rows.push((2, 0, l.left.0 as i64, l.right.0 as i64, l.weight));
            }
            Ok(rows)
        })
        .or_raise()?;
    let mut kind = Int8Builder::with_capacity(rows.len());
    let mut cluster = Int64Builder::with_capacity(rows.len());
    let mut left = Int64Builder::with_capacity(rows.len());
    let mut right = Int64Builder::with_capacity(rows.len());
    let mut weight = Float64Builder::with_capacity(rows.len());
    let mut probability = Float64Builder::with_capacity(rows.len());
    for (k, c, l, r, w) in rows {
        kind.append_value(k);
        cluster.append_value(c);
        left.append_value(l);
        right.append_value(r);
        weight.append_value(w);
        probability.append_value(partitioned::link_probability(w));
    }
    out(vec![
        ("kind", Arc::new(kind.finish())),
        ("cluster", Arc::new(cluster.finish())),
        ("left", Arc::new(left.finish())),
        ("right", Arc::new(right.finish())),
        ("weight", Arc::new(weight.finish())),
        ("probability", Arc::new(probability.finish())),
    ])
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

/// The connected components of the edges of a batch (`left`, `right`):
/// rows `id`, `component` (the smallest id of each component).
#[pyfunction]
pub(crate) fn _spark_components(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
) -> PyResult<PySparkBatch> {
    let batch = batch_arg(batch)?;
    let found = py
        .detach(|| -> clientbase::Result<Vec<(i64, i64)>> {
            let (left, right) = (int64s(&batch, "left")?, int64s(&batch, "right")?);
            let edges: Vec<(i64, i64)> = left.into_iter().zip(right).collect();
            Ok(partitioned::components(&edges))
        })
        .or_raise()?;
    let mut id = Int64Builder::with_capacity(found.len());
    let mut component = Int64Builder::with_capacity(found.len());
    for (i, c) in found {
        id.append_value(i);
        component.append_value(c);
    }
    out(vec![
        ("id", Arc::new(id.finish())),
        ("component", Arc::new(component.finish())),
    ])
}

/// The match fields by name, in the order `field` numbers them.
#[pyfunction]
pub(crate) fn _spark_fields() -> Vec<&'static str> {
    partitioned::field_names()
}
