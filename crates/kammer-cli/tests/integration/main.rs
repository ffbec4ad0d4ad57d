//! kammerctl's integration tests, one binary: each module runs the real `kammerctl` binary
//! against a fresh database (and, where named, a replica, PgBouncer or a TLS-only server).
//! `common` holds what they share. Run one module with
//! `cargo test -p kammer-cli --test integration <module>::`.

mod cli;
mod common;
mod export;
mod handwerksrolle;
mod pgbouncer;
mod replica;
mod story;
mod tls;
