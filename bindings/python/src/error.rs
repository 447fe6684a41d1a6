//! Exceptions: one `ClientbaseError` base and one subclass per core [`ErrorKind`],
//! converted in one `match` so a new kind is one line here.
//!
//! Every exception carries `kind` (the kind's stable name), `record`, `field` and
//! `reason`, and `str(exc)` is the core error's message, which names all three.

use clientbase::{Error, ErrorKind};
use pyo3::exceptions::{PyException, PyOSError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use pyo3::{create_exception, PyTypeInfo};

create_exception!(
    clientbase,
    ClientbaseError,
    PyException,
    "Base class of every clientbase error.\n\n`kind` is the error kind's name (`unknown_tag`), `record` and `field` say where\nthe problem is and `reason` says why; `str(exc)` names all three."
);

/// One exception class per core kind, each a `ClientbaseError`.
macro_rules! kind_exceptions {
    ($($name:ident: $doc:literal,)*) => {
        $(create_exception!(clientbase, $name, ClientbaseError, $doc);)*
    };
}

kind_exceptions! {
    InvalidValueError: "A value is malformed or out of its allowed range.",
    UnknownIdError: "A referenced client, deal or activity does not exist.",
    UnknownTagError: "A tag is not in the schema's tag vocabulary.",
    UnknownFieldError: "A custom field is not declared in the schema.",
    FieldTypeError: "A custom field value does not have the declared type.",
    CurrencyMismatchError: "An amount of money is in a different currency than required.",
    SchemaError: "A schema declaration is invalid (empty name, conflicting redeclaration, ...).",
    ConflictError: "The change conflicts with what the base holds (a record still referenced, ...).",
    CsvError: "CSV input could not be read at all (a bad row is reported, not raised).",
    JsonError: "JSON (or dict) input is malformed or does not describe the expected data.",
    StorageError: "A base file is missing, foreign, damaged, from a newer version, locked by another program, or could not be written.",
    ForbiddenError: "The actor's access policy forbids the call (an export, the change log, a write through a read-only view); the message gives the reason.",
}

/// `IoError` is both a `ClientbaseError` and an `OSError`, which `create_exception!`
/// (one base class) cannot express, so it is made once per interpreter with `type()`.
static IO_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn io_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    IO_ERROR
        .get_or_try_init(py, || {
            let bases = PyTuple::new(
                py,
                [ClientbaseError::type_object(py), PyOSError::type_object(py)],
            )?;
            let namespace = PyDict::new(py);
            namespace.set_item("__module__", "clientbase")?;
            namespace.set_item(
                "__doc__",
                "Reading or writing failed at the operating system level.",
            )?;
            let class = py
                .get_type::<PyType>()
                .call1(("IoError", bases, namespace))?
                .cast_into::<PyType>()?;
            Ok::<_, PyErr>(class.unbind())
        })
        .map(|class| class.bind(py))
}

/// The exception class for `kind`: the one place a kind becomes a Python class.
fn exception_class(py: Python<'_>, kind: ErrorKind) -> PyResult<Bound<'_, PyType>> {
    Ok(match kind {
        ErrorKind::InvalidValue => InvalidValueError::type_object(py),
        ErrorKind::UnknownId => UnknownIdError::type_object(py),
        ErrorKind::UnknownTag => UnknownTagError::type_object(py),
        ErrorKind::UnknownField => UnknownFieldError::type_object(py),
        ErrorKind::FieldType => FieldTypeError::type_object(py),
        ErrorKind::CurrencyMismatch => CurrencyMismatchError::type_object(py),
        ErrorKind::Schema => SchemaError::type_object(py),
        ErrorKind::Conflict => ConflictError::type_object(py),
        ErrorKind::Csv => CsvError::type_object(py),
        ErrorKind::Json => JsonError::type_object(py),
        ErrorKind::Io => io_error_type(py)?.clone(),
        ErrorKind::Storage => StorageError::type_object(py),
        ErrorKind::Forbidden => ForbiddenError::type_object(py),
        // A kind added to the core after this binding was built still raises a
        // ClientbaseError with the right `kind` attribute.
        _ => ClientbaseError::type_object(py),
    })
}

/// Converts a core error into the Python exception for its kind.
pub(crate) fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|failure| failure))
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let exc = exception_class(py, err.kind())?.call1((err.to_string(),))?;
    exc.setattr("kind", err.kind().name())?;
    exc.setattr("record", err.record())?;
    exc.setattr("field", err.field())?;
    exc.setattr("reason", err.reason())?;
    Ok(PyErr::from_value(exc))
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

/// Adds the exception classes to the module, each with its `kind` as a class
/// attribute (the base class has `kind = None`, as have `record`, `field` and `reason`).
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let base = ClientbaseError::type_object(py);
    for attribute in ["kind", "record", "field", "reason"] {
        base.setattr(attribute, py.None())?;
    }
    module.add("ClientbaseError", &base)?;
    for &kind in ErrorKind::ALL {
        let class = exception_class(py, kind)?;
        class.setattr("kind", kind.name())?;
        module.add(class.name()?, class)?;
    }
    Ok(())
}
