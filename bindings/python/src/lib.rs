//! Python bindings for clientbase.
