//! `kammerctl handwerksrolle` as the real binary, on the demo database, with the sample file
//! of docs/: the dry run, the import as the import service, what the hotline then sees on
//! Antrag Nr. 178, the second import that changes nothing, and the truncated-file refusal.

use crate::common;

use common::*;

/// The sample a new user imports into the demo database (docs/handwerksrolle.md).
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/handwerksrolle-beispiel.csv"
);

#[test]
fn the_sample_file_imports_into_the_demo_database() {
    let (_db, url) = demo_database("kammerctl_hwr");
    let import = url_as(&url, "kd_import");

    let dry = ok(
        &import,
        &["handwerksrolle", "import", "--delta", "--dry-run", SAMPLE],
    );
    assert!(dry.contains("Zeile 2"), "{dry}");
    assert!(
        dry.contains("E-Mail: info@testbetrieb.example → post@testbetrieb.example"),
        "{dry}"
    );
    assert!(
        dry.contains("neu       2121155390   Bäckerei Müller"),
        "{dry}"
    );
    assert!(dry.contains("UTF-8 mit BOM"), "{dry}");
    assert!(dry.contains("Probelauf: Nichts wurde übernommen."), "{dry}");
    let shown = ok_as(&url, "hl.schmidt", &["betrieb", "show", "2121155381"]);
    assert!(
        shown.contains("info@testbetrieb.example"),
        "the dry run changed nothing: {shown}"
    );
    assert!(shown.contains("noch nicht importiert"), "{shown}");

    let applied = ok(&import, &["handwerksrolle", "import", "--delta", SAMPLE]);
    assert!(
        applied.contains("Übernommen (Import Nr. 1). 1 Code ungültig gemacht"),
        "{applied}"
    );
    let antrag = ok_as(&url, "hl.schmidt", &["antrag", "show", "178"]);
    assert!(
        antrag.contains("E-Mail-Adresse in der Handwerksrolle geändert am"),
        "{antrag}"
    );
    let shown = ok_as(&url, "hl.schmidt", &["betrieb", "show", "2121155381"]);
    assert!(shown.contains("post@testbetrieb.example"), "{shown}");
    assert!(
        shown.contains("2121155382 Testbetrieb Filiale Hamm"),
        "{shown}"
    );
    assert!(!shown.contains("noch nicht importiert"), "{shown}");

    let again = ok(&import, &["handwerksrolle", "import", "--delta", SAMPLE]);
    assert!(again.contains("Keine Änderungen"), "{again}");
    let imports = ok_as(&url, "admin", &["--json", "handwerksrolle", "imports"]);
    let imports: serde_json::Value = serde_json::from_str(&imports).unwrap();
    assert_eq!(imports.as_array().unwrap().len(), 2);
    assert_eq!(imports[0]["unchanged"], 3);

    // As a full snapshot the three lines would delete almost every demo Betrieb: refused,
    // with the validation exit code, and the dry run says so too.
    for args in [
        &["handwerksrolle", "import", SAMPLE][..],
        &["handwerksrolle", "import", "--dry-run", SAMPLE][..],
    ] {
        let out = kammerctl(&import, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("unvollständigen Datei"), "{err}");
    }
    // The hotline may not import.
    let out = kammerctl_as(
        &url,
        "hl.schmidt",
        &["handwerksrolle", "import", "--delta", SAMPLE],
    );
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
