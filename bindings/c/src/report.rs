//! The HTML report on a base. Mirrors `clientbase`'s `report` module; a
//! client's history is the `client_history` table capability
//! (`cb_base_call_table(base, "client_history", "{\"client\":7}", &table)`).

use std::ffi::c_char;

use clientbase::report::{report_html, ReportParams};

use crate::base::cb_base;
use crate::capability::params_arg;
use crate::error::cb_status;
use crate::ffi::{out_arg, owned_string, BoxHandle};
use crate::panic::status_boundary;

/// Writes the report on a base as one self-contained HTML page (UTF-8):
/// data quality, the funnel, the ABC Pareto curve, the RFM grid, monthly
/// dynamics and the managers. `params_json` is `NULL` or `{"title": "...",
/// "as_of": "2025-03-01", "from": ..., "to": ..., "sections": ["funnel",
/// ...], "stages": {"pipeline": ["stage", ...]}, "required": [...],
/// "duplicates": bool}` (every key optional; an unknown key is `CB_JSON`).
/// The same call through the bridge, `cb_base_call(base, "report_html", ...)`,
/// gives the page inside a JSON report with the period it covers.
///
/// On success `*out_html` receives the page, a string the caller owns and
/// frees with `cb_string_free`; `params_json` is borrowed.
#[no_mangle]
pub unsafe extern "C" fn cb_base_report_html(
    base: *const cb_base,
    params_json: *const c_char,
    out_html: *mut *mut c_char,
) -> cb_status {
    status_boundary(|| {
        let base = unsafe { cb_base::arg(base, "base") }?;
        let params = unsafe { params_arg(params_json) }?;
        let out_html = unsafe { out_arg(out_html, "out_html") }?;
        let params: ReportParams = clientbase::capability::params("report_html", params)?;
        *out_html = owned_string(report_html(base, &params)?.html, "out_html")?;
        Ok(())
    })
}
