//! The mail server settings for `kammerctl outbox run`: a TOML file for what IT keeps in
//! /etc, overridden by options and environment (which suit containers and systemd units).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use kammer_core::mail::{SmtpConfig, SmtpSecurity, WorkerConfig};
use kammer_core::{Error, Result};
use serde::Deserialize;

/// Der Mailserver. Werte aus Optionen und Umgebung gehen der Datei vor; das Passwort kommt
/// nur aus KAMMERDESK_SMTP_PASSWORD oder aus der in der Datei genannten password_file.
#[derive(Args, Debug, Clone)]
pub struct SmtpArgs {
    /// TOML-Datei mit host, port, security, username, password_file, ca_file, timeout_seconds, pool_size
    #[arg(long, env = "KAMMERDESK_SMTP_CONFIG")]
    smtp_config: Option<PathBuf>,
    #[arg(long, env = "KAMMERDESK_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "KAMMERDESK_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// starttls (Standard, Port 587), tls (Port 465) oder plain (nur zu localhost)
    #[arg(long, env = "KAMMERDESK_SMTP_SECURITY")]
    smtp_security: Option<String>,
    #[arg(long, env = "KAMMERDESK_SMTP_USER")]
    smtp_user: Option<String>,
    /// Zusätzliche vertrauenswürdige CA (PEM), z. B. die der Kammer
    #[arg(long, env = "KAMMERDESK_SMTP_CA_FILE")]
    smtp_ca_file: Option<PathBuf>,
    /// Zeitlimit je SMTP-Schritt in Sekunden
    #[arg(long, env = "KAMMERDESK_SMTP_TIMEOUT")]
    smtp_timeout: Option<u64>,
}

#[derive(Args, Debug, Clone)]
pub struct WorkerArgs {
    /// Gleichzeitige Sendungen
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Versuche, bevor eine vorübergehend abgewiesene E-Mail als fehlgeschlagen gilt
    #[arg(long, default_value_t = 10)]
    max_attempts: i32,
    /// Wartezeit nach dem ersten Fehlversuch in Sekunden; verdoppelt sich je Versuch (höchstens 1 Stunde)
    #[arg(long, default_value_t = 30)]
    retry_after: u64,
}

/// The file: SmtpConfig's fields, with the password kept in a file of its own.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SmtpFile {
    host: Option<String>,
    port: Option<u16>,
    security: Option<String>,
    username: Option<String>,
    password_file: Option<PathBuf>,
    ca_file: Option<PathBuf>,
    timeout_seconds: Option<u64>,
    pool_size: Option<u32>,
}

fn read_file(path: &Path) -> Result<SmtpFile> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::validation(format!(
            "SMTP-Konfiguration {} nicht lesbar: {e}",
            path.display()
        ))
    })?;
    toml::from_str(&text).map_err(|e| {
        Error::validation(format!(
            "SMTP-Konfiguration {} fehlerhaft: {e}",
            path.display()
        ))
    })
}

pub fn smtp_config(args: &SmtpArgs) -> Result<SmtpConfig> {
    let file = match &args.smtp_config {
        Some(path) => read_file(path)?,
        None => SmtpFile::default(),
    };
    let host = args.smtp_host.clone().or(file.host).ok_or_else(|| {
        Error::validation(
            "Kein Mailserver angegeben: --smtp-host (KAMMERDESK_SMTP_HOST) oder host in --smtp-config.",
        )
    })?;
    let security = match args.smtp_security.as_deref().or(file.security.as_deref()) {
        Some(s) => SmtpSecurity::parse(s)?,
        None => SmtpSecurity::default(),
    };
    let password = match (
        std::env::var("KAMMERDESK_SMTP_PASSWORD").ok(),
        &file.password_file,
    ) {
        (Some(p), _) => Some(p),
        (None, Some(path)) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| {
                    Error::validation(format!(
                        "Passwortdatei {} nicht lesbar: {e}",
                        path.display()
                    ))
                })?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
        ),
        (None, None) => None,
    };
    let mut config = SmtpConfig::new(host, security);
    config.port = args.smtp_port.or(file.port);
    config.username = args.smtp_user.clone().or(file.username);
    config.password = password;
    config.ca_file = args.smtp_ca_file.clone().or(file.ca_file);
    if let Some(t) = args.smtp_timeout.or(file.timeout_seconds) {
        config.timeout_seconds = t;
    }
    if let Some(n) = file.pool_size {
        config.pool_size = n;
    }
    if config.username.is_some() && config.password.is_none() {
        return Err(Error::validation(
            "SMTP-Benutzer ohne Passwort: KAMMERDESK_SMTP_PASSWORD setzen oder password_file angeben.",
        ));
    }
    Ok(config)
}

pub fn worker_config(args: &WorkerArgs) -> Result<WorkerConfig> {
    if args.concurrency == 0 || args.max_attempts < 1 {
        return Err(Error::validation(
            "--concurrency und --max-attempts müssen mindestens 1 sein.",
        ));
    }
    Ok(WorkerConfig {
        concurrency: args.concurrency,
        max_attempts: args.max_attempts,
        backoff_base: Duration::from_secs(args.retry_after),
        ..WorkerConfig::default()
    })
}
