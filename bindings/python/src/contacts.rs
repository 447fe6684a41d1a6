//! `ContactReport`: what `ClientBase.normalize_contacts` did to clients' phones
//! and emails (the call itself is in `base.rs`, next to the lock it takes).

use crate::arrow::table_to_pydict;
use crate::convert::{to_json, to_py};
use crate::error::OrRaise;
use clientbase::capability::Output;
use clientbase::{ContactReport, Error};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// What normalizing contacts did: how many clients and contact points changed,
/// which phones and emails are not valid and why, which phone fields were split
/// into several phones, and which email typos to offer the user.
#[pyclass(frozen, name = "ContactReport", module = "clientbase")]
pub(crate) struct PyContactReport {
    pub(crate) inner: ContactReport,
}

impl PyContactReport {
    /// The report of the `normalize_contacts` capability.
    pub(crate) fn from_output(out: Output) -> PyResult<PyContactReport> {
        let inner = serde_json::from_value(out.into_json().or_raise()?);
        Ok(PyContactReport {
            inner: inner.map_err(Error::from).or_raise()?,
        })
    }
}

#[pymethods]
impl PyContactReport {
    /// Clients looked at.
    #[getter]
    fn clients(&self) -> usize {
        self.inner.clients
    }

    /// Clients whose phones or emails changed.
    #[getter]
    fn clients_changed(&self) -> usize {
        self.inner.clients_changed
    }

    /// Phones and emails whose normalized form, label or split changed.
    #[getter]
    fn changed(&self) -> usize {
        self.inner.changed
    }

    /// Phones and emails that are not valid: `{"client": id, "field":
    /// "phones[1]", "raw": what was typed, "reason": why}`, by client, phones
    /// before emails.
    #[getter]
    fn invalid<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.invalid)
    }

    /// Phone fields that held several numbers and became several phones:
    /// `{"client": id, "field": "phones[0]", "original": the whole field,
    /// "into": how many phones}`.
    #[getter]
    fn split<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.split)
    }

    /// Email typos to offer, never applied: `{"client": id, "field":
    /// "emails[0]", "raw": what was typed, "suggestion": the likely address}`.
    #[getter]
    fn suggestions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.suggestions)
    }

    /// Clients the base refused to store after normalizing (should stay
    /// empty), as `(client id, error message)` pairs.
    #[getter]
    fn rejected(&self) -> Vec<(u64, String)> {
        self.inner
            .rejected
            .iter()
            .map(|r| (r.client.get(), r.reason.clone()))
            .collect()
    }

    /// The invalid phones and emails as columns: `{"client": [...], "field":
    /// [...], "raw": [...], "reason": [...]}`, ready for a DataFrame.
    fn invalid_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        table_to_pydict(py, &self.inner.invalid_table().or_raise()?)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    /// The report as compact JSON, exactly as the core writes it.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "ContactReport(clients={}, changed={}, invalid={}, split={}, suggestions={})",
            self.inner.clients,
            self.inner.changed,
            self.inner.invalid.len(),
            self.inner.split.len(),
            self.inner.suggestions.len()
        )
    }
}
