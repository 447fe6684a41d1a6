//! The records (`Client`, `Deal`, `Activity`) as Python classes, made in one
//! place: each class holds the core value, shares the dict/JSON methods with
//! the others, and has one read-only property per field, written in one line.

use clientbase::Record;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::kwargs_map;
use crate::error::OrRaise;

/// `record.replace(**changes)`: the core applies the changes (keys and aliases
/// of the JSON form; `None` clears).
pub(crate) fn replaced<T: Record>(record: &T, changes: Option<&Bound<'_, PyDict>>) -> PyResult<T> {
    record.replaced(kwargs_map(changes)?).or_raise()
}

/// `(from_json, (json,))`, so that pickling goes through the JSON form.
pub(crate) fn reduce<'py>(obj: &Bound<'py, PyAny>, json: String) -> PyResult<Bound<'py, PyTuple>> {
    let from_json = obj.get_type().getattr("from_json")?;
    PyTuple::new(
        obj.py(),
        [from_json, PyTuple::new(obj.py(), [json])?.into_any()],
    )
}

/// Defines the class `$py` (Python name `$name`) around the core record
/// `$core`, the function `$arg` that reads one from an instance, a dict or JSON
/// text, the class's own `methods`, the shared `from_dict`, `from_json`,
/// `to_dict`, `to_json`, `replace` and pickling, and a property per `getters`
/// line, `name -> type = expression` with `$r` the record and `$py_` the GIL
/// token.
macro_rules! record_class {
    (
        $(#[$doc:meta])*
        $py:ident($core:ty, $name:literal, $arg:ident, $article:literal);
        methods { $($methods:tt)* }
        getters<$lt:lifetime> |$r:ident, $py_:ident| {
            $( $(#[$gdoc:meta])* $field:ident -> $ret:ty = $body:expr; )*
        }
    ) => {
        $(#[$doc])*
        #[pyclass(frozen, eq, skip_from_py_object, name = $name, module = "clientbase")]
        #[derive(Clone, PartialEq)]
        pub(crate) struct $py {
            pub(crate) inner: $core,
        }

        /// Reads the record from an instance of the class, a dict or JSON text.
        pub(crate) fn $arg(obj: &Bound<'_, PyAny>) -> PyResult<$core> {
            match obj.cast::<$py>() {
                Ok(record) => Ok(record.get().inner.clone()),
                Err(_) => $crate::convert::record_arg(obj, $article),
            }
        }

        #[pymethods]
        impl $py {
            $($methods)*

            /// The record from its dict form (the shape of `to_dict()` and of the JSON).
            #[staticmethod]
            fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<$py> {
                Ok($py { inner: $crate::convert::from_py(data)? })
            }

            /// The record from its JSON form.
            #[staticmethod]
            fn from_json(json: &str) -> PyResult<$py> {
                Ok($py { inner: $crate::convert::from_json(json)? })
            }

            /// The record as plain Python data, in the JSON shape.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $crate::convert::to_py(py, &self.inner)
            }

            /// The record as compact JSON, exactly as the core writes it.
            fn to_json(&self) -> PyResult<String> {
                $crate::convert::to_json(&self.inner)
            }

            /// A copy with `changes` applied; keys are those of `to_dict()` (and
            /// their aliases, such as `given_name`) and `None` clears a value.
            #[pyo3(signature = (**changes))]
            fn replace(&self, changes: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<$py> {
                Ok($py { inner: $crate::record::replaced(&self.inner, changes)? })
            }

            fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
                $crate::record::reduce(slf.as_any(), slf.get().to_json()?)
            }

            $(
                $(#[$gdoc])*
                #[getter]
                #[allow(unused_variables)]
                fn $field<$lt>(&$lt self, $py_: Python<$lt>) -> $ret {
                    let $r = &self.inner;
                    $body
                }
            )*
        }
    };
}
pub(crate) use record_class;
