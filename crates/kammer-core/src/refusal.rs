//! The database's refusals in the clerk's words. Every rule is enforced by the functions in
//! schema `kammer_api` (see migrations/20261204*): they raise a SQLSTATE for the kind
//! (`KD403`, `KD404`, `KD409`, `KD422`), a stable key as the message and the facts as JSON.
//! This is the one place those keys become German sentences, so a refusal reads the same in
//! the desk, in `kammerctl` and in the tests, whoever checked first.

use serde_json::Value;

use crate::domain::{AntragStatus, Permission, Role};
use crate::error::{Error, ErrorKind};

/// A refusal raised by a `kammer_api` function, if `code` is one of ours.
pub(crate) fn from_database(code: &str, key: &str, detail: Option<&str>) -> Option<Error> {
    let kind = match code {
        "KD403" => ErrorKind::Forbidden,
        "KD404" => ErrorKind::NotFound,
        "KD409" => ErrorKind::Conflict,
        "KD422" => ErrorKind::Validation,
        _ => return None,
    };
    let facts: Value = detail
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(Value::Null);
    Some(Error::new(kind, german(key, &Facts(&facts))))
}

struct Facts<'a>(&'a Value);

impl Facts<'_> {
    fn text(&self, name: &str) -> String {
        match self.0.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => "?".to_string(),
            Some(other) => other.to_string(),
        }
    }
    fn status(&self) -> String {
        let raw = self.text("status");
        AntragStatus::from_db(&raw)
            .map(|s| s.label_de().to_string())
            .unwrap_or(raw)
    }
}

