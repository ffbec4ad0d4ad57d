//! The core's one error type. Every failure a clerk can meet has a stable machine-readable
//! [`ErrorKind`] (for the UI, scripts and tests) and a German sentence written for the clerk.
//! Internals — SQL, driver and hashing errors — are logged here and never shown.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotFound,
    Validation,
    Conflict,
    Forbidden,
    Unavailable,
    Internal,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Validation => "validation",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    /// An unexpected failure: the cause goes to the log under a short reference that the
    /// clerk can quote to IT; the message names only the reference.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let reference = crate::domain::random_hex(4);
        tracing::error!(reference = %reference, "internal error: {cause}");
        Self::new(
            ErrorKind::Internal,
            format!(
                "Ein interner Fehler ist aufgetreten. Bitte melden Sie ihn der IT mit der Referenz {reference}."
            ),
        )
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The shape errors take across the IPC boundary and in `kammerctl --json`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub message: String,
}

impl From<&Error> for ErrorBody {
    fn from(e: &Error) -> Self {
        ErrorBody {
            kind: e.kind,
            message: e.message.clone(),
        }
    }
}

/// So that a desk command returns the core's error with `?`.
impl From<Error> for ErrorBody {
    fn from(e: Error) -> Self {
        ErrorBody {
            kind: e.kind,
            message: e.message,
        }
    }
}

/// A connection refused for TLS, in words IT can act on: the certificate names another host,
/// comes from a CA this machine does not trust, has expired, or the server offers no TLS at
/// all where the settings require it. `target` names the server ("db.hwk.example:5432/kammerdesk").
/// `None` for any other failure.
pub fn tls_refusal(e: &sqlx::Error, target: &str) -> Option<Error> {
    use rustls::CertificateError as C;
    let at = if target.is_empty() {
        String::new()
    } else {
        format!(" {target}")
    };
    let rustls_error = match e {
        sqlx::Error::Io(io) => io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()),
        sqlx::Error::Tls(tls) => tls.downcast_ref::<rustls::Error>(),
        _ => None,
    };
    let message = match rustls_error {
        Some(rustls::Error::InvalidCertificate(cert)) => match cert {
            C::NotValidForName | C::NotValidForNameContext { .. } => format!(
                "Das Zertifikat des Datenbankservers{at} ist nicht für diesen Servernamen ausgestellt. \
                 Bitte den Servernamen so eintragen, wie er im Zertifikat steht, oder die IT bitten, das Zertifikat zu prüfen."
            ),
            C::UnknownIssuer => format!(
                "Das Zertifikat des Datenbankservers{at} stammt von einer unbekannten Zertifizierungsstelle (CA). \
                 Bitte die CA-Datei der Kammer in den Einstellungen angeben oder die CA auf diesem Rechner installieren (IT)."
            ),
            C::Expired
            | C::ExpiredContext { .. }
            | C::NotValidYet
            | C::NotValidYetContext { .. } => format!(
                "Das Zertifikat des Datenbankservers{at} ist abgelaufen oder noch nicht gültig. \
                 Bitte die Uhrzeit dieses Rechners prüfen und die IT informieren."
            ),
            other => format!(
                "Das Zertifikat des Datenbankservers{at} wird nicht anerkannt ({other:?}). Bitte wenden Sie sich an die IT."
            ),
        },
        Some(other) => format!(
            "Die verschlüsselte Verbindung zum Datenbankserver{at} ließ sich nicht aufbauen ({other}). Bitte wenden Sie sich an die IT."
        ),
        None => match e {
            sqlx::Error::Tls(tls) if tls.to_string().contains("does not support TLS") => format!(
                "Der Datenbankserver{at} bietet keine Verschlüsselung (TLS) an, die Einstellungen verlangen sie aber. \
                 Die Verbindung wurde nicht aufgebaut; bitte wenden Sie sich an die IT."
            ),
            sqlx::Error::Tls(tls) => format!(
                "Die verschlüsselte Verbindung zum Datenbankserver{at} ließ sich nicht aufbauen ({tls}). Bitte wenden Sie sich an die IT."
            ),
            _ => return None,
        },
    };
    tracing::warn!("TLS to the database {target} refused: {e}");
    Some(Error::unavailable(message))
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let Some(refusal) = tls_refusal(&e, "") {
            return refusal;
        }
        match &e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => {
                tracing::warn!("database unavailable: {e}");
                Error::unavailable(
                    "Die Datenbank ist nicht erreichbar. Bitte prüfen Sie die Verbindung und versuchen Sie es erneut.",
                )
            }
            sqlx::Error::Database(db) if db.code().as_deref() == Some("40001") => Error::conflict(
                "Ein anderer Vorgang hat denselben Datensatz gleichzeitig geändert. Bitte laden Sie neu und versuchen Sie es erneut.",
            ),
            sqlx::Error::Database(db) => {
                let code = db.code().unwrap_or_default();
                let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
                if let Some(refusal) =
                    crate::refusal::from_database(&code, db.message(), pg.and_then(|p| p.detail()))
                {
                    tracing::info!(code = %code, key = db.message(), "refused by the database");
                    return refusal;
                }
                if code == "42501" {
                    // The database's own wall (no grant) behind the function's check.
                    tracing::warn!("permission denied by the database: {e}");
                    return Error::forbidden(
                        "Ihr Zugang darf das in der Datenbank nicht. Bitte wenden Sie sich an die Administration der Kammer.",
                    );
                }
                // A session's connections are ended when the administration disables the
                // login or resets its password (kammer_api.clerk_disable / clerk_set_password);
                // the pool's next connection is then refused at sign-in. Neither is internal.
                match code.as_ref() {
                    "57014" => {
                        // statement_timeout (db::DESK_STATEMENT_TIMEOUT) or a cancel by IT.
                        tracing::warn!("statement cancelled by the database: {e}");
                        return Error::unavailable(
                            "Die Datenbank hat die Anfrage abgebrochen, weil sie zu lange gedauert hat. Bitte grenzen Sie die Suche ein oder versuchen Sie es in einigen Minuten erneut; hält es an, melden Sie es bitte der IT.",
                        );
                    }
                    "57P01" | "57P02" | "57P03" => {
                        tracing::warn!("connection ended by the database: {e}");
                        return Error::unavailable(
                            "Die Datenbank hat die Verbindung beendet (Neustart des Servers, oder Ihr Zugang wurde gesperrt bzw. sein Passwort geändert). Bitte versuchen Sie es erneut oder melden Sie sich neu an.",
                        );
                    }
                    // A desk newer than the schema: it calls a function the database lacks.
                    "42883" if db.message().contains("kammer_api.") => {
                        tracing::warn!("the database schema is older than this program: {e}");
                        return Error::unavailable(
                            "Die Datenbank ist älter als dieses Programm (eine Funktion fehlt). Bitte lassen Sie die IT die Datenbank aktualisieren (kammerctl migrate) und versuchen Sie es dann erneut.",
                        );
                    }
                    "28P01" => {
                        tracing::warn!("sign-in refused: {e}");
                        return Error::forbidden("Benutzername oder Passwort ist falsch.");
                    }
                    "28000" if db.message().contains("not permitted to log in") => {
                        tracing::warn!("sign-in refused: {e}");
                        return Error::forbidden(
                            "Dieser Zugang ist gesperrt. Bitte wenden Sie sich an die Administration der Kammer.",
                        );
                    }
                    _ => {}
                }
                Error::internal(&e)
            }
            _ => Error::internal(&e),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::internal(format!("migration failed: {e}"))
    }
}
