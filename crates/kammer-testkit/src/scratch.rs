//! Throw-away databases for tests and benchmarks that run real binaries (kammerctl, the
//! desk) and so cannot use `#[sqlx::test]`, plus a `psql` helper for checking results.

use std::process::Command;

/// A database of its own, dropped at the end even when an assertion fails.
pub struct ScratchDatabase {
    admin_url: String,
    pub name: String,
}

/// Six random bytes in hex: unique names for parallel tests.
pub fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("OS randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl ScratchDatabase {
    /// Creates `<prefix>_<random>` on the server that DATABASE_URL names.
    pub fn create(prefix: &str) -> Self {
        let admin_url =
            std::env::var("DATABASE_URL").expect("DATABASE_URL points at a PostgreSQL server");
        let name = format!("{prefix}_{}", random_suffix());
        psql(&admin_url, &format!("create database {name}"));
        ScratchDatabase { admin_url, name }
    }

    pub fn url(&self) -> String {
        url_of(&self.admin_url, &self.name)
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // No assertion here: a panic while unwinding would abort and hide the real failure.
        let sql = format!("drop database if exists {} with (force)", self.name);
        let _ = Command::new("psql")
            .args([&self.admin_url, "-qc", &sql])
            .output();
    }
}

/// The same server as `server_url`, another database.
pub fn url_of(server_url: &str, db: &str) -> String {
    let (base, _) = server_url
        .rsplit_once('/')
        .expect("URL has a database part");
    format!("{base}/{db}")
}

/// Runs one statement with psql and returns its unaligned, trimmed output.
pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-tAqc", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
