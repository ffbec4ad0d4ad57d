//! End-to-end tests: the built desk (with its bundled front end) driven through tauri-driver
//! and WebKitWebDriver under Xvfb, each test against a fresh demo database, a real loopback
//! SMTP server and a throw-away home. Run them with `scripts/e2e.sh`, which builds what they
//! need and starts the display. Screenshots and timings land in
//! `$CARGO_TARGET_DIR/e2e-screenshots/`. `desk_at_scale` (ignored here) measures the desk
//! against the scale database instead: scripts/bench-scale.sh runs it.

mod accessibility;
mod desk_scale;
mod harness;
mod hotline;
mod it_department;
mod launch;
mod memory;
mod stories;
