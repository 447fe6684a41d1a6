//! `Client`: a person or a company, read through attributes, built from keyword
//! arguments, a dict or JSON.

use crate::convert::{from_json, from_py, record_arg, strings, to_json, to_json_value, to_py};
use crate::error::OrRaise;
use chrono::{DateTime, NaiveDate, Utc};
use clientbase::{Client, Error, Party};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use serde_json::Value;

/// A client of the company: a person or a company with everything known about them.
///
/// Clients are immutable values; `replace()` makes a changed copy and
/// `ClientBase.update_client()` stores it.
#[pyclass(
    frozen,
    eq,
    skip_from_py_object,
    name = "Client",
    module = "clientbase"
)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyClient {
    pub(crate) inner: Client,
}

impl PyClient {
    pub(crate) fn new(inner: Client) -> PyClient {
        PyClient { inner }
    }

    fn person_name(&self) -> Option<&clientbase::PersonName> {
        match &self.inner.party {
            Party::Person(name) => Some(name),
            _ => None,
        }
    }

    fn company_part(&self) -> Option<&clientbase::Company> {
        match &self.inner.party {
            Party::Company(company) => Some(company),
            _ => None,
        }
    }

    fn with_contacts(
        mut client: Client,
        phones: Option<&Bound<'_, PyAny>>,
        emails: Option<&Bound<'_, PyAny>>,
        tags: Option<&Bound<'_, PyAny>>,
        custom: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyClient> {
        for phone in strings(phones)? {
            client = client.with_phone(&phone);
        }
        for email in strings(emails)? {
            client = client.with_email(&email);
        }
        for tag in strings(tags)? {
            client = client.with_tag(&tag);
        }
        if let Some(custom) = custom {
            client.custom = from_py(custom)?;
        }
        Ok(PyClient::new(client))
    }
}

/// Reads a client from a `Client`, a dict or JSON text.
pub(crate) fn client_arg(obj: &Bound<'_, PyAny>) -> PyResult<Client> {
    match obj.cast::<PyClient>() {
        Ok(client) => Ok(client.get().inner.clone()),
        Err(_) => record_arg(obj, "a Client"),
    }
}

/// Applies `changes` (keys as in `to_dict()`) to the JSON form of a record.
pub(crate) fn replaced<T>(record: &T, changes: Option<&Bound<'_, PyDict>>) -> PyResult<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut value = serde_json::to_value(record)
        .map_err(Error::from)
        .or_raise()?;
    if let (Some(changes), Value::Object(map)) = (changes, &mut value) {
        for (key, change) in changes.iter() {
            let key: String = key.extract()?;
            match to_json_value(&change)? {
                Value::Null => map.remove(&key),
                change => map.insert(key, change),
            };
        }
    }
    serde_json::from_value(value)
        .map_err(Error::from)
        .or_raise()
}

#[pymethods]
impl PyClient {
    /// A person. Empty name parts are left out; phones and emails are kept as typed.
    #[staticmethod]
    #[pyo3(signature = (surname = "", given_name = "", patronymic = None, *, phones = None, emails = None, tags = None, custom = None))]
    fn person(
        surname: &str,
        given_name: &str,
        patronymic: Option<&str>,
        phones: Option<&Bound<'_, PyAny>>,
        emails: Option<&Bound<'_, PyAny>>,
        tags: Option<&Bound<'_, PyAny>>,
        custom: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyClient> {
        let client = Client::person(surname, given_name, patronymic);
        PyClient::with_contacts(client, phones, emails, tags, custom)
    }

    /// A company with its legal name and tax id (ИНН).
    #[staticmethod]
    #[pyo3(signature = (legal_name, tax_id = None, *, phones = None, emails = None, tags = None, custom = None))]
    fn company(
        legal_name: &str,
        tax_id: Option<&str>,
        phones: Option<&Bound<'_, PyAny>>,
        emails: Option<&Bound<'_, PyAny>>,
        tags: Option<&Bound<'_, PyAny>>,
        custom: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyClient> {
        let client = Client::company(legal_name, tax_id);
        PyClient::with_contacts(client, phones, emails, tags, custom)
    }

    /// A client from its dict form (the shape of `to_dict()` and of the JSON).
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<PyClient> {
        Ok(PyClient::new(from_py(data)?))
    }

    /// A client from its JSON form.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<PyClient> {
        Ok(PyClient::new(from_json(json)?))
    }

    /// The client as plain Python data, in the JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    /// The client as compact JSON, exactly as the core writes it.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    /// A copy with `changes` applied; keys are those of `to_dict()` and `None`
    /// clears a value: `client.replace(city="Казань", tags=["vip"])`.
    #[pyo3(signature = (**changes))]
    fn replace(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<PyClient> {
        Ok(PyClient::new(replaced(&self.inner, changes)?))
    }

    /// The id in the base (0 until the client is added).
    #[getter]
    fn id(&self) -> u64 {
        self.inner.id.get()
    }

    /// `"person"` or `"company"`.
    #[getter]
    fn kind(&self) -> &'static str {
        if self.inner.is_company() {
            "company"
        } else {
            "person"
        }
    }

    /// The name as shown in lists: `Surname Given Patronymic` or the legal name.
    #[getter]
    fn name(&self) -> String {
        self.inner.display_name()
    }

    /// Фамилия (people only).
    #[getter]
    fn surname(&self) -> Option<&str> {
        self.person_name()?.surname.as_deref()
    }

    /// Имя (people only).
    #[getter]
    fn given_name(&self) -> Option<&str> {
        self.person_name()?.given.as_deref()
    }

    /// Отчество (people only).
    #[getter]
    fn patronymic(&self) -> Option<&str> {
        self.person_name()?.patronymic.as_deref()
    }

    /// The legal name (companies only).
    #[getter]
    fn legal_name(&self) -> Option<&str> {
        Some(self.company_part()?.legal_name.as_str())
    }

    /// The tax id, ИНН (companies only).
    #[getter]
    fn tax_id(&self) -> Option<&str> {
        self.company_part()?.tax_id.as_deref()
    }

    /// Date of birth.
    #[getter]
    fn birthday(&self) -> Option<NaiveDate> {
        self.inner.birthday
    }

    /// City.
    #[getter]
    fn city(&self) -> Option<&str> {
        self.inner.city.as_deref()
    }

    /// Region.
    #[getter]
    fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// Street address.
    #[getter]
    fn address(&self) -> Option<&str> {
        self.inner.address.as_deref()
    }

    /// The manager who owns the client.
    #[getter]
    fn owner(&self) -> Option<&str> {
        self.inner.owner.as_deref()
    }

    /// Where the client came from.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.inner.source.as_deref()
    }

