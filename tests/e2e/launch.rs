//! Everything one test's app needs, fresh: a demo database, a loopback SMTP server with the
//! mail sender service draining the outbox into it (`kammerctl outbox run` as the demo's
//! `kd_mailer` login — the desk sends no mail), a throw-away home, and its own tauri-driver
//! (with its WebKitWebDriver) on free ports.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use kammer_testkit::{ScratchDatabase, TestSmtpServer};

/// The demo clerks' and demo services' password (`kammerctl demo-seed`).
pub const DEMO_PASSWORD: &str = "kammer-demo-2026";
/// The demo's mail sender login.
pub const DEMO_MAILER: &str = "kd_mailer";

/// The app under test, built by `cargo test --features custom-protocol` for this very test
/// target (so it serves the bundled ui/dist).
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kammerdesk"))
}

/// The target directory the app was built into (`$CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    app_binary()
        .parent()
        .and_then(Path::parent)
        .expect("the app lives in <target>/<profile>/")
        .to_path_buf()
}

/// `kammerctl`, built beside the app (scripts/e2e.sh builds it).
pub fn kammerctl_binary() -> PathBuf {
    let path = app_binary().with_file_name("kammerctl");
    assert!(
        path.exists(),
        "{} is missing: run scripts/e2e.sh, or `cargo build -p kammer-cli` first",
        path.display()
    );
    path
}

/// tauri-driver: `$KD_TAURI_DRIVER`, else `~/.cargo/bin/tauri-driver` (scripts/setup.sh
/// installs it there), else whatever `PATH` finds.
fn tauri_driver_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("KD_TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let p = Path::new(&home).join(".cargo/bin/tauri-driver");
        if p.exists() {
            return p;
        }
    }
    PathBuf::from("tauri-driver")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Runs the built `kammerctl` against `url` as the demo admin.
pub fn kammerctl(url: &str, args: &[&str]) -> Output {
    kammerctl_as(url, "admin", args)
}

