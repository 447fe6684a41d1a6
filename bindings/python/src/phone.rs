//! Phone numbers: `PhoneNormalizer` reads what people type into E.164 with the
//! number's kind, region and display formats.
//!
//! `parse` gives a number as a dict; one that is not valid raises
//! `InvalidValueError` (field `phone`) with the core's reason: `parse` is for a
//! value the caller expects to be a number.
//! Reading what people typed in bulk never raises for a bad value: `split` and
//! `parse_batch` give every number its problem and reason, and `parse_batch`
//! takes and returns columns, reading them on all cores with the GIL released.

use crate::batch;
use crate::convert::to_py;
use crate::error::OrRaise;
use clientbase::{Error, PhoneNormalizer};
use pyo3::prelude::*;

/// Reads phone numbers as people type them against a default region.
///
/// `PhoneNormalizer()` reads numbers typed without a country code as Russian;
/// `PhoneNormalizer("KZ")` as Kazakh, and so on (any ISO 3166 code with phone
/// numbers; an unknown one raises `InvalidValueError` about the field `region`).
#[pyclass(frozen, subclass, name = "PhoneNormalizer", module = "clientbase")]
pub(crate) struct PyPhoneNormalizer {
    pub(crate) inner: PhoneNormalizer,
}

#[pymethods]
impl PyPhoneNormalizer {
    #[new]
    #[pyo3(signature = (default_region = "RU"))]
    fn new(default_region: &str) -> PyResult<PyPhoneNormalizer> {
        Ok(PyPhoneNormalizer {
            inner: PhoneNormalizer::new(default_region).or_raise()?,
        })
    }

    /// The region numbers without a country code belong to (`"RU"`).
    #[getter]
    fn default_region(&self) -> &str {
        self.inner.default_region()
    }

    /// Reads one number (`8 (916) 123-45-67`, `+7 812 …`, `8-800-…`, `… доб. 12`,
    /// `00 49 …`); labels such as `тел.` or `(раб.)` are set aside. Returns a
    /// dict: `e164`, `extension`, `kind`, `region`, `country_code`, `national`
    /// and `international`. A number that is not valid, and a field holding
    /// several numbers, raise `InvalidValueError` (field `phone`) whose `reason`
    /// says why; use `split` for a field that may hold several.
    fn parse<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
        let parsed = self.inner.parse(text).map_err(Error::from).or_raise()?;
        to_py(py, &parsed)
    }

    /// The numbers in a field that may hold several (`8 916 123 45 67, 8 495
    /// 765 43 21 (раб.)`, separated by `,` `;` `/` `или` ...), each read on its
    /// own, never raising: dicts with `raw` (the piece as typed, label
    /// included), `text` (without the label), `label`, `valid`, and the keys of
    /// `parse` for a valid piece or `problem` and `reason` for one that is not.
    /// A field without digits gives `[]`.
    fn split<'py>(&self, py: Python<'py>, field: &str) -> PyResult<Bound<'py, PyAny>> {
        let readings = py.detach(|| self.inner.split_readings(field));
        to_py(py, &readings)
    }

    /// Reads a column of numbers (a list, tuple, pandas or polars Series) on all
    /// cores with the GIL released, and returns columns, one value per input
    /// row: `input` (the values given), `e164`, `extension`, `kind`, `region`,
    /// `valid`, `problem` and `reason` (`None` where they do not apply). Never
    /// raises for a bad value: `None`, NaN and pandas' NA are rows with the
    /// problem `missing`, values that are not text (nor a whole number) rows
    /// with `not_text`; ints are read as their digits.
    fn parse_batch<'py>(&self, values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        batch::run(
            values,
            true,
            |_| Ok(()),
            |c, m| self.inner.parse_table_marked(c, m),
        )
    }
}

// ---- for benches/python/ (feature `bench-hooks`, not in the release wheel) ------------

/// `n` messy phone fields from the core generator for `seed`, the inputs of the
/// Rust phone benchmark (`benches/benches/phones.rs` uses seed 42), so both
/// benchmarks read the same numbers.
#[cfg(feature = "bench-hooks")]
#[pyfunction]
pub(crate) fn _messy_phones(py: Python<'_>, seed: u64, n: usize) -> Vec<String> {
    py.detach(|| {
        clientbase::generator::messy_phones(seed, n)
            .into_iter()
            .map(|phone| phone.raw)
            .collect()
    })
}

/// The pure Rust time of `PhoneNormalizer::parse_batch` over `values` (str
/// only): the best of `repeats` runs in seconds, measured inside this process
/// with the GIL released, so the Python batch can be compared with it under the
/// same build and the same machine load.
#[cfg(feature = "bench-hooks")]
#[pyfunction]
#[pyo3(signature = (values, repeats = 3))]
pub(crate) fn _time_phone_batch(py: Python<'_>, values: Vec<String>, repeats: usize) -> f64 {
    let phones = PhoneNormalizer::default();
    py.detach(|| {
        (0..repeats.max(1))
            .map(|_| {
                let start = std::time::Instant::now();
                let results = phones.parse_batch(&values);
                let elapsed = start.elapsed();
                drop(std::hint::black_box(results));
                elapsed.as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    })
}

/// Where the time of the last list-path batch call (`parse_batch`,
/// `normalize_emails`, `parse_names`, ...) went, in seconds of wall-clock time
/// on the thread holding the GIL: reading the Python values into core columns
/// (`read`), waiting for the worker's core parse tables with the GIL released
/// (`wait`), writing the result lists (`write`) and the whole call (`total`).
#[cfg(feature = "bench-hooks")]
#[pyfunction]
pub(crate) fn _last_batch_stages() -> std::collections::BTreeMap<&'static str, f64> {
    let [read, wait, total] = *batch::LAST_STAGES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    [
        ("read", read),
        ("wait", wait),
        ("write", total.saturating_sub(read + wait)),
        ("total", total),
    ]
    .into_iter()
    .map(|(name, time)| (name, time.as_secs_f64()))
    .collect()
}
