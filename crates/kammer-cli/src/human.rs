//! Formatting for people that several commands share; each command prints the rest itself.
//! `--json` bypasses all of this.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use kammer_core::antraege::AntragSummary;
use kammer_core::codes::CodeInfo;

pub fn date(at: DateTime<Utc>) -> String {
    kammer_core::mail::format_de(at)
}

/// The portal's own form: "12.01.2024, 07:23:17".
pub fn date_seconds(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%d.%m.%Y, %H:%M:%S")
        .to_string()
}

pub fn opt_date(at: Option<DateTime<Utc>>) -> String {
    at.map(date).unwrap_or_else(|| "–".into())
}

/// One Antrag in a list: `antrag list` and the Anträge of `betrieb show`.
pub fn summary_line(a: &AntragSummary) -> String {
    format!(
        "Nr. {:<7} {}  {:<28} {:<12} {:<32} {}",
        a.nr,
        date_seconds(a.sent_at),
        a.status_label,
        a.betriebsnummer,
        a.firmenname,
        a.requester_name
    )
}

/// The codes of an Antrag: `code inspect` and `antrag show`.
pub fn codes(codes: &[CodeInfo]) -> String {
    if codes.is_empty() {
        return "Keine Codes.".into();
    }
    codes
        .iter()
        .map(|c| {
            let delivery = match &c.delivery {
                Some(d) => format!(
                    "{}{}",
                    d.label_de,
                    d.last_error.as_deref().map(|e| format!(" – {e}")).unwrap_or_default()
                ),
                None => "keine E-Mail".into(),
            };
            format!(
                "Code {}… ({})\n  ausgestellt {} von {}{}\n  gültig bis  {}\n  gesendet an {} – {}\n  Fehlversuche {}",
                c.prefix,
                c.state_label,
                date(c.issued_at),
                c.issued_by.as_deref().unwrap_or("Portal"),
                c.issue_reason.as_deref().map(|r| format!(" („{r}“)")).unwrap_or_default(),
                date(c.expires_at),
                c.sent_to,
                delivery,
                c.wrong_attempts
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
