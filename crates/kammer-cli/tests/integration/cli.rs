//! What `kammerctl` promises scripts and people beyond each command's result: one exit code per
//! kind of error, shell completions, and progress bars only on a terminal. The real binary,
//! against a fresh database with the demo data.

use crate::common;

use common::{demo_database, kammerctl, kammerctl_as, ok_as, run};
use kammer_testkit::{ScratchDatabase, psql};

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The run exited with `code`, and its standard error says `says`.
fn exits_with(out: &std::process::Output, code: i32, says: &str) {
    let said = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{said}");
    assert!(said.contains(says), "{said}");
}

#[test]
fn each_kind_of_error_has_its_exit_code() {
    let (db, url) = demo_database("kammerctl_exit");

    // 0: done.
    let out = kammerctl_as(&url, "hl.schmidt", &["betrieb", "show", "2121155381"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));

    // 2: a malformed call, from clap or from the core (an invalid day).
    let out = kammerctl_as(&url, "sb.mueller", &["antrag", "list", "--gibts-nicht"]);
    // In German, with the usage line, as the help writes it.
    exits_with(&out, 2, "Aufruf: kammerctl antrag list");
    assert!(
        stderr(&out).starts_with(
            "Fehler (usage): Unbekannte Option oder überzähliges Argument „--gibts-nicht“."
        ),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("error:"), "{}", stderr(&out));
    let out = kammerctl_as(&url, "sb.mueller", &["antrag", "lsit"]);
    exits_with(&out, 2, "Gemeint ist vielleicht „list“");
    let out = kammerctl_as(
        &url,
        "sb.mueller",
        &["antrag", "list", "--to", "31.02.2024"],
    );
    exits_with(&out, 2, "Fehler (validation)");
    // An order the queue does not know is named with the ones it does.
    let out = kammerctl_as(
        &url,
        "sb.mueller",
        &["antrag", "list", "--order", "nach_name"],
    );
    exits_with(&out, 2, "Unbekannte Sortierung „nach_name“");
    assert!(
        stderr(&out).contains("betrieb_ascending"),
        "{}",
        stderr(&out)
    );
    // Sorted by Betrieb, the list runs in Betriebsnummer order.
    let out = kammerctl_as(
        &url,
        "sb.mueller",
        &[
            "--json",
            "antrag",
            "list",
            "--order",
            "betrieb_descending",
            "--limit",
            "40",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nummern: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["betriebsnummer"].as_str().unwrap())
        .collect();
    let mut sorted = nummern.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert!(
        nummern.len() > 5 && nummern.first() != nummern.last(),
        "{nummern:?}"
    );
    assert_eq!(nummern, sorted);

    // 3: not found — a Betrieb that does not exist.
    let out = kammerctl_as(&url, "hl.schmidt", &["betrieb", "show", "9999999999"]);
    exits_with(&out, 3, "Fehler (not_found)");

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
    exits_with(&out, 4, "Fehler (conflict)");

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
    exits_with(&out, 5, "Fehler (forbidden)");
    let out = run(
        &url,
        &[
            ("KAMMERDESK_USER", "sb.mueller"),
            ("KAMMERDESK_PASSWORD", "falsch-falsch"),
        ],
        &["antrag", "show", "178"],
    );
    assert_eq!(code(&out), Some(5), "{}", stderr(&out));

    // 6: unavailable — nothing listens on port 1.
    let nowhere = format!("postgres://postgres@127.0.0.1:1/{}", db.name);
    let out = kammerctl(&nowhere, &["migrate"]);
    exits_with(&out, 6, "Fehler (unavailable)");

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

/// The names of the last release still work, each with a German hint naming the new one;
/// the new name wins over the old.
#[test]
fn old_variable_names_work_with_a_hint() {
    let (_db, url) = demo_database("kammerctl_old_names");
    let show = ["--json", "betrieb", "show", "2121155381"];
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kammerctl"))
        .args(show)
        .env_remove("KAMMERDESK_DATABASE_URL")
        .env_remove("KAMMERDESK_USER")
        .env_remove("KAMMERDESK_PASSWORD")
        .env("DATABASE_URL", &url)
        .env("KAMMERCTL_USER", "hl.schmidt")
        .env("KAMMERCTL_PASSWORD", common::DEMO_PASSWORD)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2121155381"));
    for hint in [
        "Hinweis: DATABASE_URL ist veraltet und gilt nur noch in dieser Version; bitte KAMMERDESK_DATABASE_URL setzen.",
        "Hinweis: KAMMERCTL_USER ist veraltet und gilt nur noch in dieser Version; bitte KAMMERDESK_USER setzen.",
        "Hinweis: KAMMERCTL_PASSWORD ist veraltet",
    ] {
        assert!(stderr(&out).contains(hint), "{hint}: {}", stderr(&out));
    }

    // Both set: the new name signs in (a wrong old password is never tried).
    let out = run(
        &url,
        &[
            ("KAMMERDESK_USER", "hl.schmidt"),
            ("KAMMERDESK_PASSWORD", common::DEMO_PASSWORD),
            ("KAMMERCTL_USER", "gibt.es.nicht"),
            ("KAMMERCTL_PASSWORD", "falsch"),
        ],
        &show,
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "Hinweis: KAMMERCTL_USER ist veraltet und wird ignoriert, weil KAMMERDESK_USER gesetzt ist."
        ),
        "{}",
        stderr(&out)
    );

    // The address on the command line: DATABASE_URL of the shell is not read, so no hint.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kammerctl"))
        .args(["--database-url", &url, "--as", "hl.schmidt"])
        .args(show)
        .env_remove("KAMMERDESK_DATABASE_URL")
        .env_remove("KAMMERDESK_USER")
        .env("DATABASE_URL", "postgres://127.0.0.1:1/nirgends")
        .env("KAMMERDESK_PASSWORD", common::DEMO_PASSWORD)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("DATABASE_URL"), "{}", stderr(&out));

    // Only the current names: no hint at all (DATABASE_URL of the test run beside them).
    let out = kammerctl_as(&url, "hl.schmidt", &show);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Hinweis"), "{}", stderr(&out));
}

