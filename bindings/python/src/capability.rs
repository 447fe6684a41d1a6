//! Capabilities by name: params from a dict or keyword arguments, the report
//! back as a dict (a table as a `Table`). Mirrors `clientbase`'s `capability` module: the core reads
//! and checks the params (a key it does not know is a `JsonError` naming it),
//! and the work runs with the GIL released.

use crate::arrow::PyTable;
use crate::base::PyClientBase;
use crate::convert::{kwargs_map, to_json_value, to_py, type_name};
use crate::error::OrRaise;
use clientbase::capability::{self, Access, Output};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::Value;

/// The params of a call: a dict (or None) updated with the keyword arguments.
pub(crate) fn params_arg(
    params: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Value> {
    let mut map = match params.filter(|p| !p.is_none()) {
        Some(params) => match to_json_value(params)? {
            Value::Object(map) => map,
            _ => {
                let kind = type_name(params);
                let message = format!("params must be a dict of named options, not {kind}");
                return Err(PyTypeError::new_err(message));
            }
        },
        None => Default::default(),
    };
    map.extend(kwargs_map(kwargs)?);
    Ok(Value::Object(map))
}

/// An output as Python data: a report as dicts and lists, a table as a `Table`.
pub(crate) fn output<'py>(py: Python<'py>, out: Output) -> PyResult<Bound<'py, PyAny>> {
    match out {
        Output::Table(table) => Ok(Bound::new(py, PyTable::new(table)?)?.into_any()),
        other => to_py(py, &other.into_json().or_raise()?),
    }
}

/// Calls the capability `name` that takes no base: `call("parse_phones",
/// values=[...], region="KZ")`. Params come as a dict, as keyword arguments,
/// or both (keywords win). A capability that reads rows takes them as `rows`:
/// a polars or pyarrow frame, a pandas DataFrame, a `Table` or a dict of lists
/// (`call("rfm", rows=orders, as_of="2024-12-31")`). Returns the report as
/// plain Python data, or a `Table`.
#[pyfunction]
#[pyo3(signature = (name, params = None, *, rows = None, **kwargs))]
pub(crate) fn call<'py>(
    py: Python<'py>,
    name: &str,
    params: Option<&Bound<'py, PyAny>>,
    rows: Option<&Bound<'py, PyAny>>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let params = params_arg(params, kwargs)?;
    let out = match rows.filter(|r| !r.is_none()) {
        Some(rows) => {
            let input = crate::table::Columns::from_py(rows)?.into_table()?;
            py.detach(|| capability::call_table(name, &input, params))
        }
        None => py.detach(|| capability::call(name, params)),
    }
    .or_raise()?;
    output(py, out)
}

/// Every capability: `[{"name": ..., "access": "plain" | "read" | "write",
/// "summary": ...}, ...]`.
#[pyfunction]
pub(crate) fn capabilities(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &capability::CAPABILITIES)
}

impl PyClientBase {
    /// Calls a capability on this base: under the write lock when it changes
    /// the base, the read lock otherwise; the GIL released either way.
    pub(crate) fn call_capability<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        params: Value,
    ) -> PyResult<Bound<'py, PyAny>> {
        let info = capability::find(name).or_raise()?;
        let out = if info.access() == Access::Write {
            self.write(py, |base| capability::call_write(base, name, params))
        } else {
            self.read(py, |base| capability::call_read(base, name, params))
        };
        output(py, out.or_raise()?)
    }
}
