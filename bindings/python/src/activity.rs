//! `Activity`: calls, emails, messages, meetings, tasks and notes.

use crate::client::replaced;
use crate::convert::{enum_from_name, from_json, from_py, record_arg, to_json, to_py};
use chrono::{DateTime, Utc};
use clientbase::{Activity, ActivityKind, ClientId, DealId};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// Something that happened with a client, or is to be done.
#[pyclass(
    frozen,
    eq,
    skip_from_py_object,
    name = "Activity",
    module = "clientbase"
)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyActivity {
    pub(crate) inner: Activity,
}

/// Reads an activity from an `Activity`, a dict or JSON text.
pub(crate) fn activity_arg(obj: &Bound<'_, PyAny>) -> PyResult<Activity> {
    match obj.cast::<PyActivity>() {
        Ok(activity) => Ok(activity.get().inner.clone()),
        Err(_) => record_arg(obj, "an Activity"),
    }
}

#[pymethods]
impl PyActivity {
    /// An activity of `kind` (`call`, `email`, `message`, `meeting`, `task`, `note`)
    /// with client `client` at `at` (an aware datetime).
    #[new]
    #[pyo3(signature = (client, kind, at, *, text = None, direction = None, manager = None, outcome = None, deal = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        client: u64,
        kind: &str,
        at: DateTime<Utc>,
        text: Option<String>,
        direction: Option<&str>,
        manager: Option<String>,
        outcome: Option<String>,
        deal: Option<u64>,
    ) -> PyResult<PyActivity> {
        let kind: ActivityKind = enum_from_name("kind", kind)?;
        let mut activity = Activity::new(ClientId(client), kind, at);
        activity.text = text;
        activity.direction = direction
            .map(|name| enum_from_name("direction", name))
            .transpose()?;
        activity.manager = manager;
        activity.outcome = outcome;
        activity.deal = deal.map(DealId);
        Ok(PyActivity { inner: activity })
    }

    /// A task for client `client`, created at `at` and due at `due`.
    #[staticmethod]
    fn task(client: u64, at: DateTime<Utc>, due: DateTime<Utc>, text: &str) -> PyActivity {
        PyActivity {
            inner: Activity::task(ClientId(client), at, due, text),
        }
    }

    /// An activity from its dict form (the shape of `to_dict()` and of the JSON).
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<PyActivity> {
        Ok(PyActivity {
            inner: from_py(data)?,
        })
    }

    /// An activity from its JSON form.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<PyActivity> {
        Ok(PyActivity {
            inner: from_json(json)?,
        })
    }

    /// The activity as plain Python data, in the JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    /// The activity as compact JSON, exactly as the core writes it.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    /// A copy with `changes` applied; keys are those of `to_dict()`: `task.replace(done=True)`.
    #[pyo3(signature = (**changes))]
    fn replace(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<PyActivity> {
        Ok(PyActivity {
            inner: replaced(&self.inner, changes)?,
        })
    }

    /// The id in the base (0 until the activity is added).
    #[getter]
    fn id(&self) -> u64 {
        self.inner.id.get()
    }

    /// The client's id.
    #[getter]
    fn client(&self) -> u64 {
        self.inner.client.get()
    }

    /// `call`, `email`, `message`, `meeting`, `task` or `note`.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.kind)
    }

    /// When it happened (or was created, for tasks), UTC.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }

    /// `inbound` or `outbound`, for calls and messages.
    #[getter]
    fn direction<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.direction)
    }

    /// The manager.
    #[getter]
    fn manager(&self) -> Option<&str> {
        self.inner.manager.as_deref()
    }

    /// The outcome.
    #[getter]
    fn outcome(&self) -> Option<&str> {
        self.inner.outcome.as_deref()
    }

    /// The text, subject or summary.
    #[getter]
    fn text(&self) -> Option<&str> {
        self.inner.text.as_deref()
    }

    /// The id of the deal it belongs to.
    #[getter]
    fn deal(&self) -> Option<u64> {
        self.inner.deal.map(DealId::get)
    }

    /// When a task is due (UTC).
    #[getter]
    fn due(&self) -> Option<DateTime<Utc>> {
        self.inner.due
    }

    /// Whether a task is done.
    #[getter]
    fn done(&self) -> bool {
        self.inner.done
    }

    /// Whether this is a task not yet done.
    #[getter]
    fn is_open_task(&self) -> bool {
        self.inner.is_open_task()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let kind = to_py(py, &self.inner.kind)?.str()?.to_string();
        let mut text = format!(
            "Activity(id={}, {kind}, client={}, at={}",
            self.inner.id.get(),
            self.inner.client.get(),
            self.inner
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        );
        if let Some(deal) = self.inner.deal {
            text += &format!(", deal={}", deal.get());
        }
        if self.inner.kind == ActivityKind::Task {
            text += if self.inner.done { ", done" } else { ", open" };
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
