//! What the tests of the real `kammerctl` binary share: running it as a demo clerk (`--as`),
//! with the login of the address (the superuser for set-up, a service, a clerk), and logins of
//! a test's own that are removed afterwards.

use std::process::{Command, Output, Stdio};

use kammer_testkit::{ScratchDatabase, random_suffix};

/// The password of every demo clerk and demo service login (`kammerctl demo-seed`).
pub const DEMO_PASSWORD: &str = "kammer-demo-2026";

/// Approving Antrag 178 of the demo data without its code: a reason is required, and by the
/// policy's default a second Sachbearbeitung clerk must confirm.
pub const APPROVE_178_BY_PHONE: [&str; 5] = [
    "antrag",
    "approve",
    "178",
    "--reason",
    "telefonisch bestätigt",
];

/// `kammerctl args…` against `url` with exactly the sign-in variables in `env`: whatever the
/// developer's shell has set is removed, and there is no terminal to prompt on.
pub fn run(url: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kammerctl"));
    // Every variable kammerctl reads, under its current and its old name (DATABASE_URL is
    // the tests' own and stays: beside KAMMERDESK_DATABASE_URL kammerctl ignores it).
    for &(current, old) in kammer_core::env_names::RENAMED {
        cmd.env_remove(current);
        if old != "DATABASE_URL" {
            cmd.env_remove(old);
        }
    }
    cmd.args(args)
        .env("KAMMERDESK_DATABASE_URL", url)
        .env_remove("PGUSER")
        .stdin(Stdio::null());
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().expect("kammerctl runs")
}

/// With the login of `url` itself: the superuser for set-up, a service login, a clerk's login.
pub fn kammerctl(url: &str, args: &[&str]) -> Output {
    run(url, &[], args)
}

/// Signed in as the demo clerk `user` (KAMMERDESK_USER, the same as `--as`).
pub fn kammerctl_as(url: &str, user: &str, args: &[&str]) -> Output {
    run(
        url,
        &[
            ("KAMMERDESK_USER", user),
            ("KAMMERDESK_PASSWORD", DEMO_PASSWORD),
        ],
        args,
    )
}

/// Standard output of a run that must exit with 0.
pub fn success(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "kammerctl {args:?} failed ({:?}): {}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn ok(url: &str, args: &[&str]) -> String {
    success(args, kammerctl(url, args))
}

pub fn ok_as(url: &str, user: &str, args: &[&str]) -> String {
    success(args, kammerctl_as(url, user, args))
}

fn with_json<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["--json"], args].concat()
}

pub fn json(url: &str, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(url, &with_json(args))).expect("JSON output")
}

pub fn json_as(url: &str, user: &str, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok_as(url, user, &with_json(args))).expect("JSON output")
}

/// The exit code of each kind of error, as `kammerctl --help` and the README document them.
pub fn exit_code_of(kind: &str) -> i32 {
    match kind {
        "internal" => 1,
        // clap's usage errors, in German ("Fehler (usage): …"), and invalid values.
        "usage" | "validation" => 2,
        "not_found" => 3,
        "conflict" => 4,
        "forbidden" => 5,
        "unavailable" => 6,
        other => panic!("unknown error kind {other}"),
    }
}

/// A run that must be refused; returns its standard error ("Fehler (kind): …"). It must exit
/// with the code of the kind it names.
pub fn refused(args: &[&str], out: Output) -> String {
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    let kind = said
        .split_once("Fehler (")
        .and_then(|(_, rest)| rest.split_once("):"))
        .map(|(kind, _)| kind)
        .unwrap_or_else(|| {
            panic!(
                "kammerctl {args:?} was not refused ({:?}): {}{said}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout)
            )
        });
    assert_eq!(
        out.status.code(),
        Some(exit_code_of(kind)),
        "kammerctl {args:?}: exit code of a {kind} refusal: {said}"
    );
    said
}

/// The `{"error": {kind, message}}` of a refused `--json` run, which exited with the code of
/// its kind.
pub fn json_error(out: &Output) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("not refused with a JSON error: {out:?}"));
    let kind = v["error"]["kind"].as_str().expect("error kind").to_string();
    assert_eq!(out.status.code(), Some(exit_code_of(&kind)), "{out:?}");
    v["error"].clone()
}

/// `url` (the superuser's address of a test database) with another login and its password.
pub fn url_with_login(url: &str, login: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("postgres://… address");
    let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{login}:{password}@{rest}")
}

/// `url` with a demo login (clerk or service) and the demo password.
pub fn url_as(url: &str, login: &str) -> String {
    url_with_login(url, login, DEMO_PASSWORD)
}

/// `url` without any login: only the server and the database.
pub fn server_only(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("postgres://… address");
    let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{rest}")
}

/// The schema and the demo data, loaded as the superuser of `url`.
pub fn migrate_and_seed(url: &str) {
    ok(url, &["migrate"]);
    ok(url, &["demo-seed"]);
}

/// A fresh database of the test's own (its name begins with `prefix`) with the schema and the
/// demo data, and its address (the superuser's). The database is dropped with the first value.
pub fn demo_database(prefix: &str) -> (ScratchDatabase, String) {
    let db = ScratchDatabase::create(prefix);
    let url = db.url();
    migrate_and_seed(&url);
    (db, url)
}

/// Logins of one test (roles are server-wide, so each test names its own), dropped at the
/// end. Declare it before the test's database: locals drop in reverse order, and a login can
/// be dropped once the database that granted it CONNECT is gone.
pub struct Logins {
    server: String,
    tag: String,
    names: std::cell::RefCell<Vec<String>>,
}

impl Default for Logins {
    fn default() -> Logins {
        Logins {
            server: std::env::var("DATABASE_URL").expect("DATABASE_URL names the server"),
            tag: random_suffix(),
            names: Default::default(),
        }
    }
}

impl Logins {
    /// `k<tag>.<name>`, remembered for dropping.
    pub fn name(&self, name: &str) -> String {
        let login = format!("k{}.{name}", self.tag);
        self.names.borrow_mut().push(login.clone());
        login
    }
}

impl Drop for Logins {
    fn drop(&mut self) {
        for login in self.names.borrow().iter() {
            let _ = Command::new("psql")
                .args([
                    &self.server,
                    "-qc",
                    &format!("drop role if exists \"{login}\""),
                ])
                .output();
        }
    }
}
