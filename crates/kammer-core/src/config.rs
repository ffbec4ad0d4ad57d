//! The machine-wide configuration IT pins: `desk.toml` in the platform's place, and the
//! environment (`KAMMERDESK_…`), which wins over the file. One parser for the desk and
//! `kammerctl`. Every key is optional; what is set here is fixed for the clerk (the desk's
//! Einstellungen show it read-only, „von der IT festgelegt“).
//!
//! ```toml
//! # /etc/kammerdesk/desk.toml, %ProgramData%\KammerDesk\desk.toml,
//! # /Library/Application Support/KammerDesk/desk.toml
//! [database]
//! host = "db.kammer.example"
//! port = 5432
//! name = "kammerdesk"
//! tls_mode = "verify_full"          # disable, prefer, require, verify_full
//! ca_file = "/etc/kammerdesk/kammer-ca.pem"
//!
//! [sign_in]
//! directory = true                  # clerks sign in with the directory password (pg_hba ldap)
//! idle_sign_out_minutes = 15
//! ```
//!
//! Environment: `KAMMERDESK_CONFIG` (another file; the tests), `KAMMERDESK_DB_HOST`,
//! `KAMMERDESK_DB_PORT`, `KAMMERDESK_DB_NAME`, `KAMMERDESK_DB_TLS_MODE`,
//! `KAMMERDESK_DB_CA_FILE`, `KAMMERDESK_DIRECTORY_SIGN_IN`, `KAMMERDESK_IDLE_SIGN_OUT_MINUTES`,
//! and `KAMMERDESK_IDLE_SIGN_OUT_SECONDS` (seconds, for the end-to-end tests).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Minutes without input after which a desk signs out, unless IT sets another value.
pub const DEFAULT_IDLE_SIGN_OUT_MINUTES: u32 = 15;

/// The file's place on this platform.
pub fn default_path() -> PathBuf {
    #[cfg(target_os = "windows")]
    {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
        PathBuf::from(base).join("KammerDesk").join("desk.toml")
    }
    #[cfg(target_os = "macos")]
    {
        PathBuf::from("/Library/Application Support/KammerDesk/desk.toml")
    }
    #[cfg(not(any(target_os = "windows", target_os = "macos")))]
    {
        PathBuf::from("/etc/kammerdesk/desk.toml")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub name: Option<String>,
    /// `disable`, `prefer`, `require`, `verify_full` (also with a hyphen, as libpq writes it).
    pub tls_mode: Option<String>,
    /// The chamber's own CA (PEM) for `verify_full`.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    /// Clerks sign in with the chamber's directory password (PostgreSQL's `ldap` in pg_hba).
    pub directory: Option<bool>,
    pub idle_sign_out_minutes: Option<u32>,
    /// Only from `KAMMERDESK_IDLE_SIGN_OUT_SECONDS` (tests); wins over the minutes.
    #[serde(skip)]
    pub idle_sign_out_seconds: Option<u32>,
}

/// What IT pinned on this machine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MachineConfig {
    #[serde(default)]
    pub database: DatabaseConfig,
    #[serde(default)]
    pub sign_in: SignInConfig,
    /// Where the values came from (the file, if there was one), for Einstellungen and Über.
    #[serde(skip)]
    pub file: Option<String>,
}

impl MachineConfig {
    /// The file (`KAMMERDESK_CONFIG` or the platform's place; a missing file is no error) with
    /// the environment on top. A file that does not parse is an error in German that names it.
    pub fn load() -> Result<MachineConfig> {
        let (path, explicit) = match std::env::var_os("KAMMERDESK_CONFIG").filter(|p| !p.is_empty())
        {
            Some(p) => (PathBuf::from(p), true),
            None => (default_path(), false),
        };
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut c = MachineConfig::parse(&text, &path)?;
                c.file = Some(path.display().to_string());
                c
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                MachineConfig::default()
            }
            Err(e) => {
                return Err(Error::validation(format!(
                    "Die Konfiguration {} ist nicht lesbar: {e}",
                    path.display()
                )));
            }
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    pub fn parse(text: &str, path: &Path) -> Result<MachineConfig> {
        let config: MachineConfig = toml::from_str(text).map_err(|e| {
            Error::validation(format!(
                "Die Konfiguration {} ist fehlerhaft: {}",
                path.display(),
                e.message()
            ))
        })?;
        config.validate()?;
        Ok(config)
    }

