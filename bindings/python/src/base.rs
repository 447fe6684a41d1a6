//! `ClientBase`: the validated store of clients, deals and activities.
//!
//! The core base lives behind an `RwLock` that is only ever taken with the GIL
//! released (`py.detach`), so a long batch in one thread lets other Python threads
//! run, and two threads using one base wait for each other instead of failing.

use crate::activity::{activity_arg, PyActivity};
use crate::client::{client_arg, PyClient};
use crate::convert::to_py;
use crate::deal::deal_arg;
use crate::deal::PyDeal;
use crate::error::OrRaise;
use crate::schema::{field_def, schema_arg, PySchema};
use crate::table;
use chrono::{DateTime, Utc};
use clientbase::capability::{import_records, CsvSource, ImportInput};
use clientbase::record::{csv_text, export_csv};
use clientbase::{Activity, Client, ClientBase, ClientId, ColumnMapping, CsvOptions, Currency};
use clientbase::{Deal, Record};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};
use std::sync::{PoisonError, RwLock};

/// A company's client base: clients, deals and activities, always valid (the
/// records, files and tables; `clientbase.ClientBase` adds the capabilities).
///
/// Every write is checked against the schema and the records it refers to; a
/// rejected write raises a `ClientbaseError` subclass and leaves the base unchanged.
#[pyclass(frozen, subclass, name = "ClientBase", module = "clientbase")]
pub(crate) struct PyClientBase {
    inner: RwLock<ClientBase>,
}

