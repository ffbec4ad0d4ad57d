//! What `kammerctl` promises scripts and people beyond each command's result: one exit code per
//! kind of error, and shell completions. The real binary,
//! against a fresh database with the demo data.

mod common;

use common::{kammerctl, kammerctl_as, migrate_and_seed, ok_as, run};
use kammer_testkit::{ScratchDatabase, psql};

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn each_kind_of_error_has_its_exit_code() {
    let db = ScratchDatabase::create("kammerctl_exit");
    let url = db.url();
    migrate_and_seed(&url);

    // 0: done.
    let out = kammerctl_as(&url, "hl.schmidt", &["betrieb", "show", "2121155381"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));

    // 2: a malformed call, from clap or from the core (an invalid day).
    let out = kammerctl_as(&url, "sb.mueller", &["antrag", "list", "--gibts-nicht"]);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    let out = kammerctl_as(
        &url,
        "sb.mueller",
        &["antrag", "list", "--to", "31.02.2024"],
    );
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Fehler (validation)"),
        "{}",
        stderr(&out)
    );

    // 3: not found — a Betrieb that does not exist.
    let out = kammerctl_as(&url, "hl.schmidt", &["betrieb", "show", "9999999999"]);
    assert_eq!(code(&out), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Fehler (not_found)"),
        "{}",
        stderr(&out)
    );

    // 4: conflict — approving an Antrag that is already decided.
    let decided = psql(
        &url,
        "select nr from antraege where status = 'rejected' order by nr limit 1",
    );
    let out = kammerctl_as(
        &url,
        "admin",
        &[
            "antrag",
            "approve",
            &decided,
            "--reason",
            "Rückruf beim Inhaber",
        ],
    );
    assert_eq!(code(&out), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Fehler (conflict)"),
        "{}",
        stderr(&out)
    );

    // 5: forbidden — the hotline may not approve; a wrong password is refused the same way.
    let out = kammerctl_as(
        &url,
        "hl.schmidt",
        &[
            "antrag",
            "approve",
            "178",
            "--reason",
            "telefonisch bestätigt",
        ],
    );
    assert_eq!(code(&out), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Fehler (forbidden)"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &url,
        &[
            ("KAMMERCTL_USER", "sb.mueller"),
            ("KAMMERCTL_PASSWORD", "falsch-falsch"),
        ],
        &["antrag", "show", "178"],
    );
    assert_eq!(code(&out), Some(5), "{}", stderr(&out));

    // 6: unavailable — nothing listens on port 1.
    let nowhere = format!("postgres://postgres@127.0.0.1:1/{}", db.name);
    let out = kammerctl(&nowhere, &["migrate"]);
    assert_eq!(code(&out), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Fehler (unavailable)"),
        "{}",
        stderr(&out)
    );

    // --json: the same codes, the error as JSON on stdout.
    let out = kammerctl_as(
        &url,
        "hl.schmidt",
        &["--json", "betrieb", "show", "9999999999"],
    );
    assert_eq!(code(&out), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "not_found");

    // The help documents them.
    let help = ok_as(&url, "hl.schmidt", &["--help"]);
    for line in [
        "  3  nicht gefunden",
        "  4  Konflikt",
        "  5  abgewiesen",
        "  6  nicht erreichbar",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
}

#[test]
fn completions_for_each_shell_without_a_database() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kammerctl"))
            .args(["completions", shell])
            .env_remove("DATABASE_URL")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{shell}: {}", stderr(&out));
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.len() > 1000, "{shell}: {script}");
        for known in ["demo-seed", "approve", "newest-first"] {
            assert!(script.contains(known), "{shell} lacks {known}");
        }
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kammerctl"))
        .args(["completions", "cmd.exe"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
}
