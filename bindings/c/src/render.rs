//! Documents from templates: the DOCX calls, whose template and result are
//! bytes. Mirrors `clientbase::render`'s DOCX functions; the text templates
//! and the calls with file paths are capabilities (`cb_call`,
//! `cb_base_call` with `render`, `render_docx`, `render_docx_check`,
//! `docx_to_pdf`).

use crate::base::cb_base;
use crate::capability::params_arg;
use crate::error::{cb_status, CbResult, Failure};
use crate::ffi::{out_arg, BoxHandle};
use crate::panic::{status_boundary, value_boundary};
use clientbase::render::{docx_to_pdf, render_docx, DocxParams, PdfParams};
use std::ffi::c_char;

/// Borrows `len` bytes at `ptr` (`NULL` only when `len` is 0).
///
/// # Safety
/// `ptr` is `NULL` or points to `len` readable bytes alive for the call.
unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize, name: &str) -> CbResult<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// The name of a DOCX call's params in errors.
trait Named {
    const WHAT: &'static str;
}

impl Named for DocxParams {
    const WHAT: &'static str = "render_docx params";
}

impl Named for PdfParams {
    const WHAT: &'static str = "docx_to_pdf params";
}

/// What the DOCX calls share: the `input_len` bytes at `input` (named
/// `input_name`) and the params (read as `P`) given to
/// `run`, whose bytes go to C through `out` and `out_len`, to be freed with
/// `cb_bytes_free`.
///
/// # Safety
/// As for `cb_render_docx`.
unsafe fn bytes_call<P: serde::de::DeserializeOwned + Named>(
    (input, input_len, input_name): (*const u8, usize, &str),
    params_json: *const c_char,
    (out, out_len): (*mut *mut u8, *mut usize),
    run: impl FnOnce(&[u8], &P) -> clientbase::Result<Vec<u8>>,
) -> CbResult<()> {
    let input = unsafe { bytes_arg(input, input_len, input_name) }?;
    let params = unsafe { params_arg(params_json) }?;
    let params: P = clientbase::capability::from_value(P::WHAT, params)?;
    let out = unsafe { out_arg(out, "out") }?;
    let out_len = unsafe { out_arg(out_len, "out_len") }?;
    let bytes = run(input, &params)?.into_boxed_slice();
    *out_len = bytes.len();
    *out = Box::into_raw(bytes).cast::<u8>();
    Ok(())
}

/// Fills a DOCX template (`template_len` bytes of a `.docx` made in Word or
/// LibreOffice, borrowed) from your own variables: `params_json` (borrowed,
/// `NULL` for the defaults) holds `vars`, `company`, `strict`, `limits`,
/// `today`, `time_zone`, and optionally `out`, a path the document is also
/// written to, atomically. A broken template is `CB_INVALID_VALUE` whose
/// last error record names the part and paragraph
/// (`word/document.xml, paragraph 12 (table 1, row 2, cell 3)`). On success
/// `*out` receives the document's bytes and `*out_len` their number; the
/// caller owns them and frees them with `cb_bytes_free(*out, *out_len)`.
#[no_mangle]
pub unsafe extern "C" fn cb_render_docx(
    template: *const u8,
    template_len: usize,
    params_json: *const c_char,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> cb_status {
    status_boundary(|| unsafe {
        let template = (template, template_len, "template");
        let render = |t: &[u8], p: &DocxParams| render_docx(None, t, p);
        bytes_call(template, params_json, (out, out_len), render)
    })
}

/// Fills a DOCX template (as `cb_render_docx`) from a client and a deal of
/// `base`, which it only reads: `params_json` may also hold `client`,
/// `deal` and `managers`.
#[no_mangle]
pub unsafe extern "C" fn cb_base_render_docx(
    base: *const cb_base,
    template: *const u8,
    template_len: usize,
    params_json: *const c_char,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> cb_status {
    status_boundary(|| unsafe {
        let base = cb_base::arg(base, "base")?;
        let template = (template, template_len, "template");
        let render = |t: &[u8], p: &DocxParams| render_docx(Some(base), t, p);
        bytes_call(template, params_json, (out, out_len), render)
    })
}

/// Converts a DOCX (`docx_len` bytes, borrowed) to PDF with LibreOffice
/// (headless, in a temporary folder, stopped after `timeout_seconds` of
/// `params_json`, default 120; `out` writes the PDF to a path too). Without
/// LibreOffice it is `CB_IO` saying how to install it. On success `*out`
/// receives the PDF's bytes and `*out_len` their number, freed with
/// `cb_bytes_free`.
#[no_mangle]
pub unsafe extern "C" fn cb_docx_to_pdf(
    docx: *const u8,
    docx_len: usize,
    params_json: *const c_char,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> cb_status {
    status_boundary(|| unsafe {
        let docx = (docx, docx_len, "docx");
        bytes_call(docx, params_json, (out, out_len), docx_to_pdf)
    })
}

/// Frees bytes the library returned through a `uint8_t **` out-parameter
/// (`cb_render_docx`, `cb_docx_to_pdf`), with the length it returned beside
/// them. `NULL` is ignored.
#[no_mangle]
pub unsafe extern "C" fn cb_bytes_free(bytes: *mut u8, len: usize) {
    value_boundary((), || {
        if !bytes.is_null() {
            // SAFETY: the bytes came from `Box::into_raw` of a boxed slice of
            // `len` bytes in `bytes_call`.
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes, len)) });
        }
    })
}