    /// When the client was created (UTC).
    #[getter]
    fn created_at(&self) -> Option<DateTime<Utc>> {
        self.inner.created_at
    }

    /// When the client last changed (UTC).
    #[getter]
    fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.inner.updated_at
    }

    /// Lifecycle stage: `lead`, `prospect`, `customer`, `loyal` or `churned`.
    #[getter]
    fn stage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.stage)
    }

    /// `cold`, `warm` or `hot`.
    #[getter]
    fn temperature<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.temperature)
    }

    /// A behaviour type the company uses.
    #[getter]
    fn behaviour(&self) -> Option<&str> {
        self.inner.behaviour.as_deref()
    }

    /// Loyalty programme percentage, 0 to 100.
    #[getter]
    fn loyalty_percent(&self) -> Option<u8> {
        self.inner.loyalty_percent
    }

    /// Whether the client agreed to refer friends.
    #[getter]
    fn can_refer(&self) -> bool {
        self.inner.can_refer
    }

    /// Phone numbers as dicts: `{"raw": "8 (916) 123-45-67", "e164": "+79161234567", ...}`.
    #[getter]
    fn phones<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.phones)
    }

    /// Email addresses as dicts: `{"raw": ..., "normalized": ...}`.
    #[getter]
    fn emails<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.emails)
    }

    /// Messenger accounts as dicts: `{"kind": "telegram", "id": "@anna"}`.
    #[getter]
    fn messengers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.messengers)
    }

    /// Consents as a dict: `{"personal_data": {...}, "marketing": {"sms": {...}}}`.
    #[getter]
    fn consents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.consents)
    }

    /// Tags, sorted.
    #[getter]
    fn tags(&self) -> Vec<String> {
        self.inner.tags.iter().cloned().collect()
    }

    /// Custom field values by name (money as `{"amount", "currency"}`, dates as text).
    #[getter]
    fn custom<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.custom)
    }

    /// Relations to other clients as dicts: `{"kind": "spouse", "to": 2}`.
    #[getter]
    fn relations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.relations)
    }

    /// Whether the client is a company.
    #[getter]
    fn is_company(&self) -> bool {
        self.inner.is_company()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let name = PyString::new(py, &self.inner.display_name()).repr()?;
        let mut text = format!("Client(id={}, {} {name}", self.inner.id.get(), self.kind());
        if !self.inner.phones.is_empty() {
            text += &format!(", phones={}", self.inner.phones.len());
        }
        if !self.inner.emails.is_empty() {
            text += &format!(", emails={}", self.inner.emails.len());
        }
        if !self.inner.tags.is_empty() {
            text += &format!(", tags={}", self.tags().into_pyobject(py)?.repr()?);
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