#[test]
fn completions_for_each_shell_without_a_database() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kammerctl"))
            .args(["completions", shell])
            .env_remove("DATABASE_URL")
            .env_remove("KAMMERDESK_DATABASE_URL")
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

/// What a progress bar leaves in a stream: bar and spinner glyphs (indicatif's default
/// spinner), ANSI escapes.
fn has_progress(s: &str) -> bool {
    s.contains([
        '█', '▌', '░', '⠁', '⠂', '⠄', '⡀', '⢀', '⠠', '⠐', '⠈', '\u{1b}',
    ])
}

/// `args` under a pseudo-terminal (script(1)), so that stderr is a terminal; the terminal's
/// whole stream.
fn on_a_terminal(url: &str, args: &[&str]) -> String {
    let quoted: Vec<String> = [env!("CARGO_BIN_EXE_kammerctl")]
        .iter()
        .chain(args)
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let out = std::process::Command::new("script")
        .args(["-qefc", &quoted.join(" "), "/dev/null"])
        .env("KAMMERDESK_DATABASE_URL", url)
        .env("KAMMERDESK_USER", "sb.mueller")
        .env("KAMMERDESK_PASSWORD", common::DEMO_PASSWORD)
        .env_remove("KAMMERDESK_READ_DATABASE_URL")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) from util-linux");
    assert_eq!(code(&out), Some(0), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_only_when_stderr_is_a_terminal() {
    let db = ScratchDatabase::create("kammerctl_progress");
    let url = db.url();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    common::ok(&url, &["migrate"]);

    // Piped, as in cron: stdout has the result, stderr nothing at all.
    let out = kammerctl(&url, &["demo-seed", "--antraege", "2500"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("2.500 Anträge"));
    let csv = file("alle.csv");
    let out = kammerctl_as(&url, "sb.mueller", &["export", "antraege", "--out", &csv]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("2.500 Anträge nach "), "{said}");
    assert!(!has_progress(&said), "{said}");
    let month = psql(&url, "select to_char(now(), 'YYYY-MM')");
    let out = kammerctl_as(
        &url,
        "sb.mueller",
        &[
            "report",
            "monthly",
            "--month",
            &month,
            "--out",
            &file("bericht.csv"),
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    // On a terminal the same commands show their progress.
    let screen = on_a_terminal(&url, &["export", "antraege", "--out", &file("tty.csv")]);
    assert!(screen.contains("Anträge geschrieben"), "{screen:?}");
    assert!(has_progress(&screen), "{screen:?}");
    let screen = on_a_terminal(&url, &["report", "monthly", "--month", &month]);
    assert!(screen.contains("werden berechnet"), "{screen:?}");
    let fresh = ScratchDatabase::create("kammerctl_progress_seed");
    common::ok(&fresh.url(), &["migrate"]);
    let screen = on_a_terminal(&fresh.url(), &["demo-seed", "--antraege", "2500"]);
    assert!(
        screen.contains("Anträge") && screen.contains(" von 2.500"),
        "{screen:?}"
    );
}

/// `kammerctl … | head`: the reader closes the pipe early; kammerctl ends quietly (exit 0),
/// without a panic. 600 queue lines are more than a pipe holds, so the write meets the
/// closed pipe.
#[test]
fn a_closed_pipe_ends_the_output_without_a_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let (_db, url) = demo_database("kammerctl_pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kammerctl"))
        .args(["antrag", "list", "--limit", "1000"])
        .env("KAMMERDESK_DATABASE_URL", &url)
        .env("KAMMERDESK_USER", "hl.schmidt")
        .env("KAMMERDESK_PASSWORD", common::DEMO_PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("Nr."), "{first}");
    // The reader is gone (stdout dropped above).
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
