//! kammer-core's integration tests, one binary: each module runs the core's flows against a
//! real PostgreSQL (one throw-away database per test, `sqlx::test` or `ScratchDatabase`) and,
//! where mail is involved, a real SMTP server on loopback. `common` holds what they share.
//! Run one module with `cargo test -p kammer-core --test integration <module>::`.

mod common;
mod demo;
mod directory;
mod errors;
mod export;
mod handwerksrolle;
mod hostile;
mod lifecycle;
mod mail;
mod reads;
mod report;
mod roles;
mod start_states;
mod tls;
