//! Checked TLS against a real PostgreSQL whose certificate comes from a test CA.
//!
//! Needs `scripts/tls-postgres.sh` (a cluster with ssl = on and only hostssl lines on
//! 127.0.0.1:5434 and 127.0.0.2:5434; the certificate names localhost and 127.0.0.1 only) and,
//! for the server without TLS, PgBouncer on 127.0.0.1:6432 (`scripts/pgbouncer.sh session`).
//! `scripts/test.sh` runs both and sets `KD_TLS_TESTS=1`; without it these tests only say that
//! they were skipped. The CA files are in `KD_TLS_DIR` (default ~/.cache/kammerdesk-tls).

use std::path::PathBuf;

use kammer_core::ErrorKind;
use kammer_core::db::{self, TlsMode};
use sqlx::postgres::PgConnectOptions;

fn tls_dir(test: &str) -> Option<PathBuf> {
    if std::env::var_os("KD_TLS_TESTS").is_none() {
        eprintln!("{test}: skipped (run scripts/tls-postgres.sh and set KD_TLS_TESTS=1)");
        return None;
    }
    Some(match std::env::var_os("KD_TLS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/kammerdesk-tls")
        }
    })
}

/// The superuser on the TLS cluster (trusted over hostssl from loopback), at `host`.
fn server(host: &str) -> PgConnectOptions {
    PgConnectOptions::new_without_pgpass()
        .host(host)
        .port(5434)
        .username("postgres")
        .database("postgres")
}

/// Connects and asks the server whether this connection is encrypted.
async fn encrypted(options: PgConnectOptions) -> kammer_core::Result<bool> {
    let pool = db::connect_with(options).await?;
    let ssl: bool = sqlx::query_scalar("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    Ok(ssl)
}

#[tokio::test]
async fn verify_full_with_the_chambers_ca_file_connects() {
    let Some(dir) = tls_dir("verify_full_with_the_chambers_ca_file_connects") else {
        return;
    };
    let ca = dir.join("ca.pem");
    // By name and by address: the certificate names both.
    for host in ["localhost", "127.0.0.1"] {
        let options = db::with_tls(server(host), TlsMode::VerifyFull, Some(&ca)).unwrap();
        assert_eq!(db::tls_warning(&options), None);
        assert!(encrypted(options).await.unwrap(), "{host}");
    }
    // The same from an address, as kammerctl and IT's configuration give it.
    let url = format!(
        "postgres://postgres@localhost:5434/postgres?sslmode=verify-full&sslrootcert={}",
        ca.display()
    );
    let options = db::parse_url(&url).unwrap();
    assert_eq!(TlsMode::of(&options), TlsMode::VerifyFull);
    assert!(encrypted(options).await.unwrap());
}

#[tokio::test]
async fn a_host_name_the_certificate_does_not_name_is_refused() {
    let Some(dir) = tls_dir("a_host_name_the_certificate_does_not_name_is_refused") else {
        return;
    };
    let ca = dir.join("ca.pem");
    // 127.0.0.2 is the same server, but its certificate names localhost and 127.0.0.1 only.
    let options = db::with_tls(server("127.0.0.2"), TlsMode::VerifyFull, Some(&ca)).unwrap();
    let err = encrypted(options).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(
        err.message().contains("127.0.0.2:5434")
            && err
                .message()
                .contains("nicht für diesen Servernamen ausgestellt"),
        "{}",
        err.message()
    );
    // Only the name is wrong: without checking it (require), the same server answers.
    let unchecked = db::with_tls(server("127.0.0.2"), TlsMode::Require, None).unwrap();
    assert!(encrypted(unchecked).await.unwrap());
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused() {
    let Some(dir) = tls_dir("a_certificate_from_an_unknown_ca_is_refused") else {
        return;
    };
    // Neither the platform's trust store alone nor another CA's file vouches for the test CA.
    for ca in [None, Some(dir.join("other-ca.pem"))] {
        let options =
            db::with_tls(server("localhost"), TlsMode::VerifyFull, ca.as_deref()).unwrap();
        let err = encrypted(options).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unavailable, "{ca:?}");
        assert!(
            err.message()
                .contains("stammt von einer unbekannten Zertifizierungsstelle (CA)"),
            "{ca:?}: {}",
            err.message()
        );
    }
}

#[tokio::test]
async fn a_server_without_tls_is_refused_when_tls_is_required() {
    if tls_dir("a_server_without_tls_is_refused_when_tls_is_required").is_none() {
        return;
    }
    // PgBouncer of scripts/pgbouncer.sh offers no TLS to its clients.
    for mode in [TlsMode::VerifyFull, TlsMode::Require] {
        let options = db::with_tls(
            server("127.0.0.1").port(6432).database("postgres"),
            mode,
            None,
        )
        .unwrap();
        let err = encrypted(options).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        assert!(
            err.message()
                .contains("bietet keine Verschlüsselung (TLS) an"),
            "{mode:?}: {}",
            err.message()
        );
    }
}

#[tokio::test]
async fn a_ca_file_that_is_missing_or_no_certificate_is_refused_before_connecting() {
    let missing = PathBuf::from("/nonexistent/kammer-ca.pem");
    let err = db::with_tls(server("localhost"), TlsMode::VerifyFull, Some(&missing)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(
        err.message().contains("lässt sich nicht lesen"),
        "{}",
        err.message()
    );
    let not_pem = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let err = db::with_tls(server("localhost"), TlsMode::VerifyFull, Some(&not_pem)).unwrap_err();
    assert!(
        err.message().contains("kein Zertifikat im PEM-Format"),
        "{}",
        err.message()
    );
    let url =
        "postgres://postgres@db.hwk.example/kammerdesk?sslrootcert=/nonexistent/kammer-ca.pem";
    assert_eq!(
        db::parse_url(url).unwrap_err().kind(),
        ErrorKind::Validation
    );
}
