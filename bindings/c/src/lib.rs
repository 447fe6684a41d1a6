//! C ABI for clientbase.
