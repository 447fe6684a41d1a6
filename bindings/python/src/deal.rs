//! `Deal`: what a client buys, for exactly how much.

use crate::convert::to_py;
use crate::error::OrRaise;
use crate::money::PyMoney;
use crate::record::record_class;
use chrono::{DateTime, Utc};
use clientbase::{ClientId, Deal};
use pyo3::prelude::*;
use pyo3::types::PyString;

record_class! {
    /// A deal with a client: pipeline stage, status, amount and product lines.
    PyDeal(Deal, "Deal", deal_arg, "a Deal");
    methods {
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
                deal.pipeline = pipeline.into();
            }
            if let Some(stage) = stage {
                deal.stage = stage.into();
            }
            PyDeal { inner: deal }
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
    }
    getters<'a> |d, py| {
        /// The id in the base (0 until the deal is added).
        id -> u64 = d.id.get();
        /// The client's id.
        client -> u64 = d.client.get();
        /// A short title.
        title -> Option<&'a str> = d.title.as_deref();
        /// The sales pipeline.
        pipeline -> &'a str = &d.pipeline;
        /// The stage within the pipeline.
        stage -> &'a str = &d.stage;
        /// `open`, `won`, `lost`, or `{"duplicate_of": <deal id>}`.
        status -> PyResult<Bound<'a, PyAny>> = to_py(py, &d.status);
        /// Whether the deal is closed (won, lost or duplicate).
        is_closed -> bool = d.status.is_closed();
        /// The deal amount.
        amount -> PyMoney = PyMoney { inner: d.amount };
        /// When the deal was created (UTC).
        created_at -> Option<DateTime<Utc>> = d.created_at;
        /// When the deal was closed (UTC).
        closed_at -> Option<DateTime<Utc>> = d.closed_at;
        /// The manager who owns the deal.
        owner -> Option<&'a str> = d.owner.as_deref();
        /// Where the deal came from.
        source -> Option<&'a str> = d.source.as_deref();
        /// Product lines as dicts: `{"product", "quantity", "unit_price", ...}`.
        lines -> PyResult<Bound<'a, PyAny>> = to_py(py, &d.lines);
        /// The supply schedule as a dict (`{"every": 1, "period": "month", "day": 5}`).
        recurrence -> PyResult<Bound<'a, PyAny>> = to_py(py, &d.recurrence);
    }
}
