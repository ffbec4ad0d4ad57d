//! What the chamber's IT relies on at a shared desk: a signed-out desk cannot repoint the
//! database (neither through the screen nor by calling the command from the web view), an
//! idle desk signs out by itself and ends its database session, and a second start hands
//! over to the running window instead of opening another.

use std::time::{Duration, Instant};

use kammer_testkit::psql;
use serde_json::{Value, json};

use crate::harness::{Desk, STEP, run, run_with_app_env};
use crate::launch::{DEMO_PASSWORD, SessionBus};
use crate::stories::{ANTRAG, open_antrag_as};

/// The settings as the desk reads them, through the same IPC door the screen uses.
async fn invoke(desk: &Desk, command: &str, args: Value) -> Result<Value, Value> {
    let reply = desk
        .client
        .execute_async(
            "const [command, args, done] = arguments;\
             window.__TAURI_INTERNALS__.invoke(command, args)\
               .then((ok) => done({ ok }), (err) => done({ err }));",
            vec![json!(command), args],
        )
        .await
        .expect("the script runs");
    match reply.get("ok") {
        Some(ok) => Ok(ok.clone()),
        None => Err(reply["err"].clone()),
    }
}

#[test]
fn a_signed_out_desk_cannot_change_the_connection() {
    run("signed_out_settings", async |desk| {
        desk.click("#sign-in-settings").await;
        desk.find("#einstellungen").await;
        desk.wait_text(
            "#settings-note",
            "nur die Administration nach der Anmeldung",
        )
        .await;
        assert!(
            desk.absent("#settings-save").await,
            "no „Speichern“ before sign-in"
        );
        // Read through the page: the fields lie in a disabled fieldset, which WebKitWebDriver's
        // „is enabled“ does not look at.
        for field in ["#db-host", "#db-port", "#db-name", "#db-tls"] {
            desk.find(field).await;
            let disabled = desk
                .client
                .execute(
                    "return document.querySelector(arguments[0]).matches(':disabled');",
                    vec![json!(field)],
                )
                .await
                .unwrap();
            assert_eq!(disabled, json!(true), "{field} is editable before sign-in");
        }
        desk.screenshot("einstellungen-abgemeldet").await;

        // Past the screen: the command itself, called from the web view as malware would.
        let before = invoke(desk, "load_settings", json!({}))
            .await
            .expect("the settings are readable");
        let mut forged = before.clone();
        forged["database"]["host"] = json!("angreifer.example");
        forged["database"]["tls_mode"] = json!("disable");
        // Saving the forged settings is refused with `why`, and nothing is saved.
        let save_is_refused = async |why: &str| {
            let refused = invoke(desk, "save_settings", json!({ "settings": forged }))
                .await
                .expect_err("saving the forged settings is refused");
            assert_eq!(refused["kind"], "forbidden", "{refused}");
            assert!(
                refused["message"].as_str().unwrap().contains(why),
                "{refused}"
            );
            let after = invoke(desk, "load_settings", json!({})).await.unwrap();
            assert_eq!(after, before, "nothing was saved");
        };
        save_is_refused("melden Sie sich zuerst an").await;

        // Back, and the sign-in still goes to the test's database.
        desk.click("#back").await;
        desk.sign_in("sb.mueller").await;
        desk.wait_text("#current-clerk", "Sachbearbeitung").await;

        // Signed in, but not the administration: the command refuses just the same.
        save_is_refused("ändert nur die Administration").await;
    });
}

/// The backends of the clerk's own login on the test's database.
fn sessions_of(desk: &Desk, login: &str) -> i64 {
    psql(
        &desk.url(),
        &format!(
            "select count(*) from pg_stat_activity \
             where datname = current_database() and usename = '{login}' and pid <> pg_backend_pid()"
        ),
    )
    .parse()
    .expect("a count")
}

