//! The desk's own settings: where the database is (server, port, database, TLS). They live in
//! the store file in the app's config folder (`tauri-plugin-store`); the environment wins, so
//! IT can pin a desk and the end-to-end tests can point it at a scratch database. There is no
//! user and no password here: each clerk signs in with their own login, and the desk sends no
//! mail (the mail sender is a server-side service, `kammerctl outbox run`).

use kammer_core::config::MachineConfig;
use kammer_core::domain::Role;
use kammer_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

use sqlx::postgres::PgConnectOptions;
use tauri::{AppHandle, Manager, Runtime};
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
    /// The fields of `database` IT pinned (desk.toml or `KAMMERDESK_DB_…`): `host`, `port`,
    /// `database`, `tls_mode`, `ca_file`. Shown read-only, „von der IT festgelegt“; never saved.
    #[serde(default)]
    pub pinned: Vec<String>,
    /// Where the pins come from: the file's path, or „Umgebungsvariablen“.
    #[serde(default)]
    pub pinned_by: Option<String>,
}

/// The machine-wide configuration (kammer_core::config), read once at start.
pub struct Pinned(pub MachineConfig);

impl Pinned {
    /// A file that does not parse pins nothing and is logged as an error; the desk still
    /// starts, with the settings saved on this machine.
    pub fn load() -> Pinned {
        match MachineConfig::load() {
            Ok(config) => {
                if let Some(file) = &config.file {
                    tracing::info!("machine configuration read from {file}");
                }
                Pinned(config)
            }
            Err(e) => {
                tracing::error!("machine configuration ignored: {}", e.message());
                Pinned(MachineConfig::default())
            }
        }
    }

    fn fields(&self) -> Vec<String> {
        let db = &self.0.database;
        [
            ("host", db.host.is_some()),
            ("port", db.port.is_some()),
            ("database", db.name.is_some()),
            ("tls_mode", db.tls_mode.is_some()),
            ("ca_file", db.ca_file.is_some()),
        ]
        .into_iter()
        .filter(|(_, pinned)| *pinned)
        .map(|(name, _)| name.to_owned())
        .collect()
    }

    /// `settings` with IT's values in place of the pinned fields.
    pub fn apply(&self, mut settings: DeskSettings) -> DeskSettings {
        let db = &self.0.database;
        if let Some(host) = &db.host {
            settings.database.host = host.clone();
        }
        if let Some(port) = db.port {
            settings.database.port = port;
        }
        if let Some(name) = &db.name {
            settings.database.database = name.clone();
        }
        if let Some(mode) = db.tls_mode.as_deref().and_then(|m| TlsMode::parse(m).ok()) {
            settings.database.tls_mode = mode;
        }
        if let Some(ca) = &db.ca_file {
            settings.database.ca_file = Some(ca.display().to_string());
        }
        settings.pinned = self.fields();
        settings.pinned_by = (!settings.pinned.is_empty() || self.0.file.is_some()).then(|| {
            self.0
                .file
                .clone()
                .unwrap_or_else(|| "Umgebungsvariablen".to_owned())
        });
        settings
    }

    /// Refuses a change to a pinned field.
    pub fn check(&self, wanted: &DatabaseSettings) -> Result<()> {
        let pinned = self.apply(DeskSettings {
            database: wanted.clone(),
            ..Default::default()
        });
        if pinned.database != *wanted {
            return Err(Error::forbidden(format!(
                "Diese Verbindungsangaben sind von der IT festgelegt ({}) und können hier nicht geändert werden.",
                pinned.pinned_by.unwrap_or_default()
            )));
        }
        Ok(())
    }

    /// The server to sign in at: the saved settings with IT's pins (the CA file included) over
    /// them. Fails when the CA file cannot be read.
    pub fn connect_options(&self, settings: &DatabaseSettings) -> Result<PgConnectOptions> {
        self.apply(DeskSettings {
            database: settings.clone(),
            ..Default::default()
        })
        .database
        .connect_options()
    }
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

/// Who may change where the desk connects: the administration. The database cannot guard a
/// desk's own file, so this is the desk's rule (IT pins what must not change at all); the
/// settings screen and `save_settings` both ask here.
pub fn may_change(role: Role) -> bool {
    role == Role::Admin
}

/// The settings as stored, with defaults for whatever is not, and IT's pins over both.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> DeskSettings {
    let stored = app.store(STORE_FILE).ok();
    let settings = DeskSettings {
        database: stored
            .as_ref()
            .and_then(|s| s.get("database"))
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
        ..Default::default()
    };
    match app.try_state::<Pinned>() {
        Some(pinned) => pinned.apply(settings),
        None => settings,
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
    if let Some(pinned) = app.try_state::<Pinned>() {
        pinned.check(&settings.database)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned(text: &str) -> Pinned {
        Pinned(MachineConfig::parse(text, std::path::Path::new("desk.toml")).unwrap())
    }

    #[test]
    fn pinned_fields_win_and_cannot_be_changed() {
        let ca =
            std::env::temp_dir().join(format!("kammerdesk-test-ca-{}.pem", std::process::id()));
        std::fs::write(
            &ca,
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let it = pinned(&format!(
            "[database]\nhost = \"db.kammer.example\"\ntls_mode = \"verify-full\"\nca_file = \"{}\"\n",
            ca.display()
        ));
        let shown = it.apply(DeskSettings::default());
        assert_eq!(shown.database.host, "db.kammer.example");
        assert_eq!(shown.database.tls_mode, TlsMode::VerifyFull);
        assert_eq!(shown.database.port, 5432, "not pinned: the saved value");
        assert_eq!(shown.pinned, ["host", "tls_mode", "ca_file"]);
        assert_eq!(shown.database.ca_file, Some(ca.display().to_string()));
        assert_eq!(shown.pinned_by.as_deref(), Some("Umgebungsvariablen"));

        // An administrator may change what is not pinned …
        let mut other_port = shown.database.clone();
        other_port.port = 6432;
        it.check(&other_port).unwrap();
        // … but not what is.
        let mut other_host = shown.database.clone();
        other_host.host = "anderswo.example".into();
        let e = it.check(&other_host).unwrap_err();
        assert_eq!(e.kind(), kammer_core::ErrorKind::Forbidden);
        assert!(
            e.message().contains("von der IT festgelegt"),
            "{}",
            e.message()
        );

        // The CA file travels into the connection options.
        let options = it.connect_options(&shown.database).unwrap();
        assert_eq!(options.get_host(), "db.kammer.example");
        assert!(format!("{options:?}").contains(&ca.display().to_string()));
        // A pinned CA file that is gone is said in German before any connection.
        std::fs::remove_file(&ca).unwrap();
        let gone = it.connect_options(&shown.database).unwrap_err();
        assert!(gone.message().contains("CA-Datei"), "{}", gone.message());
    }

    #[test]
    fn nothing_pinned_leaves_the_settings_alone() {
        let none = Pinned(MachineConfig::default());
        let shown = none.apply(DeskSettings::default());
        assert_eq!(shown, DeskSettings::default());
        none.check(&DatabaseSettings::default()).unwrap();
    }
}
