//! The races, a test binary of their own: each opens dozens of connections, so they run
//! apart from the other integration tests (cargo runs test binaries one after another), and
//! one at a time among themselves. They share the integration tests' `common`.

// The races use a part of the shared helpers; the rest serve the integration tests.
#[allow(dead_code)]
#[path = "../integration/common/mod.rs"]
mod common;
mod races;
