//! Log to stderr, filtered by `RUST_LOG` like the CLI, so IT can read one format everywhere.

use tracing_subscriber::EnvFilter;

/// Without `RUST_LOG`: the app's own info messages and warnings from everything else.
const DEFAULT_FILTER: &str = "warn,kammerdesk=info,kammerdesk_lib=info,kammer_core=info";

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // A second init (e.g. from a test harness) is harmless; keep the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