pub fn kammerctl_as(url: &str, clerk: &str, args: &[&str]) -> Output {
    Command::new(kammerctl_binary())
        .args(args)
        .env("KAMMERDESK_DATABASE_URL", url)
        .env("KAMMERDESK_USER", clerk)
        .env("KAMMERDESK_PASSWORD", DEMO_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("kammerctl runs")
}

/// `kammerctl` that must succeed; returns its standard output.
pub fn kammerctl_ok(url: &str, args: &[&str]) -> String {
    let out = kammerctl(url, args);
    assert!(
        out.status.success(),
        "kammerctl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh database with the migrations and the demo data (the same `kammerctl migrate` and
/// `kammerctl demo-seed` that scripts/run-app.sh uses). The resend cooldown is switched off:
/// the demo's Antrag 178 got its current code at seeding time, seconds ago.
pub fn demo_database() -> ScratchDatabase {
    let db = ScratchDatabase::create("kammerdesk_e2e");
    let url = db.url();
    kammerctl_ok(&url, &["migrate"]);
    kammerctl_ok(&url, &["demo-seed"]);
    kammerctl_ok(&url, &["policy", "set", "--resend-cooldown-seconds", "0"]);
    db
}

/// `url` (a superuser's address of a test database) with another login.
pub fn url_as(url: &str, login: &str) -> String {
    let rest = url
        .split_once('@')
        .map(|(_, rest)| rest)
        .expect("a postgres://user@host/db address");
    format!("postgres://{login}:{DEMO_PASSWORD}@{rest}")
}

/// The mail sender service for one test: `kammerctl outbox run` as the demo's mail sender
/// login, sending to the test's SMTP server. Stopped with SIGTERM when dropped (it finishes
/// the mail in flight and exits).
pub struct MailSender {
    child: Child,
}

impl MailSender {
    pub fn start(database_url: &str, smtp: &TestSmtpServer, log: &Path) -> MailSender {
        let log_file = std::fs::File::create(log).expect("mail sender log");
        let child = Command::new(kammerctl_binary())
            .args([
                "outbox",
                "run",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-security",
                "plain",
            ])
            .args(["--smtp-port", &smtp.port.to_string()])
            .env("KAMMERDESK_DATABASE_URL", url_as(database_url, DEMO_MAILER))
            .env_remove("KAMMERDESK_USER")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log"))
            .stderr(log_file)
            .spawn()
            .expect("kammerctl outbox run starts");
        MailSender { child }
    }
}

impl Drop for MailSender {
    fn drop(&mut self) {
        if terminate(&mut self.child) {
            return;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `child` SIGTERM and gives it five seconds to exit; true once it has.
fn terminate(child: &mut Child) -> bool {
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// One tauri-driver and everything it starts (WebKitWebDriver, the app) in a process group
/// of their own. Dropping it stops them all.
pub struct Driver {
    child: Child,
    pub port: u16,
    /// Kept until the driver is dropped, then removed.
    _home: tempfile::TempDir,
    pub export_dir: PathBuf,
    /// What „Datei wählen …“ on the Handwerksrolle screen returns (`KAMMERDESK_IMPORT_FILE`):
    /// a story writes its file here first.
    pub import_file: PathBuf,
    log: PathBuf,
    /// The app's own log folder (`KAMMERDESK_LOG_DIR`).
    log_dir: PathBuf,
    /// The environment the app gets, for [`Driver::app_command`].
    env: Vec<(String, String)>,
}

impl Driver {
    /// Starts tauri-driver with the app's environment: the test's database and SMTP server,
    /// and a home and XDG folders of its own, so settings, keychain entries and window state
    /// never leak between tests or into the developer's desk.
    /// `app_env` is set last, so it may also override these defaults (a test's
    /// `KAMMERDESK_IDLE_SIGN_OUT_SECONDS`, a session bus).
    pub fn start(database_url: &str, app_env: &[(&str, String)]) -> Driver {
        let display = std::env::var("DISPLAY").unwrap_or_default();
        assert!(
            !display.is_empty(),
            "no DISPLAY: run the end-to-end tests with scripts/e2e.sh (it starts Xvfb)"
        );
        let home = tempfile::Builder::new()
            .prefix("kammerdesk-e2e-home-")
            .tempdir()
            .expect("temp home");
        let h = home.path();
        for dir in [".config", ".local/share", ".cache", "exports"] {
            std::fs::create_dir_all(h.join(dir)).expect("temp home folders");
        }
        let export_dir = h.join("exports");
        let import_file = h.join("handwerksrolle.csv");
        let log = h.join("tauri-driver.log");
        let log_file = std::fs::File::create(&log).expect("driver log");
        let port = free_port();
        let native_port = free_port();
        let path = |p: PathBuf| p.to_string_lossy().into_owned();
        // No session bus unless a test brings its own: the developer's would let the app
        // under test hand over to a desk running on the developer's screen.
        let mut env: Vec<(String, String)> = vec![
            ("DISPLAY".into(), display),
            ("HOME".into(), path(h.to_path_buf())),
            ("XDG_CONFIG_HOME".into(), path(h.join(".config"))),
            ("XDG_DATA_HOME".into(), path(h.join(".local/share"))),
            ("XDG_CACHE_HOME".into(), path(h.join(".cache"))),
            ("KAMMERDESK_DATABASE_URL".into(), database_url.into()),
            ("KAMMERDESK_EXPORT_DIR".into(), path(export_dir.clone())),
            ("KAMMERDESK_IMPORT_FILE".into(), path(import_file.clone())),
            ("KAMMERDESK_LOG_DIR".into(), path(h.join("logs"))),
            ("RUST_LOG".into(), "info".into()),
        ];
        for (name, value) in app_env {
            env.retain(|(n, _)| n != name);
            env.push((name.to_string(), value.clone()));
        }
        let child = Command::new(tauri_driver_binary())
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .envs(env.iter().map(|(n, v)| (n, v)))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log"))
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start tauri-driver ({e}): install it with \
                     `cargo install tauri-driver --locked` (scripts/setup.sh does)"
                )
            });
        let log_dir = h.join("logs");
        let mut driver = Driver {
            child,
            port,
            _home: home,
            export_dir,
            import_file,
            log,
            log_dir,
            env,
        };
        driver.wait_until_ready(Duration::from_secs(30));
        driver
    }

    /// tauri-driver answers once it and its WebKitWebDriver listen: `GET /status` is passed
    /// through to WebKitWebDriver.
    fn wait_until_ready(&mut self, timeout: Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("driver status") {
                panic!(
                    "tauri-driver exited ({status}) before it was ready:\n{}",
                    self.log_text()
                );
            }
            if http_get_ok(self.port, "/status") {
                return;
            }
            if start.elapsed() > timeout {
                panic!(
                    "tauri-driver not ready on port {} within {timeout:?}:\n{}",
                    self.port,
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// tauri-driver's process id: the app and its WebKit processes are its descendants.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What tauri-driver, WebKitWebDriver and the app printed (the app logs to stderr).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The app's log files (the folder IT collects), all days together.
    pub fn app_log_text(&self) -> String {
        let mut text = String::new();
        if let Ok(entries) = std::fs::read_dir(&self.log_dir) {
            for entry in entries.flatten() {
                text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        text
    }

    /// The app binary with exactly the environment tauri-driver gave the app under test: a
    /// second start on the same desk.
    pub fn app_command(&self) -> Command {
        let mut cmd = Command::new(app_binary());
        cmd.env_remove("XDG_RUNTIME_DIR")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .envs(self.env.iter().map(|(n, v)| (n, v)))
            .stdin(Stdio::null());
        cmd
    }
}

/// A private D-Bus session bus (`dbus-daemon --session`), which the single-instance lock of a
/// Linux desk needs; stopped when dropped.
pub struct SessionBus {
    child: Child,
    pub address: String,
}

impl SessionBus {
    pub fn start() -> SessionBus {
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus; scripts/setup.sh installs it)");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut address = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut address).expect("the bus address");
        let address = address.trim().to_owned();
        assert!(address.starts_with("unix:"), "dbus-daemon said {address:?}");
        SessionBus { child, address }
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM first: tauri-driver then stops its WebKitWebDriver, which releases the
        // native port (after SIGKILL it would live on). Whatever is left of the group (an app
        // whose session was not closed) gets SIGTERM, then SIGKILL.
        let group = format!("-{}", self.child.id());
        terminate(&mut self.child);
        let group_alive = || {
            Command::new("kill")
                .args(["-0", "--", &group])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if group_alive() {
            let _ = Command::new("kill")
                .args(["-TERM", "--", &group])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while group_alive() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if group_alive() {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &group])
                    .stderr(Stdio::null())
                    .status();
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.0 GET on loopback: true on a 200 answer.
fn http_get_ok(port: u16, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200")
}