    /// The `KAMMERDESK_…` variables over the file's values.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let number = |name: &str, value: String| {
            value.trim().parse::<u32>().map_err(|_| {
                Error::validation(format!(
                    "{name} muss eine ganze Zahl sein, nicht „{value}“."
                ))
            })
        };
        if let Some(v) = get("KAMMERDESK_DB_HOST") {
            self.database.host = Some(v);
        }
        if let Some(v) = get("KAMMERDESK_DB_PORT") {
            let port = number("KAMMERDESK_DB_PORT", v)?;
            self.database.port = Some(u16::try_from(port).map_err(|_| {
                Error::validation("KAMMERDESK_DB_PORT muss zwischen 1 und 65535 liegen.")
            })?);
        }
        if let Some(v) = get("KAMMERDESK_DB_NAME") {
            self.database.name = Some(v);
        }
        if let Some(v) = get("KAMMERDESK_DB_TLS_MODE") {
            self.database.tls_mode = Some(v);
        }
        if let Some(v) = get("KAMMERDESK_DB_CA_FILE") {
            self.database.ca_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("KAMMERDESK_DIRECTORY_SIGN_IN") {
            self.sign_in.directory = Some(match v.trim().to_lowercase().as_str() {
                "1" | "true" | "ja" | "on" => true,
                "0" | "false" | "nein" | "off" => false,
                _ => {
                    return Err(Error::validation(format!(
                        "KAMMERDESK_DIRECTORY_SIGN_IN ist true oder false, nicht „{v}“."
                    )));
                }
            });
        }
        if let Some(v) = get("KAMMERDESK_IDLE_SIGN_OUT_MINUTES") {
            self.sign_in.idle_sign_out_minutes =
                Some(number("KAMMERDESK_IDLE_SIGN_OUT_MINUTES", v)?);
        }
        if let Some(v) = get("KAMMERDESK_IDLE_SIGN_OUT_SECONDS") {
            self.sign_in.idle_sign_out_seconds =
                Some(number("KAMMERDESK_IDLE_SIGN_OUT_SECONDS", v)?);
        }
        self.validate()
    }

    fn validate(&self) -> Result<()> {
        if let Some(mode) = &self.database.tls_mode {
            crate::db::TlsMode::parse(mode)?;
        }
        if self.database.port == Some(0) {
            return Err(Error::validation(
                "Der Port der Datenbank muss zwischen 1 und 65535 liegen.",
            ));
        }
        if self.sign_in.idle_sign_out_minutes == Some(0)
            || self.sign_in.idle_sign_out_seconds == Some(0)
        {
            return Err(Error::validation(
                "Die Abmeldung bei Inaktivität braucht mindestens eine Minute (oder eine Sekunde in Tests).",
            ));
        }
        Ok(())
    }

    /// After how long without input the desk signs out.
    pub fn idle_sign_out(&self) -> Duration {
        match (
            self.sign_in.idle_sign_out_seconds,
            self.sign_in.idle_sign_out_minutes,
        ) {
            (Some(s), _) => Duration::from_secs(s.into()),
            (None, Some(m)) => Duration::from_secs(u64::from(m) * 60),
            (None, None) => Duration::from_secs(u64::from(DEFAULT_IDLE_SIGN_OUT_MINUTES) * 60),
        }
    }

    /// The pinned server as an address without a login (`postgres://host:port/name?sslmode=…`),
    /// for `kammerctl` without `--database-url`; `None` when IT pinned no host.
    pub fn server_url(&self) -> Option<String> {
        let db = &self.database;
        let host = db.host.as_deref()?.trim();
        let mut url = format!(
            "postgres://{}:{}/{}",
            if host.contains(':') {
                format!("[{host}]")
            } else {
                host.to_owned()
            },
            db.port.unwrap_or(5432),
            encode(db.name.as_deref().unwrap_or("kammerdesk"))
        );
        let mut query = Vec::new();
        if let Some(mode) = &db.tls_mode {
            query.push(format!(
                "sslmode={}",
                mode.trim().to_lowercase().replace('_', "-")
            ));
        }
        if let Some(ca) = &db.ca_file {
            query.push(format!("sslrootcert={}", encode(&ca.to_string_lossy())));
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        Some(url)
    }

    /// Whether IT pinned anything about the database connection.
    pub fn pins_database(&self) -> bool {
        self.database != DatabaseConfig::default()
    }
}

