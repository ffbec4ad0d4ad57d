//! The SMTP connection. Plain SMTP exists only for a mail server on the same machine (a
//! local relay or the test server); anything that crosses a network is encrypted.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Connect in plain text, then upgrade with STARTTLS (port 587); refuses to go on without it.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to a server on this machine.
    Plain,
}

impl SmtpSecurity {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(Self::Starttls),
            "tls" | "ssl" | "smtps" => Ok(Self::Tls),
            "plain" | "none" => Ok(Self::Plain),
            other => Err(Error::validation(format!(
                "Unbekannte SMTP-Verschlüsselung „{other}“. Möglich sind: starttls, tls, plain."
            ))),
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::Plain => 25,
        }
    }
}

/// How to reach the chamber's mail server. The password is never serialised, so a config
/// written back to a settings file cannot leak it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    #[serde(skip_serializing, default)]
    pub password: Option<String>,
    /// A PEM file with an additional trusted CA (a chamber's own), on top of the OS store.
    pub ca_file: Option<PathBuf>,
    /// Connect, command and data timeout.
    #[serde(default = "default_timeout_seconds")]
    pub timeout_seconds: u64,
    /// Open connections kept for reuse.
    #[serde(default = "default_pool_size")]
    pub pool_size: u32,
}

fn default_timeout_seconds() -> u64 {
    30
}

fn default_pool_size() -> u32 {
    4
}

impl SmtpConfig {
    pub fn new(host: impl Into<String>, security: SmtpSecurity) -> Self {
        SmtpConfig {
            host: host.into(),
            port: None,
            security,
            username: None,
            password: None,
            ca_file: None,
            timeout_seconds: default_timeout_seconds(),
            pool_size: default_pool_size(),
        }
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(self.security.default_port())
    }

    fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// A connection pool to the mail server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub(crate) describe: String,
}

impl Mailer {
    /// The SMTP server as host:port (security), for logs and the readiness line.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    pub fn new(config: &SmtpConfig) -> Result<Mailer> {
        if config.host.trim().is_empty() {
            return Err(Error::validation("Kein SMTP-Server angegeben."));
        }
        if config.security == SmtpSecurity::Plain {
            if !config.is_loopback() {
                return Err(Error::validation(format!(
                    "Unverschlüsseltes SMTP ist nur zu einem Mailserver auf diesem Rechner erlaubt, nicht zu „{}“. \
                     Wählen Sie starttls oder tls.",
                    config.host
                )));
            }
            tracing::warn!(host = %config.host, "SMTP without encryption (loopback only)");
        }
        let tls = match config.security {
            SmtpSecurity::Plain => Tls::None,
            SmtpSecurity::Starttls => Tls::Required(tls_parameters(config)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters(config)?),
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.trim())
                .port(config.port())
                .tls(tls)
                .timeout(Some(Duration::from_secs(config.timeout_seconds.max(1))))
                .pool_config(PoolConfig::new().max_size(config.pool_size.max(1)));
        if let Some(user) = config.username.as_deref().filter(|u| !u.is_empty()) {
            builder = builder.credentials(Credentials::new(
                user.to_string(),
                config.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            describe: format!("{}:{} ({:?})", config.host, config.port(), config.security),
        })
    }

    /// Sends one message; on success the server's reply, e.g. "250 2.0.0 Ok: queued as 4F…".
    pub(crate) async fn send(&self, message: Message) -> std::result::Result<String, SendFailure> {
        match self.transport.send(message).await {
            Ok(response) => Ok(format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )
            .trim()
            .to_string()),
            Err(e) => Err(SendFailure::from(&e)),
        }
    }
}

/// Why a send did not go through, in the words a clerk and IT can act on.
#[derive(Debug, Clone)]
pub(crate) struct SendFailure {
    /// A 5xx reply: the server refuses this mail for good; retrying changes nothing.
    pub permanent: bool,
    pub reply: String,
}

impl From<&lettre::transport::smtp::Error> for SendFailure {
    fn from(e: &lettre::transport::smtp::Error) -> Self {
        let detail = std::error::Error::source(e)
            .map(|s| s.to_string())
            .unwrap_or_default();
        let reply = if let Some(code) = e.status() {
            format!("{code} {detail}").trim().to_string()
        } else if e.is_timeout() {
            format!("Zeitüberschreitung beim Mailserver ({e})")
        } else if e.is_tls() || e.to_string().contains("certificate") {
            format!("TLS-Fehler beim Mailserver ({e})")
        } else {
            format!("Mailserver nicht erreichbar ({e})")
        };
        SendFailure {
            permanent: e.is_permanent(),
            reply,
        }
    }
}

fn tls_parameters(config: &SmtpConfig) -> Result<TlsParameters> {
    let mut builder = TlsParameters::builder(config.host.trim().to_string());
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            Error::validation(format!(
                "Die CA-Datei {} lässt sich nicht lesen: {e}",
                path.display()
            ))
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| {
            Error::validation(format!(
                "Die CA-Datei {} enthält kein gültiges Zertifikat: {e}",
                path.display()
            ))
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| Error::validation(format!("TLS für SMTP lässt sich nicht einrichten: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_smtp_only_to_loopback() {
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.53"] {
            assert!(
                Mailer::new(&SmtpConfig::new(host, SmtpSecurity::Plain)).is_ok(),
                "{host}"
            );
        }
        for host in ["mail.hwk.example", "10.0.0.5", "0.0.0.0"] {
            let err = Mailer::new(&SmtpConfig::new(host, SmtpSecurity::Plain))
                .err()
                .expect(host);
            assert_eq!(err.kind(), crate::ErrorKind::Validation);
            assert!(
                err.message()
                    .contains("nur zu einem Mailserver auf diesem Rechner")
            );
        }
    }

    #[test]
    fn security_names_and_default_ports() {
        assert_eq!(SmtpSecurity::parse("STARTTLS").unwrap().default_port(), 587);
        assert_eq!(SmtpSecurity::parse("tls").unwrap().default_port(), 465);
        assert_eq!(SmtpSecurity::parse("plain").unwrap().default_port(), 25);
        assert!(SmtpSecurity::parse("ssl3").is_err());
    }
}
