//! What an import does, line by line and in sum, in the words the desk and kammerctl show.
//! The database decides (kammer_internal.handwerksrolle_plan); this names its keys in German.

use serde::Serialize;
use serde_json::Value;

/// What became (or would become) of one line of the file, or of a Betrieb a full snapshot
/// no longer names. Unchanged lines are only counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    New,
    Changed,
    /// Gelöscht: a Löschdatum in the file, or (full snapshot) no longer in it.
    Removed,
    Invalid,
}

impl ChangeKind {
    pub(crate) fn from_db(kind: &str) -> Option<ChangeKind> {
        Some(match kind {
            "new" => ChangeKind::New,
            "changed" => ChangeKind::Changed,
            "removed" => ChangeKind::Removed,
            "invalid" => ChangeKind::Invalid,
            _ => return None,
        })
    }

    pub fn label_de(self) -> &'static str {
        match self {
            ChangeKind::New => "neu",
            ChangeKind::Changed => "geändert",
            ChangeKind::Removed => "gelöscht",
            ChangeKind::Invalid => "ungültig",
        }
    }
}

/// One field's old and new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldChange {
    pub field: String,
    pub label_de: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
// The desk's bindings.ts already has a `Change` (audit::Change, the live-change event).
#[cfg_attr(feature = "ts", ts(rename = "HandwerksrolleChange"))]
pub struct Change {
    pub kind: ChangeKind,
    pub kind_label: &'static str,
    /// The file line where the record starts (the header is line 1); `None` for a Betrieb
    /// that a full snapshot no longer names.
    pub line: Option<i64>,
    pub betriebsnummer: String,
    pub firmenname: String,
    pub fields: Vec<FieldChange>,
    /// Why an invalid line is invalid.
    pub reason_de: Option<String>,
}

impl Change {
    pub(crate) fn from_db(
        kind: &str,
        line: Option<i64>,
        betriebsnummer: String,
        firmenname: String,
        changes: &Value,
        reason: Option<&str>,
        detail: Option<&str>,
    ) -> Change {
        let kind = ChangeKind::from_db(kind).unwrap_or(ChangeKind::Invalid);
        Change {
            kind,
            kind_label: kind.label_de(),
            line,
            fields: field_changes(changes),
            reason_de: reason.map(|r| reason_de(r, detail, &betriebsnummer)),
            betriebsnummer,
            firmenname,
        }
    }
}

/// The columns of the Handwerksrolle as the file and the desk name them, in file order.
pub const FIELDS: [(&str, &str); 9] = [
    ("firmenname", "Firmenname"),
    ("inhaber", "Inhaber"),
    ("strasse", "Straße"),
    ("plz", "PLZ"),
    ("ort", "Ort"),
    ("gewerk", "Gewerk"),
    ("email", "E-Mail"),
    ("hauptsitz", "Hauptsitz"),
    ("loeschdatum", "Löschdatum"),
];

fn field_changes(changes: &Value) -> Vec<FieldChange> {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    FIELDS
        .iter()
        .filter_map(|(field, label)| {
            let pair = changes.get(*field)?.as_array()?;
            let date = *field == "loeschdatum";
            let show = |v: Option<String>| if date { v.map(|d| german_date(&d)) } else { v };
            Some(FieldChange {
                field: field.to_string(),
                label_de: label.to_string(),
                old: show(text(pair.first())),
                new: show(text(pair.get(1))),
            })
        })
        .collect()
}

/// `2026-12-04` → `04.12.2026`; anything else as it is.
pub fn german_date(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
        Ok(d) => d.format("%d.%m.%Y").to_string(),
        Err(_) => iso.to_string(),
    }
}

/// The reason of an invalid line, from the database's key.
fn reason_de(reason: &str, detail: Option<&str>, betriebsnummer: &str) -> String {
    let detail = detail.unwrap_or("?");
    match reason {
        "unreadable" => detail.to_string(),
        "betriebsnummer_invalid" => {
            format!("Betriebsnummer „{betriebsnummer}“ ist ungültig (4 bis 12 Ziffern).")
        }
        "firmenname_missing" => "Der Firmenname fehlt.".to_string(),
        "email_missing" => {
            "Die E-Mail-Adresse fehlt: ohne sie kann kein Bestätigungs-Code versendet werden."
                .to_string()
        }
        "email_invalid" => "Die E-Mail-Adresse ist ungültig.".to_string(),
        "duplicate" => format!(
            "Die Betriebsnummer {betriebsnummer} steht mehrfach in der Datei (Zeilen {detail})."
        ),
        "hauptsitz_self" => "Der Betrieb ist als sein eigener Hauptsitz angegeben.".to_string(),
        "hauptsitz_missing" => {
            "Den angegebenen Hauptsitz gibt es weder in der Datei noch in der Handwerksrolle."
                .to_string()
        }
        "hauptsitz_is_filiale" => "Der angegebene Hauptsitz ist selbst eine Filiale.".to_string(),
        "has_filialen" => "Der Betrieb hat selbst Filialen und kann keine Filiale werden; \
                           bitte ordnen Sie seine Filialen in derselben Datei neu zu."
            .to_string(),
        "hauptsitz_invalid" => {
            format!("Die Zeile des Hauptsitzes ist ungültig (Zeile {detail}).")
        }
        other => format!("Ungültige Zeile ({other})."),
    }
}

/// The refusal of an import with invalid lines.
pub(crate) fn refusal_invalid_lines(count: &str) -> String {
    let lines = if count == "1" {
        "1 Zeile ist ungültig".to_string()
    } else {
        format!("{count} Zeilen sind ungültig")
    };
    format!(
        "Die Datei wurde nicht übernommen: {lines} (siehe Liste). Bitte korrigieren Sie die \
         Datei, oder übernehmen Sie nur die gültigen Zeilen (--skip-invalid bzw. „Ungültige \
         Zeilen überspringen“)."
    )
}

/// The refusal of a full snapshot that would remove too much: the signature of a truncated file.
pub(crate) fn refusal_too_many_removed(
    removed: &str,
    active: &str,
    percent: &str,
    limit: &str,
) -> String {
    format!(
        "Die Datei wurde nicht übernommen: Als vollständiger Stand würde sie {removed} von \
         {active} Betrieben löschen ({percent} %, erlaubt sind {limit} %). Das sieht nach \
         einer unvollständigen Datei aus. Bitte prüfen Sie die Datei; ist sie richtig, \
         übernehmen Sie sie ausdrücklich (--force bzw. „Trotzdem übernehmen“)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_changes_come_in_file_order_with_german_dates() {
        let c = Change::from_db(
            "removed",
            Some(7),
            "1000".into(),
            "Bäckerei Müller".into(),
            &json!({"loeschdatum": [null, "2026-12-04"], "email": ["a@x.de", "b@x.de"]}),
            None,
            None,
        );
        assert_eq!(c.kind_label, "gelöscht");
        assert_eq!(c.fields.len(), 2);
        assert_eq!(c.fields[0].label_de, "E-Mail");
        assert_eq!(c.fields[1].new.as_deref(), Some("04.12.2026"));
        assert_eq!(c.fields[1].old, None);
    }

    #[test]
    fn every_reason_key_has_a_sentence() {
        for key in [
            "betriebsnummer_invalid",
            "firmenname_missing",
            "email_missing",
            "email_invalid",
            "duplicate",
            "hauptsitz_self",
            "hauptsitz_missing",
            "hauptsitz_is_filiale",
            "has_filialen",
            "hauptsitz_invalid",
        ] {
            assert!(!reason_de(key, Some("3, 4"), "1234").contains(key), "{key}");
        }
    }
}
