//! kammerctl and the database's TLS: a warning on stderr when the connection may go
//! unencrypted over a network, and the core's German refusal when the certificate does not
//! check out. The refusal needs `scripts/tls-postgres.sh` (`KD_TLS_TESTS=1`, as
//! `scripts/test.sh` sets it); the warning needs no server.

use crate::common;

use std::path::PathBuf;

use common::kammerctl;

#[test]
fn a_weak_tls_mode_to_another_machine_is_warned_about_on_stderr() {
    // db.invalid never resolves: the warning comes before any connection is tried.
    for (mode, words) in [
        ("disable", "ist unverschlüsselt"),
        ("prefer", "möglicherweise unverschlüsselt"),
    ] {
        let url = format!("postgres://kd_reporting:x@db.invalid:5432/kammerdesk?sslmode={mode}");
        let out = kammerctl(&url, &["expire"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains("Achtung: Die Verbindung zur Datenbank db.invalid:5432")
                && stderr.contains(words),
            "{mode}: {stderr}"
        );
        assert_eq!(stderr.matches("Achtung:").count(), 1, "once: {stderr}");
    }
    // verify-full (the default) warns about nothing.
    let out = kammerctl(
        "postgres://kd_reporting:x@db.invalid:5432/kammerdesk",
        &["expire"],
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Achtung"));
}

#[test]
fn a_certificate_for_another_name_is_refused_in_german() {
    if std::env::var_os("KD_TLS_TESTS").is_none() {
        eprintln!("skipped (run scripts/tls-postgres.sh and set KD_TLS_TESTS=1)");
        return;
    }
    let ca = match std::env::var_os("KD_TLS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/kammerdesk-tls"),
    }
    .join("ca.pem");
    let url = format!(
        "postgres://postgres@127.0.0.2:5434/postgres?sslmode=verify-full&sslrootcert={}",
        ca.display()
    );
    let out = kammerctl(&url, &["migrate"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("Das Zertifikat des Datenbankservers 127.0.0.2:5434/postgres ist nicht für diesen Servernamen ausgestellt"),
        "{stderr}"
    );
}
