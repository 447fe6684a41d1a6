//! Phone numbers: `PhoneNormalizer` reads what people type into E.164 with the
//! number's kind, region and display formats.
//!
//! One number that is not valid raises `InvalidValueError` (field `phone`) with
//! the core's reason: `parse` is for a value the caller expects to be a number.
//! Reading what people typed in bulk never raises for a bad value: `split` and
//! `parse_batch` give every number its problem and reason, and `parse_batch`
//! takes and returns columns, reading them on all cores with the GIL released.

use crate::batch;
use crate::convert::{repr_text, to_py};
use crate::error::OrRaise;
use clientbase::{Error, ErrorKind, ParsedPhone, PhoneError, PhoneFormat, PhoneNormalizer};
use pyo3::prelude::*;

/// Reads phone numbers as people type them against a default region.
///
/// `PhoneNormalizer()` reads numbers typed without a country code as Russian;
/// `PhoneNormalizer("KZ")` as Kazakh, and so on (any ISO 3166 code with phone
/// numbers; an unknown one raises `InvalidValueError` about the field `region`).
#[pyclass(frozen, name = "PhoneNormalizer", module = "clientbase")]
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
    /// `00 49 …`); labels such as `тел.` or `(раб.)` are set aside. A number that
    /// is not valid, and a field holding several numbers, raise
    /// `InvalidValueError` (field `phone`) whose `reason` says why; use `split`
    /// for a field that may hold several.
    fn parse(&self, text: &str) -> PyResult<PyParsedPhone> {
        let parsed = self.inner.parse(text).map_err(Error::from).or_raise()?;
        Ok(PyParsedPhone { inner: parsed })
    }

    /// The numbers in a field that may hold several (`8 916 123 45 67, 8 495
    /// 765 43 21 (раб.)`, separated by `,` `;` `/` `или` ...), each read on its
    /// own: valid or not, never raising. A field without digits gives `[]`.
    fn split(&self, py: Python<'_>, field: &str) -> Vec<PyPhoneCandidate> {
        py.detach(|| {
            self.inner
                .split_parse(field)
                .into_iter()
                .map(|(candidate, parsed)| PyPhoneCandidate {
                    raw: candidate.raw.to_string(),
                    text: candidate.text.to_string(),
                    label: candidate.label.map(str::to_string),
                    parsed,
                })
                .collect()
        })
    }

    /// Reads a column of numbers (a list, tuple, pandas or polars Series) on all
    /// cores with the GIL released, and returns columns, one value per input
    /// row: `input` (the values given), `e164`, `extension`, `kind`, `region`,
    /// `valid`, `problem` and `reason` (`None` where they do not apply). Never
    /// raises for a bad value: `None`, NaN and pandas' NA are rows with the
    /// problem `missing`, values that are not text (nor a whole number) rows
    /// with `not_text`; ints are read as their digits.
    fn parse_batch<'py>(&self, values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        parse_column(&self.inner, values)
    }

    fn __repr__(&self) -> String {
        format!(
            "PhoneNormalizer(default_region='{}')",
            self.inner.default_region()
        )
    }
}

/// `normalize_phones(values, region)`: `PhoneNormalizer(region).parse_batch(values)`.
#[pyfunction]
#[pyo3(signature = (values, region = "RU"))]
pub(crate) fn normalize_phones<'py>(
    values: &Bound<'py, PyAny>,
    region: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let phones = PhoneNormalizer::new(region).or_raise()?;
    parse_column(&phones, values)
}

fn parse_column<'py>(
    phones: &PhoneNormalizer,
    values: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    batch::run(
        values,
        true,
        |_| Ok(()),
        |column, marked| phones.parse_table_marked(column, marked),
    )
}

fn phone_format(name: &str) -> PyResult<PhoneFormat> {
    match name {
        "e164" => Ok(PhoneFormat::E164),
        "international" => Ok(PhoneFormat::International),
        "national" => Ok(PhoneFormat::National),
        other => Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "{other:?} is not a phone format; use \"e164\", \"international\" or \"national\""
            ),
        )
        .with_field("format"))
        .or_raise(),
    }
}

/// A valid phone number: E.164, extension, kind, region and display formats.
#[pyclass(
    frozen,
    eq,
    hash,
    skip_from_py_object,
    name = "ParsedPhone",
    module = "clientbase"
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyParsedPhone {
    inner: ParsedPhone,
}

