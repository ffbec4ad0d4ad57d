//! The clerk's stories (and the queue's export), as a person does them.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::harness::{Database, Desk, LAUNCH, STEP, keys, report_timing, run, run_from, run_with};
use crate::launch::kammerctl_ok;

pub(crate) const BETRIEB: &str = "2121155381";
pub(crate) const ANTRAG: i64 = 178;
const REQUESTER: &str = "justus.kraemer@example.org";

/// Ctrl+K → Betriebsnummer → Enter → the Betrieb; returns the time from Enter to the Betrieb
/// shown (and saves the Suche and Betrieb screenshots when `shots`).
pub(crate) async fn open_betrieb(desk: &Desk, shots: bool) -> Duration {
    desk.focus_search().await;
    desk.type_keys(BETRIEB).await;
    desk.find(&format!(
        "#search-results [data-betriebsnummer=\"{BETRIEB}\"][aria-selected=\"true\"]"
    ))
    .await;
    if shots {
        desk.screenshot("suche").await;
    }
    // In-page timing too: from the Enter keydown to the Betrieb's root element in the DOM.
    desk.client
        .execute(
            "window.__kdTiming = {};\
             window.addEventListener('keydown', e => { if (e.key === 'Enter' && !window.__kdTiming.enter) window.__kdTiming.enter = performance.now(); }, true);\
             const sel = arguments[0];\
             const shown = () => { const e = document.querySelector(sel); return e && e.textContent.includes('@'); };\
             const obs = new MutationObserver(() => { if (shown()) { window.__kdTiming.shown = performance.now(); obs.disconnect(); } });\
             obs.observe(document.documentElement, { childList: true, subtree: true, attributes: true });",
            vec![serde_json::json!(format!(
                "#betrieb[data-betriebsnummer=\"{BETRIEB}\"] #betrieb-email"
            ))],
        )
        .await
        .expect("timing hooks");
    let enter = Instant::now();
    desk.press(&[keys::ENTER]).await;
    // Shown = the Betrieb's Stammdaten are there (its e-mail address on file), not a spinner.
    desk.wait_text(
        &format!("#betrieb[data-betriebsnummer=\"{BETRIEB}\"] #betrieb-email"),
        "@",
    )
    .await;
    let took = enter.elapsed();
    let in_page = desk
        .client
        .execute(
            "const t = window.__kdTiming || {}; return (t.shown && t.enter) ? t.shown - t.enter : null;",
            vec![],
        )
        .await
        .expect("timing read");
    if let Some(ms) = in_page.as_f64() {
        report_timing(
            &format!(
                "{}: Enter in Suche → Betrieb shown (in the page)",
                desk.name
            ),
            Duration::from_micros((ms * 1000.0) as u64),
        );
    }
    report_timing(
        &format!(
            "{}: Enter in Suche → Betrieb shown (through WebDriver)",
            desk.name
        ),
        took,
    );
    desk.find("#betrieb-stammdaten").await;
    desk.wait_text("#betrieb-email", "@").await;
    if shots {
        desk.screenshot("betrieb").await;
    }
    took
}

/// From the Betrieb to its Antrag 178, waiting for the code panel and the actions.
pub(crate) async fn open_antrag(desk: &Desk) {
    // The row is a focusable table row: opened with Enter, as the keyboard does (WebKitWebDriver
    // cannot click a <tr> itself, only its cells).
    desk.find(&format!("#betrieb-antraege [data-antrag-nr=\"{ANTRAG}\"]"))
        .await
        .send_keys(&keys::ENTER.to_string())
        .await
        .expect("Enter on the Antrag's row");
    desk.find(&format!("#antrag[data-antrag-nr=\"{ANTRAG}\"]"))
        .await;
    desk.wait_text(
        "#antrag-heading",
        "Antrag Nr. 178, gesendet am 12.01.2024, 07:23:17",
    )
    .await;
    desk.find("#code-panel").await;
    desk.find("#action-approve").await;
}

/// Signs in as `clerk` and opens Antrag 178 through its Betrieb (saving the Suche and Betrieb
/// screenshots when `shots`).
pub(crate) async fn open_antrag_as(desk: &Desk, clerk: &str, shots: bool) {
    desk.sign_in(clerk).await;
    open_betrieb(desk, shots).await;
    open_antrag(desk).await;
}

