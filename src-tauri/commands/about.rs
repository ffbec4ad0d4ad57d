//! „Über KammerDesk“: what the hotline and IT ask first — which version and build, which
//! database server and login, where the log is, whether the mail sender is alive — and the
//! same as plain text for a ticket („Diagnose kopieren“). Nothing in it is a secret: the
//! server is host, port and database (never the address with a password in it), the login is
//! a name, and the mail sender's heartbeat is a host name and a time.

use kammer_core::outbox::{self, SenderStatus};
use serde::Serialize;
use tauri::State;

use super::CommandResult;
use crate::database::Database;
use crate::session::SessionState;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct About {
    pub version: String,
    /// The commit the desk was built from (build.rs), or „unbekannt“.
    pub build: String,
    /// `host:port/database`, or why there is none.
    pub server: String,
    /// The signed-in clerk's login, if any.
    pub login: Option<String>,
    /// The folder of the log files, if the log file could be opened.
    pub log_folder: Option<String>,
    /// The mail sender's last heartbeat (read with the clerk's login; unknown before sign-in).
    pub sender: Option<SenderStatus>,
    /// „Postausgang zuletzt aktiv vor 12 s (mail01)“, or why it is not known.
    pub sender_label: String,
    /// All of the above as text for a ticket.
    pub diagnostics: String,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn about(
    database: State<'_, Database>,
    session: State<'_, SessionState>,
) -> CommandResult<About> {
    let clerk = session.current().await;
    let sender = match &clerk {
        Some(s) => outbox::sender_status(s)
            .await
            .map_err(|e| e.message().to_owned()),
        None => Err("erst nach der Anmeldung sichtbar".to_owned()),
    };
    Ok(about_with(
        &database,
        clerk.map(|s| s.username),
        crate::logging::folder().map(|p| p.display().to_string()),
        sender,
        std::env::consts::OS,
    ))
}

fn about_with(
    database: &Database,
    login: Option<String>,
    log_folder: Option<String>,
    sender: Result<Option<SenderStatus>, String>,
    os: &str,
) -> About {
    let server = match database.server() {
        Ok(s) => format!("{}:{}/{}", s.host, s.port, s.database),
        Err(e) => format!("keiner ({})", e.message()),
    };
    let sender_label = match &sender {
        Ok(Some(s)) => s.label_de(),
        Ok(None) => {
            "Postausgang: kein Versanddienst hat sich in den letzten 7 Tagen gemeldet".to_owned()
        }
        Err(why) => format!("Postausgang: unbekannt ({why})"),
    };
    let mut about = About {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        build: env!("KAMMERDESK_BUILD").to_owned(),
        server,
        login,
        log_folder,
        sender: sender.ok().flatten(),
        sender_label,
        diagnostics: String::new(),
    };
    about.diagnostics = [
        format!("KammerDesk {} (Build {})", about.version, about.build),
        format!("Betriebssystem: {os} ({})", std::env::consts::ARCH),
        format!("Datenbank: {}", about.server),
        format!(
            "Angemeldet: {}",
            about.login.as_deref().unwrap_or("niemand")
        ),
        format!(
            "Protokolldateien: {}",
            about
                .log_folder
                .as_deref()
                .unwrap_or("keine (nur Standardfehlerausgabe)")
        ),
        about.sender_label.clone(),
        format!(
            "Zeitpunkt: {}",
            chrono::Local::now().format("%d.%m.%Y %H:%M:%S %:z")
        ),
    ]
    .join("\n");
    about
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diagnostics_hold_the_facts_and_no_password() {
        // IT may pin a desk with an address that carries a password; it must not travel
        // into a ticket.
        let database = Database::from_url(
            "postgres://kd_it:streng-geheim@db.kammer.example:6543/kammer?sslmode=verify-full",
        );
        let sender = SenderStatus {
            host: "mail01".into(),
            last_seen_at: chrono::Utc::now(),
            seconds_ago: 12,
        };
        let about = about_with(
            &database,
            Some("sb.mueller".into()),
            Some("/var/log/kd".into()),
            Ok(Some(sender)),
            "linux",
        );
        let text = &about.diagnostics;
        for fact in [
            env!("CARGO_PKG_VERSION"),
            env!("KAMMERDESK_BUILD"),
            "db.kammer.example:6543/kammer",
            "Angemeldet: sb.mueller",
            "/var/log/kd",
            "Postausgang zuletzt aktiv vor 12 s (mail01)",
        ] {
            assert!(text.contains(fact), "{fact} missing in:\n{text}");
        }
        assert!(!text.contains("streng-geheim"), "{text}");
        assert!(!text.contains("kd_it"), "{text}");
        let json = serde_json::to_string(&about).unwrap();
        assert!(!json.contains("streng-geheim"), "{json}");
    }

    #[test]
    fn before_sign_in_the_diagnostics_say_so() {
        let database = Database::from_url("postgres://127.0.0.1:5432/kammerdesk_demo");
        let about = about_with(
            &database,
            None,
            None,
            Err("erst nach der Anmeldung sichtbar".into()),
            "windows",
        );
        assert!(about.diagnostics.contains("Angemeldet: niemand"));
        assert!(
            about
                .diagnostics
                .contains("Postausgang: unbekannt (erst nach der Anmeldung sichtbar)")
        );
        assert!(about.diagnostics.contains("Protokolldateien: keine"));
    }
}
