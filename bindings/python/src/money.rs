//! `Money`: an exact amount in a currency, never a float.

use crate::convert::type_name;
use crate::error::OrRaise;
use clientbase::{Currency, Money};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt, PyString};

/// An exact amount of money: integer minor units and an ISO 4217 currency.
///
/// `Money("1 234,50", "RUB")` and `Money(Decimal("1234.50"))` are the same amount;
/// floats are refused because they cannot hold kopecks exactly.
#[pyclass(
    frozen,
    eq,
    hash,
    from_py_object,
    name = "Money",
    module = "clientbase"
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyMoney {
    pub(crate) inner: Money,
}

#[pymethods]
impl PyMoney {
    /// Parses `amount` (`"4 990,00"`, `"4990"`, `Decimal("4990.00")`, `4990`) in
    /// `currency` (`"RUB"`, `"₽"`, `"usd"`).
    #[new]
    #[pyo3(signature = (amount, currency = "RUB"))]
    fn new(amount: &Bound<'_, PyAny>, currency: &str) -> PyResult<PyMoney> {
        let text = if amount.is_instance_of::<PyFloat>() {
            return Err(PyTypeError::new_err(
                "Money does not take a float (it is inexact); pass a str, int or Decimal",
            ));
        } else if amount.is_instance_of::<PyString>()
            || amount.is_instance_of::<PyInt>()
            || type_name(amount) == "Decimal"
        {
            amount.str()?.to_cow()?.into_owned()
        } else {
            return Err(PyTypeError::new_err(format!(
                "Money amount must be str, int or Decimal, not {}",
                type_name(amount)
            )));
        };
        let currency = Currency::new(currency).or_raise()?;
        let inner = Money::parse(&text, currency).or_raise()?;
        Ok(PyMoney { inner })
    }

    /// The amount as a `decimal.Decimal` (`Decimal('4990.00')`).
    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("decimal")?
            .getattr("Decimal")?
            .call1((self.inner.amount_string(),))
    }

    /// The three-letter currency code.
    #[getter]
    fn currency(&self) -> String {
        self.inner.currency().code().to_string()
    }

    /// The amount in minor units (kopecks, cents).
    #[getter]
    fn minor(&self) -> i64 {
        self.inner.minor()
    }

    /// `{"amount": "4990.00", "currency": "RUB"}`, the JSON form.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::convert::to_py(py, &self.inner)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "Money('{}', '{}')",
            self.inner.amount_string(),
            self.inner.currency().code()
        )
    }
}