impl PyClientBase {
    /// An instance of `cls` (this class, or the Python `clientbase.ClientBase`
    /// that adds the named capabilities) holding `base`.
    fn wrap_as<'py>(cls: &Bound<'py, PyType>, base: ClientBase) -> PyResult<Bound<'py, PyAny>> {
        let made = cls.call0()?;
        let lock = &made.cast::<PyClientBase>()?.get().inner;
        *lock.write().unwrap_or_else(PoisonError::into_inner) = base;
        Ok(made)
    }

    /// Runs `work` on the base with the GIL released.
    pub(crate) fn read<T, F>(&self, py: Python<'_>, work: F) -> T
    where
        T: Send,
        F: FnOnce(&ClientBase) -> T + Send,
    {
        py.detach(|| work(&self.inner.read().unwrap_or_else(PoisonError::into_inner)))
    }

    /// Runs `work` on the base, for writing, with the GIL released.
    pub(crate) fn write<T, F>(&self, py: Python<'_>, work: F) -> T
    where
        T: Send,
        F: FnOnce(&mut ClientBase) -> T + Send,
    {
        py.detach(|| work(&mut self.inner.write().unwrap_or_else(PoisonError::into_inner)))
    }
}

/// Runs `$body` with `$T` the core record type of `$kind` (`client`, `deal`,
/// `activity`), `$P` its Python class and `$arg` its argument reader.
macro_rules! by_kind {
    ($kind:expr, $T:ident, $P:ident, $arg:ident => $body:expr) => {
        match $kind {
            "client" => {
                #[allow(unused)]
                type $T = Client;
                #[allow(unused)]
                type $P = PyClient;
                #[allow(unused)]
                let $arg = client_arg;
                $body
            }
            "deal" => {
                #[allow(unused)]
                type $T = Deal;
                #[allow(unused)]
                type $P = PyDeal;
                #[allow(unused)]
                let $arg = deal_arg;
                $body
            }
            "activity" => {
                #[allow(unused)]
                type $T = Activity;
                #[allow(unused)]
                type $P = PyActivity;
                #[allow(unused)]
                let $arg = activity_arg;
                $body
            }
            other => Err(pyo3::exceptions::PyValueError::new_err(format!(
                "{other:?} is not a record kind (client, deal, activity)"
            ))),
        }
    };
}

#[pymethods]
impl PyClientBase {
    /// An empty base with `schema` (a `Schema`, its dict or JSON form, or `None`).
    #[new]
    #[pyo3(signature = (schema = None))]
    fn new(schema: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let inner = RwLock::new(ClientBase::new(schema_arg(schema)?));
        Ok(PyClientBase { inner })
    }

    /// Opens the base kept in the file at `path` (see `create`); every later
    /// write is committed to the file before it returns. `create=True` makes a
    /// missing file; `read_only=True` refuses writes; `sync_every_commit=True`
    /// waits for the disk after every commit (survives a power cut). A missing,
    /// foreign, damaged, newer or locked file raises `StorageError`. Use it as
    /// a context manager (`with ClientBase.open(path) as base:`) to close it.
    #[classmethod]
    #[pyo3(signature = (path, **options))]
    fn open<'py>(
        cls: &Bound<'py, PyType>,
        path: std::path::PathBuf,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        let options: clientbase::OpenOptions = match options {
            Some(options) => crate::convert::from_py(options.as_any())?,
            None => clientbase::OpenOptions::default(),
        };
        let base = py
            .detach(|| ClientBase::open_with(&path, &options))
            .or_raise()?;
        PyClientBase::wrap_as(cls, base)
    }

    /// Creates a new base file at `path` with `schema` (as for `ClientBase()`)
    /// and opens it; an existing file is never overwritten.
    #[classmethod]
    #[pyo3(signature = (path, schema = None))]
    fn create<'py>(
        cls: &Bound<'py, PyType>,
        path: std::path::PathBuf,
        schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let schema = schema_arg(schema)?;
        let base = cls
            .py()
            .detach(|| ClientBase::create(&path, schema))
            .or_raise()?;
        PyClientBase::wrap_as(cls, base)
    }

    /// Writes the base into a new base file at `path` and keeps it there: later
    /// writes are committed to that file.
    fn save_as(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        self.write(py, |base| base.save_as(&path)).or_raise()
    }

    /// Closes the base file (every write is in it already). The records stay
    /// readable; writes raise `StorageError`. Nothing to do for a base in memory.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.write(py, ClientBase::close).or_raise()
    }

    /// The file the base is kept in, or `None` for a base in memory.
    #[getter]
    fn path(&self, py: Python<'_>) -> Option<std::path::PathBuf> {
        self.read(py, |base| base.path().map(std::path::Path::to_path_buf))
    }

    /// Who makes the following writes (a manager's name or id), for the change
    /// log; `None` for nobody in particular.
    #[getter]
    fn actor(&self, py: Python<'_>) -> Option<String> {
        self.read(py, |base| base.actor().map(str::to_string))
    }

    #[setter]
    fn set_actor(&self, py: Python<'_>, actor: Option<String>) {
        self.write(py, |base| base.set_actor(actor.as_deref()))
    }

    /// Keeps a change log for a base in memory: its last `limit` entries, read
    /// with `changes()` (0 stops it). A base file keeps its whole log already.
    fn keep_change_log(&self, py: Python<'_>, limit: usize) -> PyResult<()> {
        self.write(py, |base| base.keep_change_log(limit))
            .or_raise()
    }

    /// Reads a base written by `to_json()`, validating every record.
    #[classmethod]
    fn from_json<'py>(cls: &Bound<'py, PyType>, json: String) -> PyResult<Bound<'py, PyAny>> {
        let base = cls
            .py()
            .detach(|| ClientBase::from_json(&json))
            .or_raise()?;
        PyClientBase::wrap_as(cls, base)
    }

    /// The whole base as JSON; `ClientBase.from_json()` gives back an equal base.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.read(py, ClientBase::to_json).or_raise()
    }

    /// A copy of the schema.
    #[getter]
    fn schema(&self, py: Python<'_>) -> PySchema {
        PySchema {
            inner: self.read(py, |base| base.schema().clone()),
        }
    }

    /// Adds a tag to the vocabulary.
    fn declare_tag(&self, py: Python<'_>, tag: String) -> PyResult<()> {
        self.write(py, |base| base.declare_tag(tag)).or_raise()
    }

    /// Declares a custom field; see `Schema.declare_field`.
    #[pyo3(signature = (name, r#type, *, options = None, currency = None, label = None))]
    fn declare_field(
        &self,
        py: Python<'_>,
        name: &str,
        r#type: &str,
        options: Option<&Bound<'_, PyAny>>,
        currency: Option<&str>,
        label: Option<&str>,
    ) -> PyResult<()> {
        let def = field_def(name, r#type, options, currency, label)?;
        self.write(py, |base| base.declare_field(def)).or_raise()
    }

    /// Sets the accounting currency; deals already in another one make it a `ConflictError`.
    #[pyo3(signature = (currency))]
    fn set_currency(&self, py: Python<'_>, currency: Option<&str>) -> PyResult<()> {
        let currency = currency.map(Currency::new).transpose().or_raise()?;
        self.write(py, |base| base.set_currency(currency))
            .or_raise()
    }

    /// Stamps new and changed records with `at` (an aware datetime) instead of the
    /// system clock; `None` follows the system clock again.
    #[pyo3(signature = (at))]
    fn freeze_clock(&self, py: Python<'_>, at: Option<DateTime<Utc>>) {
        self.write(py, |base| base.freeze_clock(at))
    }

    // ---- records (the typed calls are in python/clientbase/base.py) -----------

    /// Validates and adds a record of `kind` (`client`, `deal`, `activity`;
    /// its class, a dict or JSON); returns its new id.
    fn _add(&self, py: Python<'_>, kind: &str, record: &Bound<'_, PyAny>) -> PyResult<u64> {
        by_kind!(kind, T, P, arg => {
            let record = arg(record)?;
            self.write(py, |base| record.add_to(base)).or_raise()
        })
    }

    /// Replaces the record of `kind` with the same id.
    fn _update(&self, py: Python<'_>, kind: &str, record: &Bound<'_, PyAny>) -> PyResult<()> {
        by_kind!(kind, T, P, arg => {
            let record = arg(record)?;
            self.write(py, |base| record.update_in(base)).or_raise()
        })
    }

    /// Removes the record of `kind` with `id`, which nothing may refer to, and returns it.
    fn _remove(&self, py: Python<'_>, kind: &str, id: u64) -> PyResult<Py<PyAny>> {
        by_kind!(kind, T, P, arg => {
            let inner = self.write(py, |base| T::remove_from(base, id)).or_raise()?;
            Ok(P { inner }.into_pyobject(py)?.into_any().unbind())
        })
    }

    /// The record of `kind` with `id`; an unknown id raises `UnknownIdError`.
    fn _get(&self, py: Python<'_>, kind: &str, id: u64) -> PyResult<Py<PyAny>> {
        by_kind!(kind, T, P, arg => {
            let inner = self.read(py, |base| T::find_in(base, id).cloned()).or_raise()?;
            Ok(P { inner }.into_pyobject(py)?.into_any().unbind())
        })
    }

    /// All clients in id order.
    fn clients(&self, py: Python<'_>) -> Vec<PyClient> {
        self.read(py, |base| {
            base.clients().cloned().map(PyClient::new).collect()
        })
    }

    /// Clients whose relations point at `id`, as `(client id, relation kind)` pairs.
    fn related_to<'py>(&self, py: Python<'py>, id: u64) -> PyResult<Bound<'py, PyAny>> {
        let related: Vec<_> = self.read(py, |base| base.related_to(ClientId(id)).collect());
        to_py(py, &related)
    }

    /// The id of the company with this tax id (ИНН), if any.
    fn find_company_by_tax_id(&self, py: Python<'_>, tax_id: String) -> Option<u64> {
        self.read(py, |base| base.find_company_by_tax_id(&tax_id))
            .map(ClientId::get)
    }

    /// All deals in id order, or those of `client`.
    #[pyo3(signature = (client = None))]
    fn deals(&self, py: Python<'_>, client: Option<u64>) -> Vec<PyDeal> {
        self.read(py, |base| match client {
            Some(id) => base.deals_of(ClientId(id)).cloned().collect::<Vec<_>>(),
            None => base.deals().cloned().collect(),
        })
        .into_iter()
        .map(|inner| PyDeal { inner })
        .collect()
    }

    /// All activities in id order, or those of `client`, or those of `deal`.
    #[pyo3(signature = (*, client = None, deal = None))]
    fn activities(
        &self,
        py: Python<'_>,
        client: Option<u64>,
        deal: Option<u64>,
    ) -> Vec<PyActivity> {
        let found = self.read(py, |base| {
            clientbase::record::activities(base, client, deal)
        });
        found
            .into_iter()
            .map(|inner| PyActivity { inner })
            .collect()
    }

    /// Counts of clients, persons, companies, deals, open deals, deal lines,
    /// activities and open tasks.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.read(py, ClientBase::counts))
    }

    /// Calls the capability `name` on this base (see `clientbase.capabilities()`):
    /// `base.call("sales_summary", top_categories=5)`. Params come as a dict, as
    /// keyword arguments, or both (keywords win); a key the capability does not
    /// have raises `JsonError` naming it. Returns the report as plain Python data.
    #[pyo3(signature = (name, params = None, **kwargs))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        params: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let params = crate::capability::params_arg(params, kwargs)?;
        self.call_capability(py, name, params)
    }

    // ---- CSV and columns (read by `clientbase::capability::import_records`) -------

    /// Imports deals (`kind` `deal`) or clients (`client`) from the CSV
    /// `data`, else the file at `path` (see
    /// `clientbase.ClientBase.import_clients_csv`): the report as a dict.
    #[pyo3(signature = (kind, data, path, mapping, *, delimiter = None, currency = None, strict = false))]
    #[allow(clippy::too_many_arguments)]
    fn _import_csv<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        data: Option<Vec<u8>>,
        path: Option<std::path::PathBuf>,
        mapping: Vec<(String, String)>,
        delimiter: Option<u8>,
        currency: Option<&str>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let source = match (&data, &path) {
            (Some(data), _) => CsvSource::Bytes(data),
            (None, Some(path)) => CsvSource::Path(path),
            (None, None) => return Err(PyTypeError::new_err("no CSV data or path given")),
        };
        let mapping = ColumnMapping::from_pairs(mapping).or_raise()?;
        let options = CsvOptions::new(delimiter, currency, strict).or_raise()?;
        let input = ImportInput::Csv(source, &mapping);
        let report = self.write(py, |base| import_records(base, kind, input, &options));
        to_py(py, &report.or_raise()?)
    }

    /// All records of `kind` (`client`, `deal`) as CSV text.
    fn _export_csv(&self, py: Python<'_>, kind: &str) -> PyResult<String> {
        self.read(py, |base| csv_text(|w| export_csv(base, kind, w)))
            .or_raise()
    }

    /// Adds many deals (`kind` `deal`) or clients (`client`) at once from columns
    /// (see `clientbase.ClientBase.add_clients`): the report as a dict.
    #[pyo3(signature = (kind, columns, *, currency = None, strict = false))]
    fn _add_rows<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        columns: &Bound<'py, PyAny>,
        currency: Option<&str>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let columns = table::Columns::from_py(columns)?;
        let options = CsvOptions::new(None, currency, strict).or_raise()?;
        let input = ImportInput::Table(&columns.table, &columns.bad_cells);
        let report = self.write(py, |base| import_records(base, kind, input, &options));
        to_py(py, &report.or_raise()?)
    }
}
