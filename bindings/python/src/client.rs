//! `Client`: a person or a company, read through attributes, built from keyword
//! arguments, a dict or JSON.

use crate::convert::{from_py, strings, to_py};
use crate::record::record_class;
use chrono::{DateTime, NaiveDate, Utc};
use clientbase::{Client, Party};
use pyo3::prelude::*;
use pyo3::types::PyString;

impl PyClient {
    pub(crate) fn new(inner: Client) -> PyClient {
        PyClient { inner }
    }

    fn with_contacts(
        client: Client,
        phones: Option<&Bound<'_, PyAny>>,
        emails: Option<&Bound<'_, PyAny>>,
        tags: Option<&Bound<'_, PyAny>>,
        custom: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyClient> {
        let mut client =
            client.with_contacts(&strings(phones)?, &strings(emails)?, &strings(tags)?);
        if let Some(custom) = custom {
            client.custom = from_py(custom)?;
        }
        Ok(PyClient::new(client))
    }
}

/// The company's own fields, `None` for a person.
fn company(client: &Client) -> Option<&clientbase::Company> {
    match &client.party {
        Party::Company(company) => Some(company),
        _ => None,
    }
}

record_class! {
    /// A client of the company: a person or a company with everything known about them.
    ///
    /// Clients are immutable values; `replace()` makes a changed copy and
    /// `ClientBase.update_client()` stores it.
    PyClient(Client, "Client", client_arg, "a Client");
    methods {
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

        fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
            let name = PyString::new(py, &self.inner.display_name()).repr()?;
            let mut text = format!("Client(id={}, {} {name}", self.inner.id.get(), if self.inner.is_company() { "company" } else { "person" });
            if !self.inner.phones.is_empty() {
                text += &format!(", phones={}", self.inner.phones.len());
            }
            if !self.inner.emails.is_empty() {
                text += &format!(", emails={}", self.inner.emails.len());
            }
            if !self.inner.tags.is_empty() {
                text += &format!(", tags={}", to_py(py, &self.inner.tags)?.repr()?);
            }
            Ok(text + ")")
        }

    }
    getters<'a> |c, py| {
        /// The id in the base (0 until the client is added).
        id -> u64 = c.id.get();
        /// `"person"` or `"company"`.
        kind -> &'static str = if c.is_company() { "company" } else { "person" };
        /// The name as shown in lists: `Surname Given Patronymic` or the legal name.
        name -> String = c.display_name();
        /// Фамилия (of a company: the person behind it, an ИП's owner).
        surname -> Option<&'a str> = c.person_name().surname.as_deref();
        /// Имя (of a company: the person behind it).
        given_name -> Option<&'a str> = c.person_name().given.as_deref();
        /// Отчество (of a company: the person behind it).
        patronymic -> Option<&'a str> = c.person_name().patronymic.as_deref();
        /// The legal name (companies only).
        legal_name -> Option<&'a str> = Some(company(c)?.legal_name.as_str());
        /// The tax id, ИНН (companies only).
        tax_id -> Option<&'a str> = company(c)?.tax_id.as_deref();
        /// Date of birth.
        birthday -> Option<NaiveDate> = c.birthday;
        /// City.
        city -> Option<&'a str> = c.city.as_deref();
        /// Region.
        region -> Option<&'a str> = c.region.as_deref();
        /// Street address.
        address -> Option<&'a str> = c.address.as_deref();
        /// Postcode of the address (почтовый индекс).
        postcode -> Option<&'a str> = c.postcode.as_deref();
        /// The company a person works for (people only).
        employer -> Option<&'a str> = c.employer.as_deref();
        /// The manager who owns the client.
        owner -> Option<&'a str> = c.owner.as_deref();
        /// Where the client came from.
        source -> Option<&'a str> = c.source.as_deref();
        /// When the client was created (UTC).
        created_at -> Option<DateTime<Utc>> = c.created_at;
        /// When the client last changed (UTC).
        updated_at -> Option<DateTime<Utc>> = c.updated_at;
        /// Lifecycle stage: `lead`, `prospect`, `customer`, `loyal` or `churned`.
        stage -> PyResult<Bound<'a, PyAny>> = to_py(py, &c.stage);
        /// `cold`, `warm` or `hot`.
        temperature -> PyResult<Bound<'a, PyAny>> = to_py(py, &c.temperature);
        /// A behaviour type the company uses.
        behaviour -> Option<&'a str> = c.behaviour.as_deref();
        /// Loyalty programme percentage, 0 to 100.
        loyalty_percent -> Option<u8> = c.loyalty_percent;
        /// Whether the client agreed to refer friends.
        can_refer -> bool = c.can_refer;
        /// Phone numbers as dicts: `{"raw": "8 (916) 123-45-67", "e164": "+79161234567", ...}`.
        phones -> PyResult<Bound<'a, PyAny>> = to_py(py, &c.phones);
        /// Email addresses as dicts: `{"raw": ..., "normalized": ...}`.
        emails -> PyResult<Bound<'a, PyAny>> = to_py(py, &c.emails);
        /// Messenger accounts as dicts: `{"kind": "telegram", "id": "@anna"}`.
        messengers -> PyResult<Bound<'a, PyAny>> = to_py(py, &c.messengers);
        /// Consents as a dict: `{"personal_data": {...}, "marketing": {"sms": {...}}}`.
        consents -> PyResult<Bound<'a, PyAny>> = to_py(py, &c.consents);
        /// Tags, sorted.
        tags -> Vec<String> = c.tags.iter().cloned().collect();
        /// Custom field values by name (money as `{"amount", "currency"}`, dates as text).
        custom -> PyResult<Bound<'a, PyAny>> = to_py(py, &c.custom);
        /// Relations to other clients as dicts: `{"kind": "spouse", "to": 2}`.
        relations -> PyResult<Bound<'a, PyAny>> = to_py(py, &c.relations);
        /// Whether the client is a company.
        is_company -> bool = c.is_company();
    }
}