#[test]
fn an_idle_desk_signs_out_and_ends_its_session() {
    const IDLE_SECONDS: u64 = 4;
    let env = [("KAMMERDESK_IDLE_SIGN_OUT_SECONDS", IDLE_SECONDS.to_string())];
    run_with_app_env("idle_sign_out", &env, async |desk| {
        // Measured from before the sign-in: the desk's idle clock starts as the clerk is set,
        // a moment before the navigation shows.
        let signed_in = Instant::now();
        desk.sign_in("hl.schmidt").await;
        let login = desk.text("#current-clerk").await;
        assert!(login.contains("Hotline"), "{login}");
        assert!(
            sessions_of(desk, "hl.schmidt") > 0,
            "the clerk's own database session while signed in"
        );

        // No input: the sign-in screen comes back by itself, and says why.
        desk.wait_for("#sign-in", STEP).await;
        let idle = signed_in.elapsed();
        assert!(
            idle >= Duration::from_secs(IDLE_SECONDS),
            "signed out after {idle:?}, before the configured {IDLE_SECONDS} s"
        );
        desk.wait_notice("info", "Sekunden ohne Eingabe abgemeldet")
            .await;
        assert!(
            desk.absent("#main-nav").await,
            "nothing of the clerk's screen is left"
        );
        // The database session ended too, not only the screen.
        desk.poll("the clerk's database session to end", STEP, || async {
            (sessions_of(desk, "hl.schmidt") == 0).then_some(())
        })
        .await;
    });
}

#[test]
fn a_second_start_brings_the_running_desk_forward() {
    let bus = SessionBus::start();
    let env = [("DBUS_SESSION_BUS_ADDRESS", bus.address.clone())];
    run_with_app_env("second_start", &env, async |desk| {
        desk.sign_in("sb.mueller").await;
        // The second start finds the first on the session bus, hands over and exits.
        let started = Instant::now();
        let mut second = desk
            .driver
            .app_command()
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("a second start");
        let status = loop {
            if let Some(status) = second.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > STEP {
                let _ = second.kill();
                panic!("the second start still runs after {STEP:?}: it opened a second desk");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(status.success(), "the second start exited with {status}");
        desk.poll("the running desk to log the hand-over", STEP, || async {
            desk.driver
                .app_log_text()
                .contains("KammerDesk started a second time")
                .then_some(())
        })
        .await;
        // The first desk is still there, signed in, and no second window was opened. (Being
        // raised above other windows needs a window manager, which Xvfb has not: see
        // docs/deployment.md.)
        desk.wait_text("#current-clerk", "Sachbearbeitung").await;
        assert_eq!(desk.client.windows().await.unwrap().len(), 1);
    });
}

/// IT may turn the desk's log up to everything and still find no secret in it: not the
/// code a caller reads out (it crosses the IPC for „Code prüfen“), not the password of the
/// sign-in. The resent code itself never reaches the desk; the mail sender's log is checked
/// by kammer-cli's `a_trace_log_holds_no_code_no_mail_text_and_no_password`.
#[test]
fn a_trace_log_of_the_desk_holds_no_code_and_no_password() {
    let env = [("RUST_LOG", "trace".to_string())];
    run_with_app_env("desk_trace_log", &env, async |desk| {
        open_antrag_as(desk, "hl.schmidt", false).await;
        desk.click("#action-resend_code").await;
        desk.confirm(Some("Anruf: Code nicht erhalten")).await;
        let notice = desk.wait_notice("success", "Neuer Code").await;
        let prefix: String = notice
            .split("beginnt mit ")
            .nth(1)
            .expect("the notice names the prefix")
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        let code = desk
            .wait_for_code_mail(ANTRAG, &prefix)
            .await
            .code()
            .expect("the mail carries the code");
        desk.check_code_valid(&code).await;

        let log = desk.driver.app_log_text();
        let verbose = log
            .lines()
            .filter(|l| l.contains("TRACE") || l.contains("DEBUG"))
            .count();
        assert!(
            verbose > 20,
            "the trace log is really on: {verbose} of {} lines",
            log.lines().count()
        );
        let code_upper = code.to_uppercase();
        for secret in [code.as_str(), code_upper.as_str(), DEMO_PASSWORD] {
            let hits: Vec<&str> = log.lines().filter(|l| l.contains(secret)).collect();
            assert!(hits.is_empty(), "{secret:?} in the desk's log: {hits:#?}");
        }
    });
}