/// Not a story: the built app starts under tauri-driver with its bundled front end (no dev
/// server), and paints its first screen.
#[test]
fn the_built_app_starts_with_its_bundled_front_end() {
    run_from("launch", None, async |desk| {
        let client = &desk.client;
        desk.poll("the bundled page to load", LAUNCH, move || async move {
            let state = client
                .execute("return document.readyState", vec![])
                .await
                .ok()?;
            (state == "complete").then_some(())
        })
        .await;
        let url = desk.client.current_url().await.expect("page address");
        assert!(
            url.scheme() == "tauri" || url.host_str() == Some("tauri.localhost"),
            "served by the custom protocol, not a dev server: {url}"
        );
        // The window is named after the screen (ui/src/lib/window-title.ts).
        assert_eq!(desk.client.title().await.unwrap(), "Anmeldung – KammerDesk");
        desk.poll("the front end to render", STEP, move || async move {
            let text = client
                .execute("return document.body.innerText.trim().length", vec![])
                .await
                .ok()?;
            (text.as_u64()? > 0).then_some(())
        })
        .await;
        report_timing("launch → bundled page rendered", desk.launched.elapsed());
        desk.screenshot("start").await;
    });
}

/// An unreachable database: a German message and "Erneut versuchen", which tries again
/// (and, the database still being down, says so again).
#[test]
fn unreachable_database_is_explained_in_german() {
    run_with(
        "unreachable_database",
        None,
        Database::Unreachable,
        async |desk| {
            let message = desk.wait_text("#connection-error", "Datenbank").await;
            assert!(
                !message.contains("Connection refused") && !message.contains("error"),
                "no internals for the clerk: {message:?}"
            );
            assert_eq!(
                desk.find("#connection-error")
                    .await
                    .attr("role")
                    .await
                    .unwrap(),
                Some("alert".into())
            );
            desk.screenshot("keine-datenbank").await;
            desk.click("#connection-retry").await;
            // The retry runs and fails again: the button is usable again, the error stays.
            desk.wait_attr("#connection-retry", "aria-disabled", "false")
                .await;
            desk.wait_text("#connection-error", "Datenbank").await;
        },
    );
}

/// Story (b): a wrong password gives the German message and no session.
#[test]
fn wrong_password_is_refused_in_german() {
    run("wrong_password", async |desk| {
        desk.screenshot("sign-in").await;
        desk.fill_sign_in("sb.mueller", "falsches-passwort").await;
        let message = desk
            .wait_text("#sign-in-error", "Benutzername oder Passwort ist falsch")
            .await;
        assert!(!message.contains("forbidden"), "{message}");
        assert_eq!(
            desk.find("#sign-in-error")
                .await
                .attr("role")
                .await
                .unwrap(),
            Some("alert".into())
        );
        assert!(
            desk.absent("#main-nav").await,
            "no navigation without a session"
        );
        // The right password still works afterwards.
        desk.sign_in("sb.mueller").await;
        desk.wait_text("#current-clerk", "Sachbearbeitung").await;
    });
}

