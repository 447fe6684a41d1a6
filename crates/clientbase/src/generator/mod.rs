//! The seeded generator of realistic Russian client bases (being written).
