//! The desk under test and the few WebDriver moves the stories need. Elements are found only
//! by the hooks of docs/desk-ui-hooks.md. Nothing sleeps for a fixed time: every step waits
//! for a condition on the page (polled, with a timeout) and fails with what it waited for.

use std::fmt::Write as _;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use kammer_testkit::{ReceivedMail, ScratchDatabase, TestSmtpServer};
use serde_json::json;

use crate::launch::{self, Driver, MailSender};

/// How long a step may take before the test fails. Generous: the CI machine has two cores
/// and compiles other things at the same time.
pub const STEP: Duration = Duration::from_secs(20);
/// Launching the app (WebKit, the bundle, the first connection) gets more.
pub const LAUNCH: Duration = Duration::from_secs(60);

/// One app at a time: each takes ~500 MB and a good part of a core, and a test's timings
/// mean nothing while another app starts beside it.
static SERIAL: Mutex<()> = Mutex::new(());

/// WebDriver key codes.
pub mod keys {
    pub const ENTER: char = '\u{E007}';
    pub const CONTROL: char = '\u{E009}';
}

pub struct Desk {
    pub client: Client,
    pub name: String,
    /// The database the app connects to.
    pub database_url: String,
    /// The test's own database, kept until the desk is dropped (none for
    /// [`Database::Existing`] and [`Database::Unreachable`]).
    _db: Option<ScratchDatabase>,
    pub smtp: TestSmtpServer,
    /// The mail sender service draining the test's outbox into `smtp` (demo databases only).
    _mail_sender: Option<MailSender>,
    pub driver: Driver,
    /// When the WebDriver session (and so the app) was asked for.
    pub launched: Instant,
}

/// Runs one story against a freshly launched desk, from its sign-in screen; the desk is
/// closed (and a screenshot plus the app's log kept) however the story ends.
pub fn run(name: &str, story: impl AsyncFnOnce(&Desk)) {
    run_from(name, Some("#sign-in"), story)
}

/// Like [`run`], waiting for `first_screen` (if any) before the story starts; the time from
/// launch to it is reported.
pub fn run_from(name: &str, first_screen: Option<&str>, story: impl AsyncFnOnce(&Desk)) {
    run_with(name, first_screen, Database::Demo, story)
}

/// What the app under test connects to.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A fresh demo database of its own.
    Demo,
    /// A loopback port where nothing listens.
    Unreachable,
    /// A database that exists already and is left as it is (the scale database of
    /// scripts/bench-scale.sh), seeded by `demo::seed` so the demo clerks can sign in.
    Existing(String),
}

pub fn run_with(
    name: &str,
    first_screen: Option<&str>,
    database: Database,
    story: impl AsyncFnOnce(&Desk),
) {
    run_configured(name, first_screen, database, &[], story)
}

/// Like [`run`], with variables for the app on top of the test's defaults (what IT would
/// set: a short idle sign-out, a session bus).
pub fn run_with_app_env(name: &str, app_env: &[(&str, String)], story: impl AsyncFnOnce(&Desk)) {
    run_configured(name, Some("#sign-in"), Database::Demo, app_env, story)
}

fn run_configured(
    name: &str,
    first_screen: Option<&str>,
    database: Database,
    app_env: &[(&str, String)],
    story: impl AsyncFnOnce(&Desk),
) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let (desk, started) = Desk::launch(name, database, app_env).await;
        let outcome = AssertUnwindSafe(async {
            if let Some(css) = first_screen {
                desk.wait_for(css, LAUNCH).await;
                report_timing(&format!("{name}: launch → `{css}`"), started.elapsed());
            }
            story(&desk).await
        })
        .catch_unwind()
        .await;
        if outcome.is_err() {
            let shot = format!("FAILED-{name}");
            if let Err(e) = desk.try_screenshot(&shot).await {
                eprintln!("[e2e] no failure screenshot: {e}");
            }
            let log = desk.driver.log_text();
            let tail: String = log
                .lines()
                .rev()
                .take(60)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n");
            eprintln!("[e2e] {name} failed; last lines of tauri-driver/app log:\n{tail}");
        }
        desk.close().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    });
}

