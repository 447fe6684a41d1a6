//! `View`: a base as one actor may read it under an access policy. Mirrors
//! `clientbase`'s `access` module: the core restricts, masks, checks exports
//! against the policy and logs them; this file only converts.

use crate::base::PyClientBase;
use crate::capability::{output, params_arg};
use crate::client::PyClient;
use crate::convert::{to_json_value, to_py};
use crate::error::OrRaise;
use clientbase::access::{Policy, View};
use clientbase::record::csv_text;
use clientbase::{ClientBase, ClientId};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::sync::{Mutex, PoisonError};

/// A base as one actor sees it, made by `ClientBase.view(actor, policy)`.
///
/// Every read runs on a copy of the base restricted to the actor's clients,
/// contacts masked as the policy says, rebuilt when the base changed since.
/// Exports the policy forbids raise `ForbiddenError` with the reason; allowed
/// ones are logged in the base file's change log with the actor and count.
#[pyclass(frozen, subclass, name = "View", module = "clientbase")]
pub(crate) struct PyView {
    base: Py<PyClientBase>,
    inner: Mutex<View>,
}

impl PyView {
    /// Runs `work` on the view and its base with the GIL released.
    fn with<T, F>(&self, py: Python<'_>, work: F) -> T
    where
        T: Send,
        F: FnOnce(&mut View, &ClientBase) -> T + Send,
    {
        let inner = &self.inner;
        self.base.get().read(py, |base| {
            work(
                &mut inner.lock().unwrap_or_else(PoisonError::into_inner),
                base,
            )
        })
    }
}

#[pymethods]
impl PyView {
    /// The view of `actor` under `policy` (a dict or JSON text) on `base`
    /// (what `ClientBase.view(actor, policy)` makes).
    #[new]
    fn new(
        base: &Bound<'_, PyClientBase>,
        actor: &str,
        policy: &Bound<'_, PyAny>,
    ) -> PyResult<PyView> {
        let py = base.py();
        let policy = match policy.cast::<PyString>() {
            Ok(text) => Policy::from_json(text.to_str()?),
            Err(_) => Policy::from_value(to_json_value(policy)?),
        }
        .or_raise()?;
        let view = base
            .get()
            .read(py, |b| View::new(b, &policy, actor))
            .or_raise()?;
        Ok(PyView {
            base: base.clone().unbind(),
            inner: Mutex::new(view),
        })
    }

    /// What the actor may see and export: `{"actor", "role", "clients",
    /// "contacts", "owns", "forbid_exports": {kind: reason}}`.
    fn grant<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let grant = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        to_py(py, grant.grant())
    }

    /// Calls the capability `name` as the actor, like `ClientBase.call`:
    /// writes, the change log (for a restricted actor) and exports the policy
    /// forbids raise `ForbiddenError`.
    #[pyo3(signature = (name, params = None, **kwargs))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        params: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let params = params_arg(params, kwargs)?;
        let out = self
            .with(py, |view, base| view.call(base, name, params))
            .or_raise()?;
        output(py, out)
    }

    /// The clients the actor sees, contacts as the role sees them.
    fn clients(&self, py: Python<'_>) -> PyResult<Vec<PyClient>> {
        let clients = self.with(py, |view, base| view.clients(base)).or_raise()?;
        Ok(clients.into_iter().map(PyClient::new).collect())
    }

    /// One client as the actor sees it; one outside the view raises
    /// `UnknownIdError`, as one that does not exist.
    fn client(&self, py: Python<'_>, id: u64) -> PyResult<PyClient> {
        let client = self
            .with(py, |view, base| view.client(base, ClientId(id)))
            .or_raise()?;
        Ok(PyClient::new(client))
    }

    /// The records of `kind` (`client`, `deal`) the actor sees as CSV text, if
    /// the policy allows CSV exports.
    fn _export_csv(&self, py: Python<'_>, kind: &str) -> PyResult<String> {
        self.with(py, |view, base| {
            csv_text(|w| view.export_csv(base, kind, w))
        })
        .or_raise()
    }

    /// The base as the actor sees it as JSON, if the policy allows JSON exports.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |view, base| view.to_json(base)).or_raise()
    }
}
