//! Email addresses: `EmailNormalizer` checks an address as typed, normalizes it,
//! gives a key for matching and suggests a fix for a likely typo (never
//! applying it).
//!
//! As with phones, one address that is not valid raises `InvalidValueError`
//! (field `email`), while `parse_batch` takes and returns columns and gives
//! every row its problem, reason and suggestion, never raising for a bad value.

use crate::batch;
use crate::convert::to_py;
use crate::error::OrRaise;
use clientbase::{EmailNormalizer, Error};
use pyo3::prelude::*;

/// Checks and normalizes email addresses.
///
/// With `provider_rules=True` the matching keys follow what big providers
/// deliver to one mailbox: Gmail ignores dots and drops `+tags`
/// (`googlemail.com` is `gmail.com`), Yandex reads `-` as `.`, drops `+tags`
/// and has one domain, Outlook drops `+tags`. Without, a key is the address
/// with its local part lowercased.
#[pyclass(frozen, subclass, name = "EmailNormalizer", module = "clientbase")]
pub(crate) struct PyEmailNormalizer {
    pub(crate) inner: EmailNormalizer,
    provider_rules: bool,
}

#[pymethods]
impl PyEmailNormalizer {
    #[new]
    #[pyo3(signature = (provider_rules = false))]
    fn new(provider_rules: bool) -> PyEmailNormalizer {
        PyEmailNormalizer {
            inner: EmailNormalizer::new().with_provider_rules(provider_rules),
            provider_rules,
        }
    }

    /// Whether keys follow the providers' rules.
    #[getter]
    fn provider_rules(&self) -> bool {
        self.provider_rules
    }

    /// Checks and normalizes one address: trimmed, syntax checked, the domain
    /// lowercased and in ASCII (`почта.рф` is `xn--80a1acny.xn--p1ai`), the local
    /// part kept as typed. Returns a dict: `address`, `local`, `domain`, `key`
    /// (two spellings of one mailbox share it) and `suggestion` (a likely fix
    /// of a typo in the domain, never applied, or `None`). An address that is not valid raises
    /// `InvalidValueError` (field `email`) whose `reason` says why and names a
    /// likely fix when there is one.
    fn parse<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
        let parsed = self.inner.parse(text).map_err(Error::from).or_raise()?;
        to_py(py, &parsed)
    }

    /// Checks a column of addresses (a list, tuple, pandas or polars Series) on
    /// all cores with the GIL released, and returns columns, one value per input
    /// row: `input` (the values given), `address`, `key`, `domain`, `valid`,
    /// `problem`, `reason` and `suggestion` (a likely fix, for valid and invalid
    /// addresses; never applied). Never raises for a bad value: `None`, NaN and
    /// pandas' NA are rows with the problem `missing`, values that are not text
    /// rows with `not_text`.
    fn parse_batch<'py>(&self, values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        batch::run(
            values,
            false,
            |_| Ok(()),
            |c, m| self.inner.parse_table_marked(c, m),
        )
    }
}