/// Percent-encodes all but unreserved characters (a macOS path has spaces).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[database]
host = "db.kammer.example"
port = 6432
name = "kammer"
tls_mode = "verify-full"
ca_file = "/etc/kammerdesk/ca.pem"

[sign_in]
directory = true
idle_sign_out_minutes = 10
"#;

    #[test]
    fn the_file_and_the_environment_on_top() {
        let mut c = MachineConfig::parse(FILE, Path::new("desk.toml")).unwrap();
        assert_eq!(c.database.host.as_deref(), Some("db.kammer.example"));
        assert_eq!(c.database.port, Some(6432));
        assert_eq!(
            c.database.ca_file,
            Some(PathBuf::from("/etc/kammerdesk/ca.pem"))
        );
        assert_eq!(c.sign_in.directory, Some(true));
        assert_eq!(c.idle_sign_out(), Duration::from_secs(600));
        c.apply_env(|name| match name {
            "KAMMERDESK_DB_HOST" => Some("db2.kammer.example".into()),
            "KAMMERDESK_IDLE_SIGN_OUT_SECONDS" => Some("3".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.database.host.as_deref(), Some("db2.kammer.example"));
        assert_eq!(c.database.port, Some(6432));
        assert_eq!(c.idle_sign_out(), Duration::from_secs(3));
        assert!(c.pins_database());
        assert_eq!(
            c.server_url().as_deref(),
            Some(
                "postgres://db2.kammer.example:6432/kammer?sslmode=verify-full&sslrootcert=/etc/kammerdesk/ca.pem"
            )
        );
        // kammerctl parses it as the desk would: the CA file must be there (it is not on the
        // machine running the tests), which is said before any connection.
        let e = crate::db::parse_url(&c.server_url().unwrap()).unwrap_err();
        assert!(
            e.message().contains("CA-Datei /etc/kammerdesk/ca.pem"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn nothing_pinned_means_the_defaults() {
        let mut c = MachineConfig::default();
        c.apply_env(|_| None).unwrap();
        assert!(!c.pins_database());
        assert_eq!(c.server_url(), None);
        assert_eq!(c.idle_sign_out(), Duration::from_secs(15 * 60));
    }

    #[test]
    fn mistakes_are_named_in_german() {
        let e = MachineConfig::parse(
            "[database]\nhots = \"x\"\n",
            Path::new("/etc/kammerdesk/desk.toml"),
        )
        .unwrap_err();
        assert!(
            e.message()
                .starts_with("Die Konfiguration /etc/kammerdesk/desk.toml ist fehlerhaft"),
            "{}",
            e.message()
        );
        let e = MachineConfig::parse("[database]\ntls_mode = \"sicher\"\n", Path::new("d.toml"))
            .unwrap_err();
        assert!(
            e.message().contains("TLS-Einstellung „sicher“"),
            "{}",
            e.message()
        );
        let e = MachineConfig::default()
            .apply_env(|n| (n == "KAMMERDESK_DB_PORT").then(|| "70000".into()))
            .unwrap_err();
        assert!(
            e.message().contains("zwischen 1 und 65535"),
            "{}",
            e.message()
        );
        let e = MachineConfig::default()
            .apply_env(|n| (n == "KAMMERDESK_IDLE_SIGN_OUT_MINUTES").then(|| "0".into()))
            .unwrap_err();
        assert!(
            e.message().contains("mindestens eine Minute"),
            "{}",
            e.message()
        );
    }
}