/// Story (a): resend the code, read it from the mail, check it, confirm the Zuordnung without
/// the code entered in the portal: Sachbearbeitung asks, a second person (here the
/// administration) confirms — four eyes, as the chamber's default policy demands.
#[test]
fn resend_check_and_confirm_the_zuordnung() {
    run("resend_check_confirm", async |desk| {
        open_antrag_as(desk, "sb.mueller", true).await;
        desk.wait_attr("#antrag", "data-status", "awaiting_code")
            .await;
        desk.wait_text("#antrag-status", "Freigabeschlüssel notwendig")
            .await;
        desk.screenshot("antrag").await;

        let old_prefix = desk.text("#code-prefix").await;
        desk.click("#action-resend_code").await;
        desk.confirm(Some("Anruf: Code nicht erhalten")).await;
        // Read at once: a success notice fades after 8 s, and the mail below may take a while.
        desk.wait_notice("success", "Neuer Code").await;
        let client = &desk.client;
        let old = old_prefix.as_str();
        let prefix = desk
            .poll(
                "a new code prefix after the resend",
                STEP,
                move || async move {
                    let text = client
                        .find(Locator::Css("#code-prefix"))
                        .await
                        .ok()?
                        .text()
                        .await
                        .ok()?;
                    let prefix: String = text.chars().filter(char::is_ascii_hexdigit).collect();
                    (prefix.len() >= 6 && text != old).then_some(prefix)
                },
            )
            .await;

        // The mail sender service (not the desk) delivers it to the test SMTP server.
        let mail = desk.wait_for_code_mail(ANTRAG, &prefix).await;
        assert_eq!(mail.rcpt_tos, ["info@testbetrieb.example"]);
        let code = mail.code().expect("the mail carries the code");
        desk.check_code_valid(&code).await;
        desk.screenshot("antrag-code-geprueft").await;

        desk.click("#action-approve").await;
        desk.confirm(Some("Code am Telefon geprüft")).await;
        desk.wait_notice("success", "zweite Person").await;
        desk.wait_text("#antrag-second-approval", "Sabine Müller")
            .await;
        desk.wait_attr("#antrag", "data-status", "awaiting_code")
            .await;
        // The same clerk cannot give the second confirmation; the button says why.
        let own = desk.find("#action-approve").await;
        assert!(
            !own.is_enabled().await.unwrap(),
            "no second confirmation by oneself"
        );
        desk.screenshot("antrag-vier-augen").await;

        desk.sign_out().await;
        open_antrag_as(desk, "admin", false).await;
        desk.wait_text("#antrag-second-approval", "Sabine Müller")
            .await;
        desk.click("#action-approve").await;
        desk.wait_text("#confirm-dialog[open]", "Zweite Bestätigung")
            .await;
        desk.confirm(None).await;
        desk.wait_attr("#antrag", "data-status", "approved").await;

        desk.click("#antrag-betrieb").await;
        desk.find(&format!("#betrieb[data-betriebsnummer=\"{BETRIEB}\"]"))
            .await;
        desk.wait_text("#betrieb-zuordnungen", REQUESTER).await;
        desk.wait_attr(
            &format!("#betrieb-antraege [data-antrag-nr=\"{ANTRAG}\"]"),
            "data-status",
            "approved",
        )
        .await;
        desk.screenshot("betrieb-zugeordnet").await;
    });
}

/// Story (c): the hotline may check and resend, not confirm; the button says why.
#[test]
fn hotline_cannot_confirm() {
    run("hotline_cannot_confirm", async |desk| {
        open_antrag_as(desk, "hl.schmidt", false).await;
        desk.wait_text("#current-clerk", "Hotline").await;
        let approve = desk.find("#action-approve").await;
        assert!(!approve.is_enabled().await.unwrap(), "approve is disabled");
        let title = approve.attr("title").await.unwrap().unwrap_or_default();
        assert!(title.contains("Hotline"), "tooltip says why: {title:?}");
        // …and visible text, which a screen reader reads as the button's description.
        let described_by = approve
            .attr("aria-describedby")
            .await
            .unwrap()
            .expect("the disabled button names its reason");
        let reason = desk.text(&format!("#action-reasons #{described_by}")).await;
        assert!(
            reason.contains("Zuordnung bestätigen") && reason.contains("Hotline"),
            "{reason}"
        );
        assert!(
            desk.find("#action-check_code")
                .await
                .is_enabled()
                .await
                .unwrap()
        );
        assert!(
            desk.find("#action-resend_code")
                .await
                .is_enabled()
                .await
                .unwrap()
        );
    });
}

/// Story (d): rejected through kammerctl while the clerk has the approval open → conflict
/// notice, and the Antrag shows the new state.
#[test]
fn approved_meanwhile_gives_a_conflict() {
    run("conflict", async |desk| {
        open_antrag_as(desk, "sb.mueller", false).await;
        desk.wait_attr("#antrag", "data-status", "awaiting_code")
            .await;
        // The clerk has the confirmation open when another clerk decides.
        desk.click("#action-approve").await;
        desk.find("#confirm-dialog[open]").await;
        desk.type_into("#confirm-reason", "Betrieb hat angerufen")
            .await;
        kammerctl_ok(
            &desk.url(),
            &[
                "antrag",
                "reject",
                "178",
                "--reason",
                "Kollegin war schneller: Betrieb kennt die Person nicht",
            ],
        );
        desk.click("#confirm-ok").await;
        desk.wait_notice("conflict", "Abgelehnt").await;
        desk.wait_attr("#antrag", "data-status", "rejected").await;
        assert!(
            !desk
                .find("#action-approve")
                .await
                .is_enabled()
                .await
                .unwrap()
        );
        desk.screenshot("antrag-konflikt").await;
    });
}