#[pymethods]
impl PyParsedPhone {
    /// The number in E.164 (`+79161234567`), without the extension: for storage
    /// and matching.
    #[getter]
    fn e164(&self) -> &str {
        self.inner.e164()
    }

    /// The extension digits (`доб. 12` gives `"12"`), or `None`.
    #[getter]
    fn extension(&self) -> Option<&str> {
        self.inner.extension()
    }

    /// `"mobile"`, `"fixed_line"`, `"toll_free"`, ... (`"unknown"` when the
    /// numbering plan does not tell).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().name()
    }

    /// The region the number belongs to (`"RU"`, `"KZ"`, `"DE"`; `"001"` for
    /// non-geographic numbers).
    #[getter]
    fn region(&self) -> &str {
        self.inner.region()
    }

    /// The country calling code (`7`).
    #[getter]
    fn country_code(&self) -> u16 {
        self.inner.country_code()
    }

    /// The national significant number: the digits after the country code.
    #[getter]
    fn national_number(&self) -> &str {
        self.inner.national_number()
    }

    /// For display at home: `8 (916) 123-45-67`, an extension as ` доб. 12`.
    #[getter]
    fn national(&self) -> String {
        self.inner.format(PhoneFormat::National)
    }

    /// For display abroad: `+7 916 123-45-67`, an extension as ` ext. 12`.
    #[getter]
    fn international(&self) -> String {
        self.inner.format(PhoneFormat::International)
    }

    /// The number written as `"e164"`, `"international"` or `"national"`.
    #[pyo3(signature = (format))]
    fn format(&self, format: &str) -> PyResult<String> {
        Ok(self.inner.format(phone_format(format)?))
    }

    /// `{"e164": ..., "extension": ..., "kind": ..., "region": ...,
    /// "country_code": ..., "national": ..., "international": ...}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }

    /// The international format.
    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let extension = match self.inner.extension() {
            Some(ext) => format!(", extension={}", repr_text(py, Some(ext))?),
            None => String::new(),
        };
        Ok(format!(
            "ParsedPhone('{}'{extension}, kind='{}', region='{}')",
            self.inner.e164(),
            self.inner.kind().name(),
            self.inner.region()
        ))
    }
}

/// One number found in a field by `PhoneNormalizer.split`: its piece of the
/// field as typed, the label typed next to it, and what it reads as.
#[pyclass(
    frozen,
    eq,
    skip_from_py_object,
    name = "PhoneCandidate",
    module = "clientbase"
)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyPhoneCandidate {
    raw: String,
    text: String,
    label: Option<String>,
    parsed: Result<ParsedPhone, PhoneError>,
}

#[pymethods]
impl PyPhoneCandidate {
    /// The piece of the field as typed, label included (`8 495 765 43 21 (раб.)`).
    #[getter]
    fn raw(&self) -> &str {
        &self.raw
    }

    /// The text that was read, without the label (`8 495 765 43 21`).
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }

    /// The label typed next to the number (`раб.`, `моб.`, `work`), or `None`.
    #[getter]
    fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// Whether the piece is a valid number.
    #[getter]
    fn valid(&self) -> bool {
        self.parsed.is_ok()
    }

    /// The number, or `None` when the piece is not valid.
    #[getter]
    fn phone(&self) -> Option<PyParsedPhone> {
        let inner = self.parsed.as_ref().ok()?.clone();
        Some(PyParsedPhone { inner })
    }

    /// The E.164 form of the number, or `None` when the piece is not valid.
    #[getter]
    fn e164(&self) -> Option<&str> {
        Some(self.parsed.as_ref().ok()?.e164())
    }

    /// Why the piece is not valid, as a code (`too_short`, ...), or `None`.
    #[getter]
    fn problem(&self) -> Option<&'static str> {
        Some(self.parsed.as_ref().err()?.problem().name())
    }

    /// Why the piece is not valid, in words, or `None`.
    #[getter]
    fn reason(&self) -> Option<&str> {
        Some(self.parsed.as_ref().err()?.reason())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let outcome = match &self.parsed {
            Ok(phone) => format!("e164='{}'", phone.e164()),
            Err(err) => format!("reason={}", repr_text(py, Some(err.reason()))?),
        };
        Ok(format!(
            "PhoneCandidate(raw={}, label={}, {outcome})",
            repr_text(py, Some(&self.raw))?,
            repr_text(py, self.label.as_deref())?,
        ))
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
