//! Exit codes: one per kind of error, so a cron script can tell "not there" from "not
//! allowed" from "database down" without reading German text. The one place that maps the
//! core's [`ErrorKind`] to a code; `kammerctl --help` prints the table from here.

use std::fmt::Write;

use kammer_core::ErrorKind;

/// Every kind, in the order of their codes in the help.
const KINDS: [ErrorKind; 6] = [
    ErrorKind::Internal,
    ErrorKind::Validation,
    ErrorKind::NotFound,
    ErrorKind::Conflict,
    ErrorKind::Forbidden,
    ErrorKind::Unavailable,
];

/// The exit code of an error of `kind`. 2 is also clap's code for a malformed call: an
/// invalid value the core refuses (a date, a Betriebsnummer) is the same mistake.
pub fn code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Internal => 1,
        ErrorKind::Validation => 2,
        ErrorKind::NotFound => 3,
        ErrorKind::Conflict => 4,
        ErrorKind::Forbidden => 5,
        ErrorKind::Unavailable => 6,
    }
}

fn meaning_de(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Internal => "anderer Fehler, z. B. ein interner Fehler (Referenz im Text)",
        ErrorKind::Validation => {
            "Aufruf oder Eingabe fehlerhaft: unbekannte Option, ungültiges Datum, ungültige \
             Betriebsnummer"
        }
        ErrorKind::NotFound => "nicht gefunden: Betrieb, Antrag, Zugang, E-Mail",
        ErrorKind::Conflict => {
            "Konflikt mit dem Stand der Daten: z. B. Antrag schon entschieden, Export \
             abgebrochen"
        }
        ErrorKind::Forbidden => {
            "abgewiesen: Rolle oder Anmeldung reicht nicht, z. B. die Hotline bestätigt, \
             falsches Passwort"
        }
        ErrorKind::Unavailable => "nicht erreichbar: Datenbank (oder Mailserver)",
    }
}

/// The table for `kammerctl --help`.
pub fn help() -> String {
    let mut out = String::from("Exit-Codes (für Skripte und cron):\n  0  erledigt\n");
    for kind in KINDS {
        let _ = writeln!(
            out,
            "  {}  {} ({})",
            code(kind),
            meaning_de(kind),
            kind.as_str()
        );
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_distinct_code_per_kind() {
        let mut codes: Vec<u8> = KINDS.iter().map(|k| code(*k)).collect();
        codes.sort_unstable();
        assert_eq!(codes, [1, 2, 3, 4, 5, 6]);
        let help = help();
        for kind in KINDS {
            assert!(help.contains(&format!("  {}  ", code(kind))), "{help}");
        }
    }
}
