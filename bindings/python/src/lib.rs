//! Python bindings for clientbase: the private `clientbase._native` module that
//! the `clientbase` package re-exports.
//!
//! Each file mirrors a core module and only converts: Python values in, one core
//! call (with the GIL released for anything that may take long), values out.
//! Errors become one exception class per core `ErrorKind` (see `error.rs`).

mod activity;
mod base;
mod client;
mod convert;
mod csv_io;
mod deal;
mod error;
mod money;
mod schema;

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
    module.add_class::<csv_io::PyImportReport>()?;
    module.add_class::<csv_io::PyRejectedRow>()?;
    error::register(module)
}