/// The number in an element's text ("1.234" → 1234).
async fn number(desk: &Desk, css: &str) -> u64 {
    let text = desk.text(css).await;
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("`{css}` holds no number: {text:?}"))
}

/// Opens the queue and waits for its first rows.
async fn open_queue(desk: &Desk) {
    desk.click("#nav-antraege").await;
    desk.find("#antraege").await;
    desk.find("#antraege-list [data-antrag-nr]").await;
    desk.find("#antraege-total").await;
}

/// Story (e): the queue follows a change made through kammerctl, without a reload.
#[test]
fn queue_updates_live() {
    run("queue_live", async |desk| {
        desk.sign_in("sb.mueller").await;
        open_queue(desk).await;
        let css_count = "[data-status-count=\"awaiting_code\"]";
        let before = number(desk, css_count).await;
        assert!(before > 0);
        desk.screenshot("antraege").await;

        kammerctl_ok(
            &desk.url(),
            &[
                "antrag",
                "withdraw",
                "178",
                "--reason",
                "Antragsteller hat angerufen",
            ],
        );
        let client = &desk.client;
        desk.poll(
            "the awaiting_code count to drop by one",
            STEP,
            move || async move {
                let text = client
                    .find(Locator::Css(css_count))
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                (digits.parse::<u64>().ok()? == before - 1).then_some(())
            },
        )
        .await;
        // Its row shows the new state, or has left a filter that no longer matches it.
        let row = format!("#antraege-list [data-antrag-nr=\"{ANTRAG}\"]");
        desk.poll("Antrag 178's row to follow", STEP, move || {
            let row = row.clone();
            async move {
                let rows = client.find_all(Locator::Css(&row)).await.ok()?;
                match rows.first() {
                    None => Some(()),
                    Some(r) => (r.attr("data-status").await.ok()?.as_deref() == Some("withdrawn"))
                        .then_some(()),
                }
            }
        })
        .await;
    });
}

/// The queue exported as German Excel CSV (KAMMERDESK_EXPORT_DIR skips the save
/// dialog); and the Monatsbericht's screenshot.
#[test]
fn queue_exports_to_csv_and_monatsbericht_shows() {
    run("export_csv", async |desk| {
        desk.sign_in("sb.mueller").await;
        open_queue(desk).await;
        let total = number(desk, "#antraege-total").await;
        assert!(total > 0);
        desk.click("#export-csv").await;
        let dir = desk.driver.export_dir.clone();
        let dir = &dir;
        let path = desk
            .poll("the exported CSV file", STEP, move || async move {
                std::fs::read_dir(dir)
                    .ok()?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .find(|p| {
                        p.extension().is_some_and(|x| x == "csv")
                            && !p.file_name().unwrap().to_string_lossy().starts_with('.')
                    })
            })
            .await;
        desk.wait_notice("success", "exportiert nach").await;
        let bytes = std::fs::read(&path).expect("export file");
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "Excel dialect has a BOM"
        );
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(&bytes[3..]);
        let header = reader.headers().expect("header").clone();
        assert_eq!(header.get(0), Some("Antrag Nr."), "{header:?}");
        assert!(header.len() >= 10, "{header:?}");
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("CSV row")).collect();
        assert_eq!(rows.len() as u64, total, "the file holds the filtered list");
        for row in &rows {
            assert_eq!(row.len(), header.len());
            row[0].parse::<u64>().expect("Antrag Nr. is a number");
        }

        desk.click("#nav-monatsbericht").await;
        desk.find("#monatsbericht").await;
        desk.find("#report-table").await;
        let chart = desk.find("#report-chart").await;
        desk.screenshot("monatsbericht").await;
        // The chart sits below the table: bring it into view for its own screenshot
        // (docs/exports-and-report.md shows it).
        desk.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![serde_json::to_value(&chart).expect("element reference")],
            )
            .await
            .expect("chart scrolled into view");
        desk.screenshot("monatsbericht-diagramm").await;
    });
}

