//! Starts and stops the test SMTP server as a child process.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::ReceivedMail;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Plain,
    Starttls,
    Implicit,
}

#[derive(Debug, Clone)]
pub struct SmtpServerOptions {
    /// 0 picks a free port.
    pub port: u16,
    pub tls: TlsMode,
    /// Certificate and key (PEM) for the TLS modes.
    pub cert: Option<(PathBuf, PathBuf)>,
}

impl Default for SmtpServerOptions {
    fn default() -> Self {
        SmtpServerOptions {
            port: 0,
            tls: TlsMode::Plain,
            cert: None,
        }
    }
}

/// A running test server; it is stopped when dropped. Its store outlives a restart, so a
/// test can stop the server, let the app fail, start it again on the same port and still
/// see every mail.
pub struct TestSmtpServer {
    child: Option<Child>,
    pub port: u16,
    store: tempfile::TempDir,
    options: SmtpServerOptions,
}

/// The venv `scripts/setup.sh` creates, unless KD_SMTP_PYTHON names another interpreter.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("KD_SMTP_PYTHON") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let venv = home.join(".cache/kammerdesk-venv/bin/python3");
    if venv.exists() {
        return venv;
    }
    panic!(
        "The test SMTP server needs Python with aiosmtpd: run scripts/setup.sh (it creates {}), \
         or set KD_SMTP_PYTHON.",
        venv.display()
    );
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smtp-test-server/server.py")
}

impl TestSmtpServer {
    pub fn start() -> TestSmtpServer {
        Self::start_with(SmtpServerOptions::default())
    }

    pub fn start_with(options: SmtpServerOptions) -> TestSmtpServer {
        let store = tempfile::tempdir().expect("temp dir for the SMTP store");
        let mut server = TestSmtpServer {
            child: None,
            port: options.port,
            store,
            options,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new(python());
        cmd.arg(script())
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--store")
            .arg(self.store.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        match self.options.tls {
            TlsMode::Plain => {}
            TlsMode::Starttls => {
                cmd.arg("--starttls");
            }
            TlsMode::Implicit => {
                cmd.arg("--implicit-tls");
            }
        }
        if let Some((cert, key)) = &self.options.cert {
            cmd.arg("--cert").arg(cert).arg("--key").arg(key);
        }
        let mut child = cmd.spawn().expect("start the test SMTP server");
        let stdout = child.stdout.take().expect("server stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the server's READY line");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("test SMTP server did not start: {line:?}"));
        self.port = port;
        self.child = Some(child);
    }

    /// Stops the server (the port then refuses connections); `restart` brings it back on
    /// the same port with the same store.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets it close its socket; it has no children to leave behind.
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
        }
    }

    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    pub fn store(&self) -> &Path {
        self.store.path()
    }

    /// Every mail received so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        read_store(self.store.path())
    }

    /// Waits until at least `n` mails are stored, or panics after `timeout`.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let start = Instant::now();
        loop {
            let mails = self.received();
            if mails.len() >= n {
                return mails;
            }
            if start.elapsed() > timeout {
                panic!(
                    "expected {n} mails in the test SMTP server within {timeout:?}, got {}",
                    mails.len()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TestSmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until a message to a `slow<S>…` recipient has been sent up to the end of its DATA
/// and the server of `store` is holding back its answer, or panics after `timeout`: from
/// then on the client is known to be inside the send, for `S` seconds. Blocking: from async
/// code call it through `spawn_blocking`, so the client keeps running meanwhile.
pub fn wait_until_holding(store: &Path, timeout: Duration) {
    let start = Instant::now();
    let waiting = store.join("waiting");
    while !waiting.exists() {
        assert!(
            start.elapsed() <= timeout,
            "no message reached the test SMTP server's DATA within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Reads a store directory written by server.py (also usable on a store the server of
/// another process writes).
pub fn read_store(dir: &Path) -> Vec<ReceivedMail> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter_map(|n| n.strip_suffix(".eml").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let raw = std::fs::read(dir.join(format!("{name}.eml"))).expect("stored mail");
            let meta: serde_json::Value = std::fs::read(dir.join(format!("{name}.json")))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            ReceivedMail {
                name,
                raw,
                mail_from: meta["mail_from"].as_str().unwrap_or_default().to_string(),
                rcpt_tos: meta["rcpt_tos"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}
