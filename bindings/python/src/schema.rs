//! `Schema`: the tag vocabulary and the typed custom fields of a base.

use crate::convert::{from_json, from_py, record_arg, strings, to_json, to_py};
use crate::error::OrRaise;
use clientbase::{Currency, FieldDef, Schema};
use pyo3::prelude::*;
use serde_json::json;

/// The tag vocabulary and the declared custom fields of a base.
#[pyclass(eq, skip_from_py_object, name = "Schema", module = "clientbase")]
#[derive(Clone, PartialEq, Default)]
pub(crate) struct PySchema {
    pub(crate) inner: Schema,
}

/// Reads a schema from a `Schema`, a dict, JSON text or `None` (empty).
pub(crate) fn schema_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Schema> {
    let Some(obj) = obj.filter(|obj| !obj.is_none()) else {
        return Ok(Schema::new());
    };
    match obj.cast::<PySchema>() {
        Ok(schema) => Ok(schema.borrow().inner.clone()),
        Err(_) => record_arg(obj, "a Schema"),
    }
}

/// A field definition from the arguments of `declare_field`, read through the
/// core's serde form so that the type names are the core's.
pub(crate) fn field_def(
    name: &str,
    field_type: &str,
    options: Option<&Bound<'_, PyAny>>,
    currency: Option<&str>,
    label: Option<&str>,
) -> PyResult<FieldDef> {
    let options = options.map(|o| strings(Some(o))).transpose()?;
    let def = json!({"name": name, "type": field_type, "options": options,
                     "currency": currency, "label": label});
    serde_json::from_value(def)
        .map_err(|err| {
            clientbase::Error::new(clientbase::ErrorKind::Schema, err.to_string())
                .with_field(name.to_string())
        })
        .or_raise()
}

#[pymethods]
impl PySchema {
    /// A schema with `tags` and `fields` (dicts such as `{"name": "rooms", "type": "integer"}`).
    #[new]
    #[pyo3(signature = (tags = None, fields = None))]
    fn new(tags: Option<&Bound<'_, PyAny>>, fields: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let fields = fields.map(|f| f.try_iter()?.map(|f| from_py(&f?)).collect::<PyResult<_>>());
        let fields: Vec<FieldDef> = fields.transpose()?.unwrap_or_default();
        let inner = Schema::with(strings(tags)?, fields).or_raise()?;
        Ok(PySchema { inner })
    }

    /// A schema from its dict form.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<PySchema> {
        Ok(PySchema {
            inner: from_py(data)?,
        })
    }

    /// A schema from its JSON form.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<PySchema> {
        Ok(PySchema {
            inner: from_json(json)?,
        })
    }

    /// The schema as plain Python data, in the JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    /// The schema as compact JSON.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    /// Adds a tag to the vocabulary (declaring it twice is harmless).
    fn declare_tag(&mut self, tag: String) -> PyResult<()> {
        self.inner.declare_tag(tag).or_raise()
    }

    /// Declares a custom field of `type` (`text`, `integer`, `money`, `date`,
    /// `bool`, `one_of`, `many_of`); `one_of`/`many_of` need `options`, `money`
    /// needs `currency`.
    #[pyo3(signature = (name, r#type, *, options = None, currency = None, label = None))]
    fn declare_field(
        &mut self,
        name: &str,
        r#type: &str,
        options: Option<&Bound<'_, PyAny>>,
        currency: Option<&str>,
        label: Option<&str>,
    ) -> PyResult<()> {
        let def = field_def(name, r#type, options, currency, label)?;
        self.inner.declare_field(def).or_raise()
    }

    /// Sets the accounting currency (every deal must use it), or `None` for any.
    #[pyo3(signature = (currency))]
    fn set_currency(&mut self, currency: Option<&str>) -> PyResult<()> {
        let currency = currency.map(Currency::new).transpose().or_raise()?;
        self.inner.set_currency(currency);
        Ok(())
    }

    /// The accounting currency, if set.
    #[getter]
    fn currency(&self) -> Option<String> {
        self.inner.currency().map(|c| c.code().to_string())
    }

    /// The tag vocabulary, sorted.
    #[getter]
    fn tags(&self) -> Vec<String> {
        self.inner.tags().map(str::to_string).collect()
    }

    /// The declared fields as dicts, sorted by name.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.fields().collect::<Vec<_>>())
    }

    /// The field called `name` as a dict, or `None`.
    fn field<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.field(name))
    }

    /// Whether `tag` is in the vocabulary.
    fn has_tag(&self, tag: &str) -> bool {
        self.inner.has_tag(tag)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let fields: Vec<&str> = self.inner.fields().map(|f| f.name.as_str()).collect();
        let mut text = format!(
            "Schema(tags={}, fields={}",
            self.tags().into_pyobject(py)?.repr()?,
            fields.into_pyobject(py)?.repr()?
        );
        if let Some(currency) = self.inner.currency() {
            text += &format!(", currency='{}'", currency.code());
        }
        Ok(text + ")")
    }
}
