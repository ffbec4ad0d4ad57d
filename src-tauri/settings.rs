//! The desk's own settings: where the database is (server, port, database, TLS). They live in
//! the store file in the app's config folder (`tauri-plugin-store`); the environment wins, so
//! IT can pin a desk and the end-to-end tests can point it at a scratch database. There is no
//! user and no password here: each clerk signs in with their own login, and the desk sends no
//! mail (the mail sender is a server-side service, `kammerctl outbox run`).

use kammer_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

use sqlx::postgres::PgConnectOptions;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

pub const STORE_FILE: &str = "settings.json";

/// The TLS modes and their rules (default `verify-full`, the warning for `disable`/`prefer`
/// to another machine) live in the core, for the desk and kammerctl alike.
pub use kammer_core::db::TlsMode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DatabaseSettings {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub tls_mode: TlsMode,
    /// A PEM file with the chamber's own CA, trusted on top of the platform's trust store.
    #[serde(default)]
    pub ca_file: Option<String>,
}

impl Default for DatabaseSettings {
    /// The local demo database that `scripts/run-app.sh` sets up.
    fn default() -> Self {
        DatabaseSettings {
            host: "127.0.0.1".into(),
            port: 5432,
            database: "kammerdesk_demo".into(),
            // A server on this machine: nothing crosses a network (db::TlsMode::default_for).
            tls_mode: TlsMode::Prefer,
            ca_file: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DeskSettings {
    pub database: DatabaseSettings,
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
        if let Some(ca) = self.ca_file() {
            kammer_core::db::check_ca_file(ca)?;
        }
        Ok(())
    }

    fn ca_file(&self) -> Option<&Path> {
        self.ca_file
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(Path::new)
    }

    /// The server to sign in at; the clerk's login is added at sign-in. Fails when the CA file
    /// cannot be read.
    pub fn connect_options(&self) -> Result<PgConnectOptions> {
        kammer_core::db::with_tls(
            PgConnectOptions::new_without_pgpass()
                .host(self.host.trim())
                .port(self.port)
                .database(self.database.trim()),
            self.tls_mode,
            self.ca_file(),
        )
    }
}

/// The settings as stored, with defaults for whatever is not.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> DeskSettings {
    let stored = app.store(STORE_FILE).ok();
    DeskSettings {
        database: stored
            .as_ref()
            .and_then(|s| s.get("database"))
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
    }
}

/// Whether the clerk or IT has saved database settings on this desk.
pub fn database_configured<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.store(STORE_FILE)
        .ok()
        .is_some_and(|s| s.has("database"))
}

pub fn save<R: Runtime>(app: &AppHandle<R>, settings: &DeskSettings) -> Result<DeskSettings> {
    settings.database.validate()?;
    let store = app.store(STORE_FILE).map_err(Error::internal)?;
    store.set(
        "database",
        serde_json::to_value(&settings.database).map_err(Error::internal)?,
    );
    store.save().map_err(|e| {
        tracing::error!("settings not saved: {e}");
        Error::unavailable(
            "Die Einstellungen konnten nicht gespeichert werden (Datei nicht beschreibbar).",
        )
    })?;
    Ok(load(app))
}
