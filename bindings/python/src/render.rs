//! DOCX documents: the template and the result are bytes (or paths).
//! Mirrors the DOCX functions of `clientbase::render`; text templates are
//! capabilities (`call("render_text", ...)`, `ClientBase.call("render", ...)`).

use crate::base::PyClientBase;
use crate::capability::params_arg;
use crate::error::OrRaise;
use clientbase::capability::from_value;
use clientbase::render::{docx_to_pdf as core_docx_to_pdf, render_docx as core_render_docx};
use clientbase::render::{docx_to_pdf_path, render_docx_path, DocxParams, PdfParams};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use serde_json::Value;

/// The params of a DOCX call, and its template or document argument `key`:
/// its bytes, or else its path, which goes into the params as `key`.
fn docx_args<'py>(
    obj: &Bound<'py, PyAny>,
    key: &str,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Value, Option<Vec<u8>>)> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok((params_arg(None, params)?, Some(bytes.as_bytes().to_vec())));
    }
    let path: String = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{key} must be the bytes of a .docx or the path of its file (str or os.PathLike)"
        ))
    })?;
    let mut params = params_arg(None, params)?;
    params[key] = path.into();
    Ok((params, None))
}

/// Fills a DOCX template (`template`: its bytes or its path) from a client
/// and deal of `base` (`client=`, `deal=`), or without a base from `vars`,
/// `company`, `today`; `out` (a path) writes the document too, atomically.
/// Returns the document's bytes. The work runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (template, base = None, **params))]
pub(crate) fn render_docx<'py>(
    py: Python<'py>,
    template: &Bound<'py, PyAny>,
    base: Option<&PyClientBase>,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (params, template) = docx_args(template, "template", params)?;
    let params: DocxParams = from_value("render_docx params", params).or_raise()?;
    let run = |base: Option<&clientbase::ClientBase>| match &template {
        Some(bytes) => core_render_docx(base, bytes, &params),
        None => render_docx_path(base, &params),
    };
    let docx = match base {
        Some(base) => base.read(py, |b| run(Some(b))),
        None => py.detach(|| run(None)),
    };
    Ok(PyBytes::new(py, &docx.or_raise()?))
}

/// Converts a DOCX (`docx`: its bytes or its path) to PDF with LibreOffice
/// (`timeout_seconds=120`; `out` writes the PDF too). Returns the PDF's
/// bytes; without LibreOffice it raises `IoError` saying how to install it.
#[pyfunction]
#[pyo3(signature = (docx, **params))]
pub(crate) fn docx_to_pdf<'py>(
    py: Python<'py>,
    docx: &Bound<'py, PyAny>,
    params: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (params, docx) = docx_args(docx, "docx", params)?;
    let params: PdfParams = from_value("docx_to_pdf params", params).or_raise()?;
    let pdf = py.detach(|| match &docx {
        Some(bytes) => core_docx_to_pdf(bytes, &params),
        None => docx_to_pdf_path(&params),
    });
    Ok(PyBytes::new(py, &pdf.or_raise()?))
}
