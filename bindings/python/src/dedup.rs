//! Duplicates: `MatchIndex` (find a new lead's duplicates, deduplicate a whole
//! base, explain a verdict, estimate the model). Mirrors the core's `dedup`
//! module; merging and the duplicate-deal checks are capabilities
//! (`python/clientbase/base.py`).
//!
//! Every call converts its Python arguments first and runs the core with the
//! GIL released; results come back as plain data (dicts and lists in the
//! core's JSON shape), and batches as columns.

use crate::arrow::table_to_pydict;
use crate::base::PyClientBase;
use crate::client::client_arg;
use crate::convert::{to_json_value, to_py};
use crate::error::OrRaise;
use crate::table::Columns;
use clientbase::capability::dedupe_index;
use clientbase::dedup::{Decisions, MatchIndex, MatchModel, MatchOptions};
use clientbase::table::{read_leads, Lead};
use clientbase::{ClientId, Error, ErrorKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::sync::{PoisonError, RwLock};

/// Lead `row` of a list of rows: a client as it is (a `TypeError` names the row).
fn lead_arg(row: usize, lead: &Bound<'_, PyAny>) -> PyResult<Lead> {
    client_arg(lead)
        .map(Ok)
        .map_err(|err| match err.is_instance_of::<PyTypeError>(lead.py()) {
            true => PyTypeError::new_err(format!("leads[{row}]: {}", err.value(lead.py()))),
            false => err,
        })
}

// ---- MatchIndex ------------------------------------------------------------------------

/// A base's clients indexed for matching: find the existing clients a new lead
/// may be, deduplicate the whole base, explain any verdict.
///
/// The index is a snapshot of the base when it was built: `insert()` every
/// client added or changed since, `remove()` every client removed or merged away.
#[pyclass(frozen, subclass, name = "MatchIndex", module = "clientbase")]
pub(crate) struct PyMatchIndex {
    base: Py<PyClientBase>,
    inner: RwLock<MatchIndex>,
}

impl PyMatchIndex {
    fn read<T: Send>(&self, py: Python<'_>, work: impl FnOnce(&MatchIndex) -> T + Send) -> T {
        py.detach(|| work(&self.inner.read().unwrap_or_else(PoisonError::into_inner)))
    }

    fn write<T: Send>(&self, py: Python<'_>, work: impl FnOnce(&mut MatchIndex) -> T + Send) -> T {
        py.detach(|| work(&mut self.inner.write().unwrap_or_else(PoisonError::into_inner)))
    }
}

#[pymethods]
impl PyMatchIndex {
    /// Indexes every client of `base`. `options` is the JSON text of the match
    /// settings (`clientbase.MatchIndex` also takes their dict), every entry
    /// optional: `threshold` (the probability from which a pair is a duplicate,
    /// default 0.9), `keys` (blocking keys by name), `max_block`, `max_cluster`,
    /// `candidate_floor`, `phone_region` and a whole `model` (as the `model`
    /// property gives it). Read by the core, so an unknown key is a `JsonError`
    /// and a bad value an `InvalidValueError` naming its field.
    #[new]
    #[pyo3(signature = (base, options = None))]
    fn new(
        py: Python<'_>,
        base: Bound<'_, PyClientBase>,
        options: Option<&str>,
    ) -> PyResult<PyMatchIndex> {
        let options = match options {
            Some(json) => MatchOptions::from_json(json).or_raise()?,
            None => MatchOptions::default(),
        };
        let index = base
            .get()
            .read(py, |b| MatchIndex::build(b, options))
            .or_raise()?;
        Ok(PyMatchIndex {
            base: base.unbind(),
            inner: RwLock::new(index),
        })
    }

    /// The base the index was built from.
    #[getter]
    fn base(&self, py: Python<'_>) -> Py<PyClientBase> {
        self.base.clone_ref(py)
    }

    /// The existing clients `client` (a `Client`, dict or JSON, not yet in the
    /// base or already in it) may be, best first, at most `limit`: dicts with
    /// `client` (its id), `probability`, `weight`, `verdict` (`duplicate`,
    /// `related` or `distinct`) and the `explanation`.
    #[pyo3(signature = (client, limit = 10))]
    fn find<'py>(
        &self,
        py: Python<'py>,
        client: &Bound<'py, PyAny>,
        limit: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = client_arg(client)?;
        let found = self.read(py, |index| index.find(&client, limit));
        to_py(py, &found)
    }

    /// The best candidate of every lead, on all cores with the GIL released.
    /// `leads` are columns (a dict of lists, or a pandas or polars DataFrame,
    /// named by import target as for `ClientBase.add_clients`) or rows (a list
    /// of `Client`s or dicts). Returns columns, one value per lead: `client`
    /// (the best candidate's id, or `None`), `probability`, `verdict`
    /// (`distinct` when nothing matches), and `problem` and `reason` for a row
    /// that could not be read (`None` otherwise); such a row is reported, not raised.
    fn find_many<'py>(
        &self,
        py: Python<'py>,
        leads: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let leads: Vec<Lead> =
            if leads.is_instance_of::<PyList>() || leads.is_instance_of::<PyTuple>() {
                let rows = leads.try_iter()?.enumerate();
                rows.map(|(row, lead)| lead_arg(row, &lead?))
                    .collect::<PyResult<_>>()?
            } else {
                // Columns are read by the core with the rules of `add_clients`.
                let columns = Columns::from_py(leads)?;
                let schema = self.base.bind(py).get().read(py, |b| b.schema().clone());
                py.detach(|| read_leads(&columns.table, &columns.bad_cells, schema))
                    .or_raise()?
            };
        let found = self.read(py, |index| index.find_leads(&leads)).or_raise()?;
        table_to_pydict(py, &found)
    }

    /// Adds a client added to the base, or replaces one changed since (a
    /// `Client`, dict or JSON; `clientbase.MatchIndex.insert` also takes its id).
    fn insert(&self, py: Python<'_>, client: &Bound<'_, PyAny>) -> PyResult<()> {
        let client = client_arg(client)?;
        self.write(py, |index| index.insert(&client)).or_raise()
    }

    /// Takes a client out of the index (removed from the base, or merged
    /// away); `False` when it was not in it.
    fn remove(&self, py: Python<'_>, id: u64) -> bool {
        self.write(py, |index| index.remove(ClientId(id)))
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.read(py, MatchIndex::len)
    }

    /// Why two indexed clients are (or are not) the same client: the prior,
    /// every compared field's level, weight and values, the total weight,
    /// probability and verdict. An id not in the index raises `UnknownIdError`.
    fn explain<'py>(&self, py: Python<'py>, a: u64, b: u64) -> PyResult<Bound<'py, PyAny>> {
        let explanation = self
            .read(py, |index| index.explain(ClientId(a), ClientId(b)))
            .or_raise()?;
        to_py(py, &explanation)
    }

    /// `explain(a, b)` as text, one line per field, strongest first.
    fn explain_text(&self, py: Python<'_>, a: u64, b: u64) -> PyResult<String> {
        self.read(py, |index| {
            index.explain(ClientId(a), ClientId(b)).map(|e| e.to_text())
        })
        .or_raise()
    }

    /// Deduplicates every indexed client on all cores with the GIL released.
    /// `not_duplicates` are `(a, b)` pairs a person decided are different
    /// clients; they are never put in one cluster.
    ///
    /// Returns a dict: `clusters` (each with `id`, its oldest record's id,
    /// `members` and the `links` that joined them), `related` links (different
    /// people sharing a contact), `refused` links, `blocking` statistics per
    /// key, `records`, `comparisons`, `duplicates` (records a merge would
    /// remove) and `cluster_of` as columns `{"client": [...], "cluster": [...]}`.
    #[pyo3(signature = (not_duplicates = None))]
    fn dedupe<'py>(
        &self,
        py: Python<'py>,
        not_duplicates: Option<Vec<(u64, u64)>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pairs = not_duplicates.unwrap_or_default().into_iter();
        let decisions: Decisions = pairs.map(|(a, b)| (ClientId(a), ClientId(b))).collect();
        let found = self
            .read(py, |index| dedupe_index(index, &decisions))
            .or_raise()?;
        to_py(py, &found)
    }

    /// Estimates the model from the base itself, without labels (u from
    /// `random_pairs` random pairs, m and the prior by EM over the blocked
    /// pairs), and uses it from now on. Returns what the estimation did; a base
    /// of fewer than 100 clients raises `InvalidValueError`.
    #[pyo3(signature = (random_pairs = 1_000_000, seed = 0))]
    fn estimate<'py>(
        &self,
        py: Python<'py>,
        random_pairs: u64,
        seed: u64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let estimate = self
            .write(py, |index| index.estimate(random_pairs, seed))
            .or_raise()?;
        to_py(py, &estimate)
    }

    /// The match model as a dict: per-field `m` and `u` probabilities,
    /// `duplicates_per_record`, `threshold`, `term_frequencies`. Set it to a
    /// changed copy to match with other weights.
    #[getter]
    fn model<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let model = self.read(py, |index| index.model().clone());
        to_py(py, &model)
    }

    #[setter]
    fn set_model(&self, py: Python<'_>, model: &Bound<'_, PyAny>) -> PyResult<()> {
        let model: MatchModel = serde_json::from_value(to_json_value(model)?)
            .map_err(|err| {
                Error::new(ErrorKind::Json, format!("match model: {err}")).with_field("model")
            })
            .or_raise()?;
        self.write(py, |index| index.set_model(model)).or_raise()
    }
}
