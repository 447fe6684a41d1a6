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

/// A template or document argument: its bytes, or the path of its file.
enum Source {
    Bytes(Vec<u8>),
    Path(String),
}

fn source(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Source> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(Source::Bytes(bytes.as_bytes().to_vec()));
    }
    if let Ok(path) = obj.extract::<String>() {
        return Ok(Source::Path(path));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be the bytes of a .docx or the path of its file (str or os.PathLike)"
    )))
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
    let template = source(template, "template")?;
    let mut params = params_arg(None, params)?;
    if let (Source::Path(path), Some(map)) = (&template, params.as_object_mut()) {
        map.insert("template".into(), path.clone().into());
    }
    let params: DocxParams = from_value("render_docx params", params).or_raise()?;
    let run = |base: Option<&clientbase::ClientBase>| match &template {
        Source::Bytes(bytes) => core_render_docx(base, bytes, &params),
        Source::Path(_) => render_docx_path(base, &params),
    };
    let docx = match base {
        Some(base) => base.read(py, |b| run(Some(b))),
        None => py.detach(|| run(None)),
    }
    .or_raise()?;
    Ok(PyBytes::new(py, &docx))
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
    let docx = source(docx, "docx")?;
    let mut params = params_arg(None, params)?;
    if let (Source::Path(path), Some(map)) = (&docx, params.as_object_mut()) {
        map.insert("docx".into(), path.clone().into());
    }
    let params: PdfParams = from_value("docx_to_pdf params", params).or_raise()?;
    let pdf = py
        .detach(|| match &docx {
            Source::Bytes(bytes) => core_docx_to_pdf(bytes, &params),
            Source::Path(_) => docx_to_pdf_path(&params),
        })
        .or_raise()?;
    Ok(PyBytes::new(py, &pdf))
}
