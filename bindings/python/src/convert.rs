//! Conversions between Python values and the core's serde model.
//!
//! Python data goes in as a `serde_json::Value` (so a dict and its JSON text are
//! read by the same serde code, with the same errors) and comes out through
//! `pythonize`, which keeps the field order of the JSON form.

use crate::activity::PyActivity;
use crate::client::PyClient;
use crate::deal::PyDeal;
use crate::error::OrRaise;
use crate::money::PyMoney;
use crate::schema::PySchema;
use clientbase::{Error, ErrorKind};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// A Python value as JSON: `None`, `bool`, `int`, `float`, `str`, mappings,
/// sequences and sets, `date`/`datetime` (ISO 8601; a naive datetime is UTC),
/// `Decimal` (its text) and the clientbase objects (their JSON form).
pub(crate) fn to_json_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(flag) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Value::from(n));
        }
        return Ok(Value::from(obj.extract::<u64>()?));
    }
    if let Ok(float) = obj.cast::<PyFloat>() {
        let value = float.value();
        return Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err(format!("{value} cannot be written as JSON")));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(Value::String(text.to_cow()?.into_owned()));
    }
    if let Some(value) = model_json(obj)? {
        return Ok(value);
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let key = key.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!("dict keys must be str, not {}", type_name(&key)))
            })?;
            map.insert(key.to_cow()?.into_owned(), to_json_value(&value)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.is_instance_of::<PySet>()
        || obj.is_instance_of::<PyFrozenSet>()
    {
        let items = obj
            .try_iter()?
            .map(|item| to_json_value(&item?))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Value::Array(items));
    }
    if obj.hasattr("items")? {
        let dict = PyDict::new(obj.py());
        dict.call_method1("update", (obj,))?;
        return to_json_value(dict.as_any());
    }
    if let Some(text) = temporal_text(obj)? {
        return Ok(Value::String(text));
    }
    if type_name(obj) == "Decimal" {
        return Ok(Value::String(obj.str()?.to_cow()?.into_owned()));
    }
    Err(PyTypeError::new_err(format!(
        "cannot convert {} to clientbase data",
        type_name(obj)
    )))
}

/// `date`, `datetime` and pandas `Timestamp` as ISO 8601; naive datetimes are UTC,
/// the way the core reads times without an offset.
pub(crate) fn temporal_text(obj: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if !obj.hasattr("isoformat")? || !obj.hasattr("year")? {
        return Ok(None);
    }
    let text: String = obj.call_method0("isoformat")?.extract()?;
    let naive_datetime = obj.hasattr("hour")? && obj.getattr("tzinfo")?.is_none();
    Ok(Some(if naive_datetime {
        text + "+00:00"
    } else {
        text
    }))
}

/// Keyword arguments as a JSON object (`None`: empty).
pub(crate) fn kwargs_map(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Map<String, Value>> {
    let value = kwargs.map(|kwargs| to_json_value(kwargs.as_any()));
    match value.transpose()? {
        Some(Value::Object(map)) => Ok(map),
        _ => Ok(Map::new()),
    }
}

/// The name of a value's type, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// Reads a core value from Python data through its serde form; a shape the
/// model does not accept is a `JsonError`, as it would be from JSON text.
pub(crate) fn from_py<T: DeserializeOwned>(obj: &Bound<'_, PyAny>) -> PyResult<T> {
    let value = to_json_value(obj)?;
    serde_json::from_value(value)
        .map_err(Error::from)
        .or_raise()
}

/// A record (`Client`, `Deal`, ...) from a dict or JSON text, read by the
/// core's serde; anything else is a `TypeError` saying what was `expected`.
pub(crate) fn record_arg<T: DeserializeOwned>(
    obj: &Bound<'_, PyAny>,
    expected: &str,
) -> PyResult<T> {
    if let Ok(json) = obj.cast::<PyString>() {
        return from_json(&json.to_cow()?);
    }
    if obj.is_instance_of::<PyDict>() || obj.hasattr("items")? {
        return from_py(obj);
    }
    Err(PyTypeError::new_err(format!(
        "expected {expected}, a dict or JSON text, got {}",
        type_name(obj)
    )))
}

/// Reads a core value from JSON text.
pub(crate) fn from_json<T: DeserializeOwned>(json: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(Error::from).or_raise()
}

/// Writes a core value as compact JSON, exactly as `serde_json::to_string` does.
pub(crate) fn to_json<T: Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(Error::from).or_raise()
}

/// A core value as plain Python data (dicts, lists, str, int, bool, None).
pub(crate) fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    Ok(pythonize::pythonize(py, value)?)
}

/// A unit enum (`ActivityKind`, `Direction`, ...) from its serde name; a name the
/// core does not know is an `InvalidValueError` about `field`.
pub(crate) fn enum_from_name<T: DeserializeOwned>(field: &str, name: &str) -> PyResult<T> {
    serde_json::from_value(Value::String(name.to_string()))
        .map_err(|err| Error::new(ErrorKind::InvalidValue, err.to_string()).with_field(field))
        .or_raise()
}

/// A list of strings from any iterable except a lone `str` (which would be split
/// into characters by mistake).
pub(crate) fn strings(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(obj) = obj else {
        return Ok(Vec::new());
    };
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "expected a list of str, got a single str",
        ));
    }
    obj.try_iter()?.map(|item| item?.extract()).collect()
}

/// The JSON form of a clientbase object passed where data is expected.
fn model_json(obj: &Bound<'_, PyAny>) -> PyResult<Option<Value>> {
    let value = if let Ok(client) = obj.cast::<PyClient>() {
        serde_json::to_value(&client.get().inner)
    } else if let Ok(deal) = obj.cast::<PyDeal>() {
        serde_json::to_value(&deal.get().inner)
    } else if let Ok(activity) = obj.cast::<PyActivity>() {
        serde_json::to_value(&activity.get().inner)
    } else if let Ok(money) = obj.cast::<PyMoney>() {
        serde_json::to_value(money.get().inner)
    } else if let Ok(schema) = obj.cast::<PySchema>() {
        serde_json::to_value(&schema.borrow().inner)
    } else {
        return Ok(None);
    };
    value.map(Some).map_err(Error::from).or_raise()
}
