//! `Deal`: what a client buys, for exactly how much.

use crate::client::replaced;
use crate::convert::{from_json, from_py, record_arg, to_json, to_py};
use crate::error::OrRaise;
use crate::money::PyMoney;
use chrono::{DateTime, Utc};
use clientbase::{ClientId, Deal};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

/// A deal with a client: pipeline stage, status, amount and product lines.
#[pyclass(frozen, eq, skip_from_py_object, name = "Deal", module = "clientbase")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyDeal {
    pub(crate) inner: Deal,
}

/// Reads a deal from a `Deal`, a dict or JSON text.
pub(crate) fn deal_arg(obj: &Bound<'_, PyAny>) -> PyResult<Deal> {
    match obj.cast::<PyDeal>() {
        Ok(deal) => Ok(deal.get().inner.clone()),
        Err(_) => record_arg(obj, "a Deal"),
    }
}

#[pymethods]
impl PyDeal {
    /// An open deal for client `client` of `amount`, in the default pipeline at
    /// stage `new` unless told otherwise.
    #[new]
    #[pyo3(signature = (client, amount, *, title = None, pipeline = None, stage = None))]
    fn new(
        client: u64,
        amount: PyMoney,
        title: Option<String>,
        pipeline: Option<String>,
        stage: Option<String>,
    ) -> PyDeal {
        let mut deal = Deal::new(ClientId(client), amount.inner);
        deal.title = title;
        if let Some(pipeline) = pipeline {
            deal.pipeline = pipeline;
        }
        if let Some(stage) = stage {
            deal.stage = stage;
        }
        PyDeal { inner: deal }
    }

    /// A deal from its dict form (the shape of `to_dict()` and of the JSON).
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<PyDeal> {
        Ok(PyDeal {
            inner: from_py(data)?,
        })
    }

    /// A deal from its JSON form.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<PyDeal> {
        Ok(PyDeal {
            inner: from_json(json)?,
        })
    }

    /// The deal as plain Python data, in the JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    /// The deal as compact JSON, exactly as the core writes it.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    /// A copy with `changes` applied; keys are those of `to_dict()`:
    /// `deal.replace(status="won", closed_at=datetime.now(UTC))`.
    #[pyo3(signature = (**changes))]
    fn replace(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<PyDeal> {
        Ok(PyDeal {
            inner: replaced(&self.inner, changes)?,
        })
    }

    /// The id in the base (0 until the deal is added).
    #[getter]
    fn id(&self) -> u64 {
        self.inner.id.get()
    }

    /// The client's id.
    #[getter]
    fn client(&self) -> u64 {
        self.inner.client.get()
    }

    /// A short title.
    #[getter]
    fn title(&self) -> Option<&str> {
        self.inner.title.as_deref()
    }

    /// The sales pipeline.
    #[getter]
    fn pipeline(&self) -> &str {
        &self.inner.pipeline
    }

    /// The stage within the pipeline.
    #[getter]
    fn stage(&self) -> &str {
        &self.inner.stage
    }

    /// `open`, `won`, `lost`, or `{"duplicate_of": <deal id>}`.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.status)
    }

    /// Whether the deal is closed (won, lost or duplicate).
    #[getter]
    fn is_closed(&self) -> bool {
        self.inner.status.is_closed()
    }

    /// The deal amount.
    #[getter]
    fn amount(&self) -> PyMoney {
        PyMoney {
            inner: self.inner.amount,
        }
    }

    /// When the deal was created (UTC).
    #[getter]
    fn created_at(&self) -> Option<DateTime<Utc>> {
        self.inner.created_at
    }

    /// When the deal was closed (UTC).
    #[getter]
    fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.inner.closed_at
    }

    /// The manager who owns the deal.
    #[getter]
    fn owner(&self) -> Option<&str> {
        self.inner.owner.as_deref()
    }

    /// Where the deal came from.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.inner.source.as_deref()
    }

    /// Product lines as dicts: `{"product", "quantity", "unit_price", ...}`.
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.lines)
    }

    /// The supply schedule as a dict (`{"every": 1, "period": "month", "day": 5}`).
    #[getter]
    fn recurrence<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.recurrence)
    }

    /// The sum of the line totals (price × quantity less discounts).
    fn lines_total(&self) -> PyResult<PyMoney> {
        Ok(PyMoney {
            inner: self.inner.lines_total().or_raise()?,
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let status = to_py(py, &self.inner.status)?.str()?.to_string();
        let mut text = format!(
            "Deal(id={}, client={}, {}, {status}",
            self.inner.id.get(),
            self.inner.client.get(),
            self.inner.amount
        );
        if let Some(title) = &self.inner.title {
            text += &format!(", {}", PyString::new(py, title).repr()?);
        }
        if !self.inner.lines.is_empty() {
            text += &format!(", lines={}", self.inner.lines.len());
        }
        Ok(text + ")")
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let from_json = slf.get_type().getattr("from_json")?;
        let json = slf.get().to_json()?;
        PyTuple::new(
            slf.py(),
            [from_json, PyTuple::new(slf.py(), [json])?.into_any()],
        )
    }
}
