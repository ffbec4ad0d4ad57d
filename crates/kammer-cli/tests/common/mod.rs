//! What the tests of the real `kammerctl` binary share: running it as a demo clerk.

use std::process::{Command, Output};

/// `kammerctl args…` against `url`, signed in as the demo clerk `user`.
pub fn kammerctl_as(url: &str, user: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kammerctl"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("KAMMERCTL_USER", user)
        .env("KAMMERCTL_PASSWORD", "kammer-demo-2026")
        .output()
        .expect("kammerctl runs")
}

/// Its standard output; the test fails when it exits with anything but 0.
pub fn ok_as(url: &str, user: &str, args: &[&str]) -> String {
    let out = kammerctl_as(url, user, args);
    assert!(
        out.status.success(),
        "kammerctl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
