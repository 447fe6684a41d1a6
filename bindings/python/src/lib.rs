//! Python bindings for clientbase: the private `clientbase._native` module that
//! the `clientbase` package re-exports.
//!
//! Each file mirrors a core module and only converts: Python values in, one core
//! call (with the GIL released for anything that may take long), values out.
//! Errors raise the exception class of their `ErrorKind`, defined in
//! `python/clientbase/_errors.py` (see `error.rs`).

mod access;
mod activity;
mod arrow;
mod base;
mod batch;
mod capability;
mod client;
mod convert;
mod deal;
mod dedup;
mod email;
mod error;
mod money;
mod name;
mod phone;
mod record;
mod render;
mod schema;
mod spark;
mod table;

use pyo3::prelude::*;

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_class::<base::PyClientBase>()?;
    module.add_class::<schema::PySchema>()?;
    module.add_class::<client::PyClient>()?;
    module.add_class::<deal::PyDeal>()?;
    module.add_class::<activity::PyActivity>()?;
    module.add_class::<money::PyMoney>()?;
    module.add_class::<arrow::PyTable>()?;
    module.add_class::<phone::PyPhoneNormalizer>()?;
    #[cfg(feature = "bench-hooks")]
    {
        module.add_function(wrap_pyfunction!(phone::_messy_phones, module)?)?;
        module.add_function(wrap_pyfunction!(phone::_time_phone_batch, module)?)?;
        module.add_function(wrap_pyfunction!(phone::_last_batch_stages, module)?)?;
    }
    module.add_class::<email::PyEmailNormalizer>()?;
    module.add_function(wrap_pyfunction!(name::parse_name, module)?)?;
    module.add_function(wrap_pyfunction!(name::parse_names, module)?)?;
    module.add_function(wrap_pyfunction!(name::clean_name, module)?)?;
    module.add_function(wrap_pyfunction!(name::name_key, module)?)?;
    module.add_function(wrap_pyfunction!(name::transliterate, module)?)?;
    module.add_class::<dedup::PyMatchIndex>()?;
    module.add_function(wrap_pyfunction!(capability::call, module)?)?;
    module.add_function(wrap_pyfunction!(capability::capabilities, module)?)?;
    module.add_function(wrap_pyfunction!(render::render_docx, module)?)?;
    module.add_function(wrap_pyfunction!(render::docx_to_pdf, module)?)?;
    module.add_class::<access::PyView>()?;
    module.add_class::<spark::PySparkBatch>()?;
    module.add_class::<spark::PySparkBlockScorer>()?;
    module.add_function(wrap_pyfunction!(spark::_spark_prepare, module)?)?;
    module.add_function(wrap_pyfunction!(spark::_spark_cluster, module)?)?;
    module.add_function(wrap_pyfunction!(spark::_spark_blocking_stats, module)?)?;
    module.add_function(wrap_pyfunction!(spark::_spark_fields, module)?)?;
    module.add_function(wrap_pyfunction!(spark::_spark_components, module)?)?;
    module.add_function(wrap_pyfunction!(spark::_generate_base_json, module)?)?;
    Ok(())
}