/// The sentence for a refusal key. Unknown keys (a newer database than this program) still
/// get a sentence that says what happened, with the key for IT.
fn german(key: &str, f: &Facts<'_>) -> String {
    let nr = || f.text("nr");
    match key {
        "superuser_refused" => format!(
            "KammerDesk arbeitet nicht mit dem Superuser-Zugang „{}“. Bitte melden Sie sich mit Ihrem persönlichen Zugang an.",
            f.text("login")
        ),
        "owner_refused" => format!(
            "Der Zugang „{}“ besitzt die Datenbank. Damit arbeitet niemand am Schreibtisch; bitte melden Sie sich mit Ihrem persönlichen Zugang an.",
            f.text("login")
        ),
        "not_a_clerk" => format!(
            "Der Zugang „{}“ ist in dieser Datenbank kein Zugang von KammerDesk oder ist gesperrt. Bitte wenden Sie sich an die Administration der Kammer.",
            f.text("login")
        ),
        "service_only" => format!(
            "Das darf nur der Dienst-Zugang der Gruppe {} (angemeldet ist „{}“).",
            f.text("group"),
            f.text("login")
        ),
        "role_forbids" => {
            let permission = serde_json::from_value::<Permission>(
                f.0.get("permission").cloned().unwrap_or(Value::Null),
            );
            let role = Role::parse(&f.text("role"));
            match (role, permission) {
                (Ok(role), Ok(permission)) => role.refusal_de(permission),
                _ => "Ihre Rolle erlaubt diese Aktion nicht.".to_string(),
            }
        }
        "reason_required" => "Bitte geben Sie eine Begründung an.".to_string(),
        "reason_too_long" => format!(
            "Die Begründung ist zu lang (höchstens {} Zeichen).",
            f.text("max")
        ),
        "antrag_not_found" => format!("Einen Antrag Nr. {} gibt es nicht.", nr()),
        "antrag_status_changed" => format!(
            "Antrag Nr. {} hat inzwischen den Status „{}“. Die Aktion wurde nicht ausgeführt; bitte laden Sie den Antrag neu.",
            nr(),
            f.status()
        ),
        "antrag_not_awaiting_code" => format!(
            "Antrag Nr. {} wartet nicht mehr auf einen Bestätigungs-Code (Status „{}“).",
            nr(),
            f.status()
        ),
        "approve_needs_reason" => format!(
            "Antrag Nr. {} wartet noch auf den Bestätigungs-Code. Ohne Code kann die Zuordnung nur mit Begründung bestätigt werden (z. B. „telefonisch bestätigt“).",
            nr()
        ),
        "second_approval_same_clerk" => format!(
            "Sie haben die Bestätigung ohne Code für Antrag Nr. {} bereits angefragt. Die zweite Bestätigung muss eine andere Person der Sachbearbeitung geben (Vier-Augen-Prinzip).",
            nr()
        ),
        "already_linked" => "Dieser Account ist dem Betrieb bereits zugeordnet.".to_string(),
        "resend_cooldown" => format!(
            "Für Antrag Nr. {} wurde eben erst ein Code gesendet. Ein neuer Code kann in {} Sekunden gesendet werden.",
            nr(),
            f.text("seconds")
        ),
        "resend_day_limit" => format!(
            "Für Antrag Nr. {} wurden in den letzten 24 Stunden bereits {} Codes gesendet – mehr lässt die Richtlinie der Kammer nicht zu.",
            nr(),
            f.text("count")
        ),
        "betrieb_day_limit" => format!(
            "An den Betrieb {} wurden in den letzten 24 Stunden bereits {} Codes gesendet – mehr lässt die Richtlinie der Kammer nicht zu. Bitte versuchen Sie es morgen erneut.",
            f.text("betriebsnummer"),
            f.text("count")
        ),
        "account_day_limit" => format!(
            "Von diesem Account wurden in den letzten 24 Stunden bereits {} Anträge gestellt – mehr lässt die Richtlinie der Kammer nicht zu.",
            f.text("count")
        ),
        "zuordnung_not_found" => format!("Eine Zuordnung {} gibt es nicht.", f.text("id")),
        "zuordnung_already_revoked" => {
            format!("Die Zuordnung {} ist bereits aufgehoben.", f.text("id"))
        }
        "username_invalid" => "Ein Benutzername hat 2 bis 32 Zeichen: Kleinbuchstaben a–z, Ziffern, Punkt, Binde- und Unterstrich.".to_string(),
        "display_name_invalid" => "Bitte geben Sie den angezeigten Namen an (eine Zeile, höchstens 100 Zeichen).".to_string(),
        "role_invalid" => format!(
            "Unbekannte Rolle „{}“. Möglich sind: hotline, sachbearbeitung, admin.",
            f.text("role")
        ),
        "verifier_invalid" => "Das neue Passwort konnte nicht übernommen werden (ungültiger Passwort-Hash).".to_string(),
        "clerk_exists" => format!(
            "Den Benutzernamen „{}“ gibt es bereits.",
            f.text("username")
        ),
        "login_exists" => format!(
            "Auf dem Datenbankserver gibt es schon einen Zugang „{}“, der kein Zugang von KammerDesk ist. Bitte wählen Sie einen anderen Benutzernamen.",
            f.text("username")
        ),
        "clerk_not_found" => format!("Einen Zugang „{}“ gibt es nicht.", f.text("username")),
        "clerk_self_disable" => "Sie können Ihren eigenen Zugang nicht sperren.".to_string(),
        "clerk_self_change" => "Ihre eigene Rolle kann nur eine andere Person der Administration ändern.".to_string(),
        "clerks_exist" => "Es gibt bereits Zugänge. Neue Zugänge legt die Administration an (--as <admin>).".to_string(),
        "service_invalid" => format!("Unbekannte Dienstgruppe „{}“.", f.text("group")),
        "policy_invalid" => match f.text("field").as_str() {
            "mail_from" => "Die Absenderadresse ist keine gültige E-Mail-Adresse.".to_string(),
            "chamber_name" => "Der Name der Kammer darf nicht leer sein.".to_string(),
            "?" => "Ein Wert der Richtlinie liegt außerhalb des erlaubten Bereichs.".to_string(),
            other => format!("Die Richtlinie hat kein Feld „{other}“."),
        },
        "email_invalid" => format!(
            "„{}“ ist keine gültige E-Mail-Adresse (Beispiel: name@betrieb.de).",
            f.text("email")
        ),
        "requester_name_invalid" => format!(
            "Bitte geben Sie Ihren Namen in einer Zeile an (höchstens {} Zeichen, ohne Steuerzeichen).",
            f.text("max")
        ),
        "portal_hash_missing" => "Passwort und Bestätigungslink fehlen.".to_string(),
        "account_exists" => format!("Für {} gibt es bereits einen Account.", f.text("email")),
        "account_not_found" => format!(
            "Einen Account mit der E-Mail-Adresse {} gibt es nicht.",
            f.text("email")
        ),
        "account_unconfirmed" => "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse über den Link aus der Registrierungs-E-Mail.".to_string(),
        "confirm_token_invalid" => "Der Bestätigungslink ist ungültig. Bitte verwenden Sie den Link aus der neuesten E-Mail.".to_string(),
        "betriebsnummer_invalid" => "Eine Betriebsnummer hat 4 bis 12 Ziffern.".to_string(),
        "firmenname_invalid" => "Bitte geben Sie Inhaber oder Firmennamen in einer Zeile an (höchstens 200 Zeichen).".to_string(),
        "betrieb_not_found" => format!(
            "Einen Betrieb mit der Betriebsnummer {} gibt es in der Handwerksrolle nicht.",
            f.text("betriebsnummer")
        ),
        "firmenname_mismatch" => format!(
            "Der angegebene Inhaber/Firmenname passt nicht zur Betriebsnummer {}. Bitte geben Sie ihn so an, wie er auf der Handwerkskarte steht.",
            f.text("betriebsnummer")
        ),
        "account_already_linked" => format!(
            "Ihr Account ist dem Betrieb {} bereits zugeordnet.",
            f.text("betriebsnummer")
        ),
        "antrag_open_exists" => match f.0.get("nr") {
            Some(Value::Number(n)) => format!(
                "Für diesen Betrieb gibt es bereits einen offenen Antrag (Antrag Nr. {n})."
            ),
            _ => "Für diesen Betrieb gibt es bereits einen offenen Antrag.".to_string(),
        },
        "code_missing" => format!(
            "Für Antrag Nr. {} gibt es keinen gültigen Code. Bitte fordern Sie einen neuen an.",
            nr()
        ),
        "code_expired" => format!(
            "Der Bestätigungs-Code für Antrag Nr. {} ist abgelaufen. Bitte fordern Sie einen neuen Code an.",
            nr()
        ),
        "code_locked" => code_locked(&nr()),
        "code_superseded" => "Dieser Bestätigungs-Code wurde durch einen neueren ersetzt. Bitte verwenden Sie den Code aus der neuesten E-Mail.".to_string(),
        "mail_not_queued" => format!(
            "Die E-Mail {} wartet nicht (mehr) auf den Versand.",
            f.text("id")
        ),
        "outbox_not_found" => format!(
            "Eine E-Mail {} gibt es im Postausgang nicht.",
            f.text("id")
        ),
        "outbox_already_sent" => format!("Die E-Mail {} ist bereits versendet.", f.text("id")),
        "outbox_cancelled" => format!(
            "Die E-Mail {} wurde verworfen (ihr Code wurde ersetzt oder der Antrag entschieden). Senden Sie bei Bedarf einen neuen Code.",
            f.text("id")
        ),
        "outbox_code_dead" => format!(
            "Der Code in der E-Mail {} ist nicht mehr gültig (ersetzt, verwendet oder abgelaufen, oder der Antrag ist entschieden). Senden Sie stattdessen einen neuen Code.",
            f.text("id")
        ),
        "betrieb_geloescht" => format!(
            "Der Betrieb {} ist in der Handwerksrolle gelöscht (am {}). Für ihn kann kein Antrag mehr gestellt werden.",
            f.text("betriebsnummer"),
            crate::handwerksrolle::german_date(&f.text("geloescht_am"))
        ),
        "handwerksrolle_not_staged" => "Es wurde keine Datei der Handwerksrolle übergeben.".to_string(),
        "handwerksrolle_staging_forged" => "Die Tabellen des Imports gehören nicht KammerDesk. Der Import wurde abgebrochen; bitte melden Sie das der IT.".to_string(),
        "handwerksrolle_mode_changed" => "Vollständiger Stand und Änderungen lassen sich in einem Import nicht mischen. Bitte beginnen Sie den Import neu.".to_string(),
        "handwerksrolle_file_unnamed" => "Zum Import gehören Dateiname und Prüfsumme der Datei.".to_string(),
        "handwerksrolle_invalid_lines" => crate::handwerksrolle::refusal_invalid_lines(&f.text("invalid")),
        "handwerksrolle_too_many_removed" => crate::handwerksrolle::refusal_too_many_removed(
            &f.text("removed"),
            &f.text("active_before"),
            &f.text("removed_percent"),
            &f.text("max_removed_percent"),
        ),
        other => format!(
            "Die Datenbank hat die Aktion abgelehnt ({other}). Bitte wenden Sie sich an die IT."
        ),
    }
}

/// Also the portal's answer when the last wrong attempt locked the code.
pub(crate) fn code_locked(nr: &str) -> String {
    format!(
        "Der Bestätigungs-Code für Antrag Nr. {nr} ist nach zu vielen Fehlversuchen gesperrt. Bitte fordern Sie einen neuen Code an."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_german_sentences_of_their_kind() {
        let e = from_database(
            "KD409",
            "antrag_status_changed",
            Some(r#"{"nr": 178, "status": "approved"}"#),
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert!(e.message().contains("Antrag Nr. 178"));
        assert!(e.message().contains("„Zuordnung bestätigt“"));
        let e = from_database(
            "KD403",
            "role_forbids",
            Some(r#"{"permission": "approve", "role": "hotline"}"#),
        )
        .unwrap();
        assert_eq!(
            e.message(),
            "Ihre Rolle „Hotline“ darf keine Zuordnungen bestätigen."
        );
        assert!(from_database("23505", "x", None).is_none());
        let unknown = from_database("KD422", "something_new", None).unwrap();
        assert!(unknown.message().contains("something_new"));
    }
}