/// Where screenshots and timings go: `$KD_E2E_SCREENSHOTS`, else
/// `$CARGO_TARGET_DIR/e2e-screenshots`.
pub fn artefact_dir() -> PathBuf {
    let dir = std::env::var_os("KD_E2E_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| launch::target_dir().join("e2e-screenshots"));
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// Prints a measured time and appends it to `timings.txt` beside the screenshots.
pub fn report_timing(what: &str, took: Duration) {
    let line = format!("{what}: {} ms", took.as_millis());
    println!("[e2e timing] {line}");
    let path = artefact_dir().join("timings.txt");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = writeln!(text, "{line}");
    let _ = std::fs::write(path, text);
}

impl Desk {
    /// Starts the app; returns it with the moment the WebDriver session was asked for (the
    /// app's launch).
    async fn launch(name: &str, database: Database, app_env: &[(&str, String)]) -> (Desk, Instant) {
        let (db, url) = match database {
            Database::Demo => {
                let db = launch::demo_database();
                let url = db.url();
                (Some(db), url)
            }
            Database::Unreachable => {
                let url = format!(
                    "postgres://postgres@127.0.0.1:{}/kammerdesk",
                    launch::free_port()
                );
                (None, url)
            }
            Database::Existing(url) => (None, url),
        };
        let smtp = TestSmtpServer::start();
        let mail_sender = db.as_ref().map(|_| {
            MailSender::start(
                &url,
                &smtp,
                &artefact_dir().join(format!("{name}-outbox.log")),
            )
        });
        let driver = Driver::start(&url, app_env);
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": launch::app_binary() }),
        );
        let started = Instant::now();
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no WebDriver session (the app did not start): {e}\n{}",
                    driver.log_text()
                )
            });
        let desk = Desk {
            client,
            name: name.to_string(),
            database_url: url,
            _db: db,
            smtp,
            _mail_sender: mail_sender,
            driver,
            launched: started,
        };
        (desk, started)
    }

    async fn close(self) {
        // Ends the session: WebKitWebDriver closes the app. The driver's Drop stops the rest.
        let Desk { client, driver, .. } = self;
        if let Err(e) = client.close().await {
            eprintln!("[e2e] closing the session: {e}");
        }
        drop(driver);
    }

    pub fn url(&self) -> String {
        self.database_url.clone()
    }

    // ----------------------------------------------------------------- waiting

    /// Polls `check` until it yields `Some`, or fails the test after `timeout` with `what`.
    pub async fn poll<T, F, Fut>(&self, what: &str, timeout: Duration, check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Option<T>>,
    {
        try_poll(timeout, check)
            .await
            .unwrap_or_else(|| panic!("waited {timeout:?} for {what}"))
    }

    /// Returns the first element matching `css` once it exists.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        let client = &self.client;
        self.poll(&format!("`{css}`"), timeout, move || async move {
            client.find(Locator::Css(css)).await.ok()
        })
        .await
    }

    pub async fn find(&self, css: &str) -> Element {
        self.wait_for(css, STEP).await
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let client = &self.client;
        self.poll(&format!("`{css}` to disappear"), STEP, move || async move {
            match client.find_all(Locator::Css(css)).await {
                Ok(found) if found.is_empty() => Some(()),
                _ => None,
            }
        })
        .await
    }

    /// Nothing matches `css` now (no waiting: for what must already be gone).
    pub async fn absent(&self, css: &str) -> bool {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("find elements")
            .is_empty()
    }

    /// Waits until the element's text contains `needle`; returns the whole text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let client = &self.client;
        let last = &Mutex::new(None::<String>);
        try_poll(STEP, move || async move {
            let el = client.find(Locator::Css(css)).await.ok()?;
            let text = el.text().await.ok()?;
            let hit = text.contains(needle);
            *last.lock().unwrap() = Some(text.clone());
            hit.then_some(text)
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "waited {STEP:?} for `{css}` to say “{needle}”; it says {:?}",
                last.lock().unwrap()
            )
        })
    }

    /// Waits until the element's attribute has `value`.
    pub async fn wait_attr(&self, css: &str, name: &str, value: &str) {
        let client = &self.client;
        let last = &Mutex::new(None::<Option<String>>);
        try_poll(STEP, move || async move {
            let el = client.find(Locator::Css(css)).await.ok()?;
            let got = el.attr(name).await.ok()?;
            let hit = got.as_deref() == Some(value);
            *last.lock().unwrap() = Some(got);
            hit.then_some(())
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "waited {STEP:?} for `{css}` {name}=“{value}”; it is {:?}",
                last.lock().unwrap()
            )
        })
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    /// Waits for an element that is enabled, then clicks it. A screen that reloads (a live
    /// change from another desk or the mail sender) may replace the element between finding
    /// and clicking it: then it is found again. Any other failure of the click fails the test.
    pub async fn click(&self, css: &str) {
        let client = &self.client;
        self.poll(
            &format!("`{css}` enabled and clicked"),
            STEP,
            move || async move {
                let el = client.find(Locator::Css(css)).await.ok()?;
                if !el.is_enabled().await.ok()? {
                    return None;
                }
                match el.click().await {
                    Ok(_) => Some(()),
                    Err(CmdError::Standard(e)) if e.error == ErrorStatus::StaleElementReference => {
                        None
                    }
                    Err(e) => panic!("click on `{css}`: {e:?}"),
                }
            },
        )
        .await;
    }

    /// Types into a field (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear()
            .await
            .unwrap_or_else(|e| panic!("clear `{css}`: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    /// Presses a chord (all keys down, then up) on whatever has the focus, e.g. Ctrl+K.
    pub async fn press(&self, chord: &[char]) {
        let mut actions = KeyActions::new("keyboard".to_string());
        for &k in chord {
            actions = actions.then(KeyAction::Down { value: k });
        }
        for &k in chord.iter().rev() {
            actions = actions.then(KeyAction::Up { value: k });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("key actions");
        self.client.release_actions().await.expect("release keys");
    }

    /// Types `text` key by key into whatever has the focus.
    pub async fn type_keys(&self, text: &str) {
        let mut actions = KeyActions::new("keyboard".to_string());
        for k in text.chars() {
            actions = actions
                .then(KeyAction::Down { value: k })
                .then(KeyAction::Up { value: k });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("key actions");
        self.client.release_actions().await.expect("release keys");
    }

    // ----------------------------------------------------------------- the shell

    /// Signs in on the sign-in screen.
    pub async fn fill_sign_in(&self, user: &str, password: &str) {
        self.type_into("#sign-in-username", user).await;
        self.type_into("#sign-in-password", password).await;
        self.click("#sign-in-submit").await;
    }

    /// Signs in and waits for the signed-in shell.
    pub async fn sign_in(&self, user: &str) {
        self.fill_sign_in(user, launch::DEMO_PASSWORD).await;
        self.wait_for("#main-nav", STEP).await;
        self.wait_text("#current-clerk", "").await;
    }

    /// Ctrl+K, as the hotline does: the Suche, with the focus in its field.
    pub async fn focus_search(&self) {
        self.press(&[keys::CONTROL, 'k']).await;
        self.find("#suche").await;
        let client = &self.client;
        self.poll("Ctrl+K to focus #search-input", STEP, move || async move {
            let active = client.active_element().await.ok()?;
            (active.attr("id").await.ok()?.as_deref() == Some("search-input")).then_some(())
        })
        .await;
    }

    /// „Code prüfen“ on the Antrag shown, with `code` as the caller reads it out; waits for
    /// the verdict „gültig“. Notices are closed first: they lie over the form's „Prüfen“.
    pub async fn check_code_valid(&self, code: &str) {
        self.close_notices().await;
        self.click("#action-check_code").await;
        self.type_into("#check-code-input", code).await;
        self.click("#check-code-submit").await;
        self.wait_attr("#check-code-result", "data-verdict", "valid")
            .await;
    }

    /// Signs out and waits for the sign-in screen.
    pub async fn sign_out(&self) {
        self.click("#sign-out").await;
        self.wait_for("#sign-in", STEP).await;
    }

    /// The notices of one kind currently shown, as text.
    /// Waits for a notice of `kind` that says `needle` and returns its text. Earlier notices
    /// may still be shown (they stay a while), so every notice of the kind is read, not the first.
    pub async fn wait_notice(&self, kind: &str, needle: &str) -> String {
        let client = &self.client;
        let css = format!("#notices .notice[data-kind=\"{kind}\"]");
        let seen = &Mutex::new(Vec::<String>::new());
        let css = css.as_str();
        try_poll(STEP, move || async move {
            let notices = client.find_all(Locator::Css(css)).await.ok()?;
            let mut texts = Vec::new();
            for notice in notices {
                texts.push(notice.text().await.ok()?);
            }
            let hit = texts.iter().find(|t| t.contains(needle)).cloned();
            *seen.lock().unwrap() = texts;
            hit
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "waited {STEP:?} for a {kind} notice saying “{needle}”; shown: {:?}",
                seen.lock().unwrap()
            )
        })
    }

    /// Closes every notice, as a clerk does when one lies over the control they want next
    /// (notices sit over the page's bottom right corner until they fade).
    pub async fn close_notices(&self) {
        let client = &self.client;
        self.poll("all notices closed", STEP, move || async move {
            let open = client
                .find_all(Locator::Css("#notices .notice-close"))
                .await
                .ok()?;
            if open.is_empty() {
                return Some(());
            }
            for close in open {
                // One may fade out by itself meanwhile: then it is gone, which is what we want.
                let _ = close.click().await;
            }
            None
        })
        .await;
    }

    /// Answers the confirmation dialog, with a reason when it asks for one.
    pub async fn confirm(&self, reason: Option<&str>) {
        self.find("#confirm-dialog[open]").await;
        if let Some(reason) = reason {
            self.type_into("#confirm-reason", reason).await;
        }
        self.click("#confirm-ok").await;
        self.wait_gone("#confirm-dialog[open]").await;
    }

    // ----------------------------------------------------------------- artefacts

    /// Saves a screenshot `<name>.png` of the window once the page has painted.
    pub async fn screenshot(&self, name: &str) {
        self.try_screenshot(name)
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    }

    async fn try_screenshot(&self, name: &str) -> Result<(), CmdError> {
        // A screenshot right after a DOM check may show the previous paint: wait two frames.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        let path = artefact_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| CmdError::NotW3C(json!(e.to_string())))?;
        Ok(())
    }

    // ----------------------------------------------------------------- outside the app

    /// The mail for Antrag `nr` whose code begins with `prefix`, once the mail sender
    /// service has delivered it to the test SMTP server and the Antrag's screen shows it sent.
    ///
    /// The server has the mail a moment before the sender records it as sent; the desk then
    /// reloads the Antrag, and the code card grows by the mail server's reply and moves the
    /// action buttons down. A click aimed at a button before that reload lands beside it once
    /// the page has moved (seen in CI: „Code prüfen“ clicked, no check form). So the test
    /// goes on only on the settled screen.
    pub async fn wait_for_code_mail(&self, nr: i64, prefix: &str) -> ReceivedMail {
        let prefix = &prefix.to_lowercase();
        let smtp = &self.smtp;
        let mail = self
            .poll(
                &format!("the code mail of Antrag {nr} with a code beginning {prefix}"),
                STEP,
                move || async move {
                    smtp.received().into_iter().rev().find(|m| {
                        m.header("X-KammerDesk-Antrag").as_deref() == Some(&nr.to_string())
                            && m.code().is_some_and(|c| c.starts_with(prefix))
                    })
                },
            )
            .await;
        // The card of this code, not of the one before (whose mail was sent too).
        self.wait_text("#code-prefix", prefix).await;
        self.wait_attr("#code-delivery", "data-delivery", "sent")
            .await;
        mail
    }
}

/// Polls `check` every 25 ms until it yields `Some`; `None` after `timeout`.
pub async fn try_poll<T, F, Fut>(timeout: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if start.elapsed() > timeout {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
