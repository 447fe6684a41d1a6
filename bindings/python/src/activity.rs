//! `Activity`: calls, emails, messages, meetings, tasks and notes.

use crate::convert::{enum_from_name, to_py};
use crate::record::record_class;
use chrono::{DateTime, Utc};
use clientbase::{Activity, ActivityKind, ClientId, DealId};
use pyo3::prelude::*;

record_class! {
    /// Something that happened with a client, or is to be done.
    PyActivity(Activity, "Activity", activity_arg, "an Activity");
    methods {
        /// An activity of `kind` (`call`, `email`, `message`, `meeting`, `task`, `note`, `visit`, `form`, `event`)
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
    }
    getters<'a> |r, py| {
        /// The id in the base (0 until the activity is added).
        id -> u64 = r.id.get();
        /// The client's id.
        client -> u64 = r.client.get();
        /// `call`, `email`, `message`, `meeting`, `task`, `note`, `visit`, `form` or `event`.
        kind -> PyResult<Bound<'a, PyAny>> = to_py(py, &r.kind);
        /// When it happened (or was created, for tasks), UTC.
        at -> DateTime<Utc> = r.at;
        /// `inbound` or `outbound`, for calls and messages.
        direction -> PyResult<Bound<'a, PyAny>> = to_py(py, &r.direction);
        /// The manager.
        manager -> Option<&'a str> = r.manager.as_deref();
        /// The outcome.
        outcome -> Option<&'a str> = r.outcome.as_deref();
        /// The text, subject or summary.
        text -> Option<&'a str> = r.text.as_deref();
        /// The id of the deal it belongs to.
        deal -> Option<u64> = r.deal.map(DealId::get);
        /// When a task is due (UTC).
        due -> Option<DateTime<Utc>> = r.due;
        /// Whether a task is done.
        done -> bool = r.done;
        /// Whether this is a task not yet done.
        is_open_task -> bool = r.is_open_task();
    }
}
