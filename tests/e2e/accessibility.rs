//! Accessibility, measured: axe-core (ui/node_modules/axe-core, a pinned devDependency) runs
//! inside the built desk on every screen and in the states that matter. A violation of
//! impact serious or critical fails the test; every finding goes to `axe-report.txt` beside
//! the screenshots. German public bodies owe WCAG 2.1 AA (BITV 2.0, EN 301 549).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::harness::{Desk, artefact_dir, run};
use crate::stories::{open_antrag, open_betrieb};

fn axe_source() -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (npm ci in ui/ installs axe-core)", path.display()))
}

/// Runs axe on the page as it is now; returns the serious and critical violations as text and
/// appends every finding to the report.
async fn axe(desk: &Desk, state: &str) -> Vec<String> {
    let loaded = desk
        .client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .unwrap();
    if loaded != json!(true) {
        desk.client
            .execute(&axe_source(), vec![])
            .await
            .expect("axe-core loads");
    }
    let result = desk
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, { resultTypes: ['violations'] })\
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,\
                   nodes: v.nodes.map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 3).join(' ')) }))))\
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("axe runs");
    if let Some(error) = result.get("error") {
        panic!("axe failed on {state}: {error}");
    }
    let violations = result.as_array().cloned().unwrap_or_default();
    let mut report = format!("\n## {state}: {} violation(s)\n", violations.len());
    let mut serious = Vec::new();
    for v in &violations {
        let impact = v["impact"].as_str().unwrap_or("?");
        let nodes: Vec<&str> = v["nodes"]
            .as_array()
            .map(|n| n.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let line = format!(
            "[{impact}] {} – {} ({} element(s)): {}",
            v["id"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            nodes.len(),
            nodes
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(report, "- {line}");
        if matches!(impact, "serious" | "critical") {
            serious.push(format!("{state}: {line}"));
        }
    }
    let path = artefact_dir().join("axe-report.txt");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(&report);
    let _ = std::fs::write(path, text);
    serious
}

#[test]
fn every_screen_passes_axe_without_serious_violations() {
    run("accessibility", async |desk| {
        let _ = std::fs::remove_file(artefact_dir().join("axe-report.txt"));
        let mut serious = Vec::new();

        desk.fill_sign_in("sb.mueller", "falsch").await;
        desk.wait_text("#sign-in-error", "falsch").await;
        serious.extend(axe(desk, "Anmeldung mit Fehler").await);

        desk.click("#sign-in-settings").await;
        desk.find("#einstellungen").await;
        serious.extend(axe(desk, "Einstellungen vor der Anmeldung").await);
        desk.click("#back").await;

        desk.sign_in("admin").await;
        open_betrieb(desk, false).await;
        serious.extend(axe(desk, "Betrieb").await);
        open_antrag(desk).await;
        serious.extend(axe(desk, "Antrag mit Code-Bereich").await);
        desk.click("#action-check_code").await;
        desk.find("#check-code-input").await;
        serious.extend(axe(desk, "Antrag: Code prüfen").await);
        desk.click("#action-reject").await;
        desk.find("#confirm-dialog[open]").await;
        serious.extend(axe(desk, "Antrag: Bestätigungsdialog").await);
        desk.press(&['\u{E00C}']).await; // Escape
        desk.wait_gone("#confirm-dialog[open]").await;

        desk.focus_search().await;
        desk.type_into("#search-input", "Bau").await;
        desk.find("#search-results [data-betriebsnummer]").await;
        serious.extend(axe(desk, "Suche mit Treffern").await);

        // Each screen of the navigation, once what it shows is there.
        let screens: [(&str, &[&str], &str); 6] = [
            (
                "#nav-antraege",
                &["#antraege-list [data-antrag-nr]"],
                "Anträge",
            ),
            (
                "#nav-protokoll",
                &["#protokoll", "#audit-list [data-audit-id]"],
                "Protokoll",
            ),
            ("#nav-monatsbericht", &["#report-table"], "Monatsbericht"),
            (
                "#nav-handwerksrolle",
                &[
                    "#handwerksrolle",
                    "#hwr-imports-list, #hwr-imports-empty",
                    "#hwr-review-list, #hwr-review-empty",
                ],
                "Handwerksrolle",
            ),
            (
                "#nav-zugaenge",
                &["#zugaenge", "#zugaenge-list tr[data-clerk]"],
                "Zugänge",
            ),
            (
                "#nav-einstellungen",
                &["#settings-save"],
                "Einstellungen (Administration)",
            ),
        ];
        for (nav, shown, state) in screens {
            desk.click(nav).await;
            for css in shown {
                desk.find(css).await;
            }
            serious.extend(axe(desk, state).await);
        }

        assert!(
            serious.is_empty(),
            "axe: {} serious or critical violation(s) (all findings in axe-report.txt):\n{}",
            serious.len(),
            serious.join("\n")
        );
    });
}
