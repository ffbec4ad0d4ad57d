//! The desk's own settings: where the database and the mail server are. Non-secret fields
//! live in the store file in the app's config folder (`tauri-plugin-store`), passwords in the
//! keychain (`secrets`). Environment variables win over both, so IT can pin a desk and the
//! end-to-end tests can point it at a scratch database and a test mail server.

use kammer_core::mail::{SmtpConfig, SmtpSecurity};
use kammer_core::{Error, Result};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use crate::secrets::{Secret, Secrets};

pub const STORE_FILE: &str = "settings.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    Disable,
    #[default]
    Prefer,
    Require,
    VerifyFull,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DatabaseSettings {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub tls_mode: TlsMode,
}

impl Default for DatabaseSettings {
    /// The local demo database that `scripts/run-app.sh` sets up.
    fn default() -> Self {
        DatabaseSettings {
            host: "127.0.0.1".into(),
            port: 5432,
            database: "kammerdesk_demo".into(),
            user: "postgres".into(),
            tls_mode: TlsMode::Prefer,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub user: Option<String>,
}

impl Default for SmtpSettings {
    /// The demo mail server that `scripts/run-app.sh` starts on this machine.
    fn default() -> Self {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::Plain,
            user: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DeskSettings {
    pub database: DatabaseSettings,
    pub smtp: SmtpSettings,
    /// Whether a password is stored; the password itself never goes to the web view.
    #[serde(default)]
    pub has_database_password: bool,
    #[serde(default)]
    pub has_smtp_password: bool,
}

impl DatabaseSettings {
    fn validate(&self) -> Result<()> {
        let missing = |what: &str| Error::validation(format!("Bitte {what} angeben."));
        if self.host.trim().is_empty() {
            return Err(missing("den Datenbank-Server"));
        }
        if self.port == 0 {
            return Err(Error::validation(
                "Der Port der Datenbank muss zwischen 1 und 65535 liegen.",
            ));
        }
        if self.database.trim().is_empty() {
            return Err(missing("den Namen der Datenbank"));
        }
        if self.user.trim().is_empty() {
            return Err(missing("den Datenbank-Benutzer"));
        }
        Ok(())
    }

    pub fn connect_options(&self, password: Option<&str>) -> PgConnectOptions {
        let options = PgConnectOptions::new_without_pgpass()
            .host(self.host.trim())
            .port(self.port)
            .database(self.database.trim())
            .username(self.user.trim())
            .ssl_mode(match self.tls_mode {
                TlsMode::Disable => PgSslMode::Disable,
                TlsMode::Prefer => PgSslMode::Prefer,
                TlsMode::Require => PgSslMode::Require,
                TlsMode::VerifyFull => PgSslMode::VerifyFull,
            });
        match password {
            Some(p) => options.password(p),
            None => options,
        }
    }
}

impl SmtpSettings {
    pub fn config(&self, password: Option<String>) -> SmtpConfig {
        let mut config = SmtpConfig::new(self.host.trim(), self.security);
        config.port = Some(self.port);
        config.username = self.user.clone().filter(|u| !u.trim().is_empty());
        config.password = password;
        config
    }
}

/// The settings as stored, with defaults for whatever is not.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> DeskSettings {
    let stored = app.store(STORE_FILE).ok();
    let field = |key: &str| stored.as_ref().and_then(|s| s.get(key));
    let secrets = app.state::<Secrets>();
    DeskSettings {
        database: field("database")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
        smtp: field("smtp")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
        has_database_password: secrets.get(Secret::Database).is_some(),
        has_smtp_password: secrets.get(Secret::Smtp).is_some(),
    }
}

/// Whether the clerk or IT has saved database settings on this desk.
pub fn database_configured<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.store(STORE_FILE)
        .ok()
        .is_some_and(|s| s.has("database"))
}

pub fn save<R: Runtime>(
    app: &AppHandle<R>,
    settings: &DeskSettings,
    database_password: Option<&str>,
    smtp_password: Option<&str>,
) -> Result<DeskSettings> {
    settings.database.validate()?;
    // Building a mailer checks host, port and the loopback rule for unencrypted SMTP.
    kammer_core::mail::Mailer::new(&settings.smtp.config(None))?;
    let store = app.store(STORE_FILE).map_err(Error::internal)?;
    store.set(
        "database",
        serde_json::to_value(&settings.database).map_err(Error::internal)?,
    );
    store.set(
        "smtp",
        serde_json::to_value(&settings.smtp).map_err(Error::internal)?,
    );
    store.save().map_err(|e| {
        tracing::error!("settings not saved: {e}");
        Error::unavailable(
            "Die Einstellungen konnten nicht gespeichert werden (Datei nicht beschreibbar).",
        )
    })?;
    let secrets = app.state::<Secrets>();
    if let Some(p) = database_password {
        secrets.set(Secret::Database, p);
    }
    if let Some(p) = smtp_password {
        secrets.set(Secret::Smtp, p);
    }
    Ok(load(app))
}

/// The mail server the background worker sends through: the environment
/// (`KAMMERDESK_SMTP_HOST`, `_PORT`, `_SECURITY`, `_USER`) over the stored settings.
pub fn smtp_config<R: Runtime>(app: &AppHandle<R>) -> Result<SmtpConfig> {
    let mut smtp = load(app).smtp;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(host) = env("KAMMERDESK_SMTP_HOST") {
        smtp.host = host;
    }
    if let Some(port) = env("KAMMERDESK_SMTP_PORT") {
        smtp.port = port.trim().parse().map_err(|_| {
            Error::validation(format!(
                "KAMMERDESK_SMTP_PORT „{port}“ ist keine Portnummer."
            ))
        })?;
    }
    if let Some(security) = env("KAMMERDESK_SMTP_SECURITY") {
        smtp.security = SmtpSecurity::parse(&security)?;
    }
    if let Some(user) = env("KAMMERDESK_SMTP_USER") {
        smtp.user = Some(user);
    }
    Ok(smtp.config(app.state::<Secrets>().get(Secret::Smtp)))
}
