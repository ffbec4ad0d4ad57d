//! The hotline's shortcuts and the queue as a clerk expects it: an Antrag opened by its
//! number from the Suche, copy buttons that really fill the clipboard, the keyboard's help,
//! filters remembered per clerk, the print stylesheet and a layout that holds at 200 % zoom.

use std::process::Command;

use serde_json::{Value, json};

use crate::harness::{Desk, STEP, keys, run};
use crate::stories::{ANTRAG, open_antrag_as};

/// The X clipboard of the test's display, as another program reads it after a copy.
fn clipboard() -> Option<String> {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .expect("xclip (Debian package xclip; scripts/setup.sh installs it)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn script(desk: &Desk, js: &str) -> Value {
    desk.client
        .execute(js, vec![])
        .await
        .unwrap_or_else(|e| panic!("{js}: {e}"))
}

#[test]
fn the_hotline_opens_an_antrag_by_number_and_copies_it() {
    run("hotline_shortcuts", async |desk| {
        desk.sign_in("hl.schmidt").await;
        desk.focus_search().await;
        // „178“ offers the Antrag beside the Betriebe beginning with 178.
        desk.type_keys("178").await;
        desk.wait_text(
            &format!("#search-results [data-antrag-nr=\"{ANTRAG}\"]"),
            "Antrag Nr. 178",
        )
        .await;
        // „A178“ + Enter goes straight there.
        desk.type_into("#search-input", "A178").await;
        desk.press(&[keys::ENTER]).await;
        desk.find(&format!("#antrag[data-antrag-nr=\"{ANTRAG}\"]"))
            .await;
        desk.wait_text("#antrag-heading", "Antrag Nr. 178").await;
        // The window is named after the Antrag, and the focus is on its heading.
        desk.poll("the window title", STEP, || async {
            (desk.client.title().await.ok()? == "Antrag Nr. 178 – KammerDesk").then_some(())
        })
        .await;
        desk.poll("the focus on the Antrag's heading", STEP, || async {
            let id = script(
                desk,
                "return document.activeElement && document.activeElement.id;",
            )
            .await;
            (id == json!("antrag-heading")).then_some(())
        })
        .await;

        // A copy button fills the real clipboard, which another program reads back.
        desk.click("#copy-antrag-nr").await;
        desk.find("#copy-antrag-nr[data-copied=\"true\"]").await;
        desk.poll("the clipboard to hold 178", STEP, || async {
            (clipboard()?.trim() == "178").then_some(())
        })
        .await;
        desk.click("#copy-code-prefix").await;
        let prefix = desk.text("#code-prefix").await;
        desk.poll("the clipboard to hold the code prefix", STEP, || async {
            (clipboard()?.trim() == prefix.trim()).then_some(())
        })
        .await;

        // F1: the shortcuts, from the one list; Escape closes.
        desk.press(&['\u{E031}']).await; // F1
        desk.find("#help-dialog[open]").await;
        for shortcut in ["search", "back", "reload", "help"] {
            desk.find(&format!("#help-shortcuts tr[data-shortcut=\"{shortcut}\"]"))
                .await;
        }
        desk.press(&['\u{E00C}']).await; // Escape
        desk.wait_gone("#help-dialog[open]").await;

        // Alt+← goes back to the Suche.
        desk.press(&['\u{E00A}', '\u{E012}']).await; // Alt, ArrowLeft
        desk.find("#suche").await;
    });
}

#[test]
fn queue_filters_are_remembered_per_clerk() {
    run("queue_remembered", async |desk| {
        let open_queue = async |desk: &Desk| {
            desk.click("#nav-antraege").await;
            desk.find("#antraege-list [data-antrag-nr]").await;
        };
        desk.sign_in("sb.mueller").await;
        open_queue(desk).await;
        desk.find("#sort-sent-at[data-order=\"oldest_first\"]")
            .await;

        // „Betrieb“ sorts by Betriebsnummer, both ways; the head says which way.
        for (order, aria) in [
            ("betrieb_ascending", "ascending"),
            ("betrieb_descending", "descending"),
        ] {
            desk.click("#sort-betrieb").await;
            desk.wait_attr("#sort-betrieb", "data-order", order).await;
            desk.poll(&format!("the rows in {order} order"), STEP, || async {
                let shown: Vec<String> = desk
                    .client
                    .execute(
                        "return [...document.querySelectorAll('#antraege-list .betrieb .muted')]\
                         .map((e) => e.textContent.trim());",
                        vec![],
                    )
                    .await
                    .ok()?
                    .as_array()?
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                let mut sorted = shown.clone();
                sorted.sort();
                if aria == "descending" {
                    sorted.reverse();
                }
                // More than one Betrieb, or the check would prove nothing.
                (shown.len() > 5 && shown.first() != shown.last() && shown == sorted).then_some(())
            })
            .await;
            let head = desk
                .client
                .find(fantoccini::Locator::Css("#sort-betrieb"))
                .await
                .unwrap();
            let column = head.find(fantoccini::Locator::XPath("..")).await.unwrap();
            assert_eq!(
                column.attr("aria-sort").await.unwrap().as_deref(),
                Some(aria)
            );
        }
        desk.click("#sort-sent-at").await;
        desk.find("#sort-sent-at[data-order=\"oldest_first\"]")
            .await;
        desk.click("#sort-sent-at").await;
        desk.find("#sort-sent-at[data-order=\"newest_first\"]")
            .await;

        // The same clerk finds the queue as she left it.
        desk.sign_out().await;
        desk.sign_in("sb.mueller").await;
        open_queue(desk).await;
        desk.find("#sort-sent-at[data-order=\"newest_first\"]")
            .await;

        // Another clerk at the same desk does not.
        desk.sign_out().await;
        desk.sign_in("admin").await;
        open_queue(desk).await;
        desk.find("#sort-sent-at[data-order=\"oldest_first\"]")
            .await;

        // „Filter zurücksetzen“ brings the first clerk back to the default.
        desk.sign_out().await;
        desk.sign_in("sb.mueller").await;
        open_queue(desk).await;
        desk.click("#filter-reset").await;
        desk.find("#sort-sent-at[data-order=\"oldest_first\"]")
            .await;

        // A search by number is not hidden by the status filter: with only „Abgelehnt“
        // ticked, Antrag 178 (awaiting its code) is still found by its number.
        for status in ["awaiting_code", "in_review", "rejected"] {
            desk.click(&format!("input[name=\"status\"][value=\"{status}\"]"))
                .await;
        }
        desk.wait_gone(&format!("#antraege-list [data-antrag-nr=\"{ANTRAG}\"]"))
            .await;
        desk.type_into("#filter-search", "178").await;
        desk.find("#status-filter-paused").await;
        desk.find(&format!("#antraege-list [data-antrag-nr=\"{ANTRAG}\"]"))
            .await;

        // The hotline may not export; the disabled button says why in kammer-core's words,
        // from the permissions the database gave at sign-in.
        desk.sign_out().await;
        desk.sign_in("hl.schmidt").await;
        open_queue(desk).await;
        desk.wait_attr(
            "#export-csv",
            "title",
            "Ihre Rolle „Hotline“ darf keine Exporte erstellen.",
        )
        .await;
        assert!(!desk.find("#export-csv").await.is_enabled().await.unwrap());
    });
}

#[test]
fn the_antrag_prints_and_holds_at_double_zoom() {
    run("print_and_zoom", async |desk| {
        open_antrag_as(desk, "sb.mueller", false).await;
        desk.find("#print").await;
        // The print stylesheet: rules for paper, and the header only paper shows.
        let print_rules = script(
            desk,
            "let n = 0; for (const sheet of document.styleSheets) { for (const rule of sheet.cssRules) {\
               if (rule instanceof CSSMediaRule && rule.media.mediaText.includes('print')) n += rule.cssRules.length;\
               if (rule instanceof CSSPageRule) n += 1; } } return n;",
        )
        .await;
        assert!(
            print_rules.as_u64().unwrap() > 5,
            "print rules: {print_rules}"
        );
        let header_hidden = script(
            desk,
            "const h = document.querySelector('#print-header'); return h !== null && getComputedStyle(h).display === 'none';",
        )
        .await;
        assert_eq!(header_hidden, json!(true), "#print-header only on paper");
        // …naming the chamber as its policy does.
        let chamber = kammer_testkit::psql(&desk.url(), "select chamber_name from policy");
        let header = script(
            desk,
            "return document.querySelector('#print-header').textContent;",
        )
        .await;
        assert!(
            header.as_str().unwrap().contains(chamber.trim()),
            "{header} names {chamber}"
        );

        // Ctrl+Plus five times: 100 % → 200 % (20 % a step), the web view's real zoom.
        let width = |desk: &Desk| {
            let client = desk.client.clone();
            async move {
                client
                    .execute("return window.innerWidth;", vec![])
                    .await
                    .unwrap()
                    .as_f64()
                    .unwrap()
            }
        };
        let before = width(desk).await;
        for _ in 0..5 {
            desk.press(&[keys::CONTROL, '=']).await;
        }
        desk.poll("the page to zoom to 200 %", STEP, || async {
            let now = width(desk).await;
            ((now - before / 2.0).abs() < before * 0.05).then_some(())
        })
        .await;
        desk.find(&format!("#antrag[data-antrag-nr=\"{ANTRAG}\"]"))
            .await;
        let overflow = script(
            desk,
            "const e = document.documentElement; return e.scrollWidth - e.clientWidth;",
        )
        .await;
        desk.screenshot("antrag-zoom-200").await;
        assert!(
            overflow.as_f64().unwrap() <= 0.0,
            "a horizontal scrollbar at 200 %: {overflow} px too wide"
        );
        desk.press(&[keys::CONTROL, '0']).await;
        desk.poll("the zoom back at 100 %", STEP, || async {
            ((width(desk).await - before).abs() < 2.0).then_some(())
        })
        .await;
    });
}
