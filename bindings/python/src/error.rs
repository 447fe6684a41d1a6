//! Exceptions: a core error raises the class `python/clientbase/_errors.py`
//! defines for its kind, found by the kind's stable name (`ErrorKind::name`),
//! with its `kind`, `record`, `field` and `reason`; `str(exc)` is the core
//! error's message, which names all three.

use clientbase::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// `clientbase._errors._error`, which makes the exception for a kind's name.
static MAKE_ERROR: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Converts a core error into the Python exception for its kind.
pub(crate) fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|failure| failure))
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let make = MAKE_ERROR.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("clientbase._errors")?.getattr("_error")?.unbind())
    })?;
    let (kind, message) = (err.kind().name(), err.to_string());
    let args = (kind, message, err.record(), err.field(), err.reason());
    Ok(PyErr::from_value(make.bind(py).call1(args)?))
}

/// `.or_raise()` turns a core `Result` into a `PyResult` with the right exception.
pub(crate) trait OrRaise<T> {
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for clientbase::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(to_py_err)
    }
}