/// The Administration loads a delta of the Handwerksrolle (KAMMERDESK_IMPORT_FILE stands in
/// for the open dialog): „Prüfen“ lists the Testbetrieb's new e-mail address, old → new,
/// „Übernehmen“ applies it, the Betrieb shows the new address and the Stand, and Antrag 178
/// — whose code went to the old address — says a new code is needed.
#[test]
fn admin_imports_the_handwerksrolle() {
    const OLD: &str = "info@testbetrieb.example";
    const NEW: &str = "post@testbetrieb.example";
    run("handwerksrolle_import", async |desk| {
        // The chamber's export, as Excel writes it: BOM, `;`, CRLF.
        std::fs::write(
            &desk.driver.import_file,
            format!(
                "\u{feff}Betriebsnummer;Firmenname;Inhaber;Straße;PLZ;Ort;Gewerk;E-Mail;Betriebsnummer des Hauptsitzes;Löschdatum\r\n\
                 {BETRIEB};Testbetrieb;Max Mustermann;Musterstraße 1;44135;Dortmund;Elektrotechniker;{NEW};;\r\n"
            ),
        )
        .expect("import file written");

        desk.sign_in("admin").await;
        desk.click("#nav-handwerksrolle").await;
        desk.find("#handwerksrolle").await;
        desk.find("#hwr-imports-empty").await;
        desk.click("#hwr-choose").await;
        desk.wait_text("#hwr-file", "handwerksrolle.csv").await;
        desk.click("#hwr-mode-delta").await;
        desk.click("#hwr-check").await;

        let row =
            format!("#hwr-changes tr[data-kind=\"changed\"][data-betriebsnummer=\"{BETRIEB}\"]");
        let text = desk.wait_text(&row, NEW).await;
        assert!(
            text.contains(&format!("E-Mail: {OLD} → {NEW}")) && text.contains("Zeile 2"),
            "{text}"
        );
        desk.wait_attr("#hwr-preview", "data-refused", "false")
            .await;
        desk.wait_text(
            "#hwr-counts",
            "1 Zeile: 0 neu · 1 geändert (E-Mail-Adresse: 1)",
        )
        .await;
        desk.screenshot("handwerksrolle-probelauf").await;

        desk.click("#hwr-apply").await;
        let done = desk
            .wait_text("#hwr-result", "Handwerksrolle übernommen")
            .await;
        assert!(
            done.contains("1 Bestätigungs-Code ungültig gemacht"),
            "{done}"
        );
        desk.wait_notice("success", "Handwerksrolle übernommen")
            .await;
        desk.wait_gone("#hwr-preview").await;
        let record = desk
            .wait_text("#hwr-imports-list tr[data-import-id]", "handwerksrolle.csv")
            .await;
        assert!(record.contains("Andrea Vogt"), "who imported: {record}");
        desk.screenshot("handwerksrolle-uebernommen").await;
        desk.close_notices().await;

        open_betrieb(desk, false).await;
        desk.wait_text("#betrieb-email", NEW).await;
        let stand = desk.text("#betrieb-stand").await;
        assert!(
            stand.len() == 10 && stand.chars().filter(|c| *c == '.').count() == 2,
            "Stand der Handwerksrolle as a German date: {stand:?}"
        );
        assert!(desk.absent("#betrieb-geloescht").await, "not gelöscht");
        desk.screenshot("betrieb-nach-import").await;

        open_antrag(desk).await;
        desk.wait_text(
            "#antrag-notice",
            "E-Mail-Adresse in der Handwerksrolle geändert am",
        )
        .await;
        desk.wait_text(
            "#code-state",
            "E-Mail-Adresse in der Handwerksrolle geändert",
        )
        .await;
        desk.screenshot("antrag-neuer-code-noetig").await;

        // The Sachbearbeitung sees what was imported, but imports nothing; the Hotline not even that.
        desk.sign_out().await;
        desk.sign_in("sb.mueller").await;
        desk.click("#nav-handwerksrolle").await;
        desk.wait_text("#hwr-imports-list tr[data-import-id]", "Andrea Vogt")
            .await;
        assert!(
            desk.absent("#hwr-import").await,
            "no import controls for the Sachbearbeitung"
        );
        desk.sign_out().await;
        desk.sign_in("hl.schmidt").await;
        assert!(
            desk.absent("#nav-handwerksrolle").await,
            "no Handwerksrolle for the Hotline"
        );
    });
}
