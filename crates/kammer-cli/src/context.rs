//! What every command shares: where the database is, who signs in (a clerk, a service or a
//! superuser for set-up), and how results are printed (`--json` or text for people).

use std::io::Write as _;

use clap::Args;
use kammer_core::auth::{self, Password, Session};
use kammer_core::config::MachineConfig;
use kammer_core::db::{self, ReportingService, Service};
use kammer_core::{Error, ErrorKind, Result};
use serde::Serialize;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

/// The connection rules, as `kammerctl --help` explains them.
pub const CONNECTION_HELP: &str = "\
Verbindung und Anmeldung:
  --database-url (KAMMERDESK_DATABASE_URL) nennt den Datenbankserver, z. B.
  postgres://127.0.0.1:5432/kammerdesk. Für Einrichtung und Dienste nennt sie auch den
  Zugang: postgres://zugang:passwort@host:5432/datenbank.

  Sachbearbeitung (antrag, betrieb, code, zuordnung, policy, clerk, outbox list/show/retry):
    --as <benutzer> (KAMMERDESK_USER) meldet Sie mit Ihrem persönlichen Zugang an; das
    Passwort kommt aus KAMMERDESK_PASSWORD oder wird abgefragt. Ohne --as muss der Zugang aus
    der Adresse ein Zugang der Sachbearbeitung sein; ein Superuser wird abgewiesen.
  Dienste, immer mit dem Dienst-Zugang aus der Adresse:
    outbox run   E-Mail-Versand (Gruppe kammer_mailer)
    expire       Berichte und Fristen (kammer_reporting)
    portal …     Portal-Schnittstelle (kammer_portal), nur für Support und Tests
  export antraege, report monthly: mit --as als Sachbearbeitung; sonst als Berichtsdienst,
    wenn der Zugang aus der Adresse einer ist (cron), sonst als Sachbearbeitung.
  Einrichtung, mit einem Superuser in der Adresse (z. B. postgres): migrate, demo-seed,
    service-login add, clerk add ohne --as (erster Zugang einer leeren Datenbank),
    clerk passwd ohne --as (Wiederherstellung). Neue Passwörter kommen aus
    KAMMERDESK_NEW_PASSWORD oder werden abgefragt.
  --read-database-url (KAMMERDESK_READ_DATABASE_URL): ein Lese-Replikat für Nachschlagen, Suche,
    Antragsliste, Exporte und Berichte. Mit --as meldet sich derselbe Zugang dort an; sonst
    nennt die Lese-Adresse ihren Zugang selbst. Änderungen gehen immer an --database-url.";

#[derive(Args)]
pub struct Connection {
    /// Datenbankserver, z. B. postgres://127.0.0.1:5432/kammerdesk (für Einrichtung und
    /// Dienste mit Zugang: postgres://zugang:passwort@host:5432/kammerdesk)
    #[arg(
        long,
        env = "KAMMERDESK_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Lese-Datenbank, z. B. ein Streaming-Replikat: Nachschlagen, Suche, Antragsliste,
    /// Exporte und Berichte lesen von dort; Änderungen und die Rechteprüfung gehen immer an
    /// --database-url
    #[arg(
        long,
        env = "KAMMERDESK_READ_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub read_database_url: Option<String>,
    /// Mit diesem persönlichen Zugang anmelden; das Passwort kommt aus KAMMERDESK_PASSWORD
    /// oder wird abgefragt
    #[arg(
        long = "as",
        id = "as_user",
        env = "KAMMERDESK_USER",
        global = true,
        value_name = "BENUTZER"
    )]
    pub as_user: Option<String>,
    /// Ausgabe als JSON (für Skripte)
    #[arg(long, global = true)]
    pub json: bool,
}

pub struct Context {
    url: String,
    read_url: Option<String>,
    as_user: Option<String>,
    json: bool,
}

/// Who reads for an export or a report.
pub enum AnyReader {
    Clerk(Session),
    Reporting(ReportingService),
}

/// Who acts for the commands that are set-up as a superuser and clerk administration
/// otherwise (`clerk add`, `clerk passwd`).
pub enum Acting {
    Clerk(Session),
    Superuser(PgPool),
}

impl Context {
    pub fn new(c: Connection) -> Result<Context> {
        let url = match c.database_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => url,
            // The server IT pinned for the desks of this machine (desk.toml, KAMMERDESK_DB_…).
            None => MachineConfig::load()?.server_url().ok_or_else(|| {
                Error::validation(format!(
                    "Keine Datenbank angegeben: --database-url oder KAMMERDESK_DATABASE_URL setzen (oder \
                     [database] host in {}).",
                    kammer_core::config::default_path().display()
                ))
            })?,
        };
        Ok(Context {
            url,
            read_url: c.read_database_url.filter(|u| !u.trim().is_empty()),
            as_user: c.as_user.filter(|u| !u.trim().is_empty()),
            json: c.json,
        })
    }

    /// Whether --as names a clerk (else the URL's login acts).
    pub fn as_user(&self) -> Option<&str> {
        self.as_user.as_deref()
    }

    /// Whether the output is JSON for scripts.
    pub fn json(&self) -> bool {
        self.json
    }

    /// `value` as JSON with `--json`, else in words for people. A reader that stopped reading
    /// (`kammerctl antrag list | head`) has what it wanted: a closed pipe ends the output
    /// quietly instead of with a panic.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) {
        let text = if self.json {
            serde_json::to_string_pretty(value).expect("core types serialise")
        } else {
            human(value).trim_end().to_string()
        };
        if let Err(e) = writeln!(std::io::stdout().lock(), "{text}")
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            eprintln!("Fehler: Die Ausgabe konnte nicht geschrieben werden: {e}");
        }
    }

    fn server(&self) -> Result<PgConnectOptions> {
        parse_url(&self.url)
    }

    /// A clerk's session on the primary: signed in with `--as`, else the URL's own login.
    pub async fn clerk(&self) -> Result<Session> {
        Ok(self.sign_in().await?.0)
    }

    /// [`Self::clerk`] that reads look-ups, lists, exports and reports from the replica of
    /// `--read-database-url` when there is one. Only the commands that read from it connect
    /// it, so an approval never depends on the replica.
    pub async fn clerk_reading(&self) -> Result<Session> {
        let (session, password) = self.sign_in().await?;
        let Some(read_url) = &self.read_url else {
            return Ok(session);
        };
        let login = password.as_deref().map(|p| (session.username.as_str(), p));
        let replica = db::connect_read_only(self.replica_options(read_url, login)?).await?;
        Ok(session.with_replica(replica))
    }

    /// Where the replica is and who signs in there: with `--as` the same login and password
    /// as at the primary (the roles replicate); else the read URL's own login, which must be
    /// the one of `--database-url`, so that nothing is read there with other rights.
    fn replica_options(
        &self,
        read_url: &str,
        login: Option<(&str, &str)>,
    ) -> Result<PgConnectOptions> {
        let options = parse_url(read_url)?;
        if let Some((user, password)) = login {
            return Ok(options.username(user).password(password));
        }
        let primary = self.server()?;
        if options.get_username() != primary.get_username() {
            return Err(Error::validation(format!(
                "Die Lese-Adresse meldet sich als „{}“ an, --database-url als „{}“. Beide müssen \
                 denselben Zugang nennen (oder --as verwenden).",
                options.get_username(),
                primary.get_username()
            )));
        }
        Ok(options)
    }

    /// The session, and the password it signed in with (`None`: the URL's own login).
    async fn sign_in(&self) -> Result<(Session, Option<String>)> {
        match &self.as_user {
            Some(user) => {
                let password = secret("KAMMERDESK_PASSWORD", &format!("Passwort für {user}: "))?;
                let session =
                    auth::sign_in(&self.server()?, user, &Password::attempt(&password)).await?;
                Ok((session, Some(password)))
            }
            None => {
                self.require_login_in_url(
                    "Diese Aktion braucht einen persönlichen Zugang: --as <benutzername> (oder \
                     KAMMERDESK_USER) oder einen Benutzer in der Datenbank-Adresse.",
                )?;
                let session = Session::from_pool(db::connect_with(self.server()?).await?)
                    .await
                    .map_err(with_sign_in_hint)?;
                Ok((session, None))
            }
        }
    }

    /// A service login, from the URL, checked to be one of `service`.
    pub async fn service(&self, service: Service) -> Result<PgPool> {
        self.require_login_in_url(&format!(
            "Ein Dienst meldet sich mit seinem Dienst-Zugang aus der Adresse an \
             (Gruppe {}): postgres://zugang:passwort@host:5432/datenbank.",
            service.group()
        ))?;
        db::connect_service(self.server()?, service).await
    }

    /// The URL's login for set-up; the core functions check that it is a superuser.
    pub async fn superuser(&self) -> Result<PgPool> {
        self.require_login_in_url(
            "Einrichtung braucht einen Superuser in der Adresse, z. B. \
             postgres://postgres@host:5432/datenbank.",
        )?;
        db::connect_with(self.server()?).await
    }

    /// `clerk add` and `clerk passwd`: the clerk of `--as`; without it, the URL's login —
    /// set-up when that is a superuser, else a clerk.
    pub async fn clerk_or_superuser(&self) -> Result<Acting> {
        if self.as_user.is_some() {
            return Ok(Acting::Clerk(self.clerk().await?));
        }
        self.require_login_in_url(
            "Dafür braucht es --as <benutzername> (Administration) oder einen Zugang in der \
             Adresse (ein Superuser für die Einrichtung).",
        )?;
        let pool = db::connect_with(self.server()?).await?;
        if db::require_superuser(&pool, "Einrichtung").await.is_ok() {
            return Ok(Acting::Superuser(pool));
        }
        Ok(Acting::Clerk(
            Session::from_pool(pool).await.map_err(with_sign_in_hint)?,
        ))
    }

    /// Exports and reports: the clerk of `--as`; without it, the reporting service when the
    /// URL's login is one (cron), else the URL's login as a clerk.
    pub async fn reader(&self) -> Result<AnyReader> {
        if self.as_user.is_some() {
            return Ok(AnyReader::Clerk(self.clerk_reading().await?));
        }
        self.require_login_in_url(
            "Exporte und Berichte brauchen einen Zugang: --as <benutzername> (oder \
             KAMMERDESK_USER), oder den Zugang des Berichtsdienstes in der Adresse.",
        )?;
        match db::connect_service(self.server()?, Service::Reporting).await {
            Ok(pool) => {
                let replica = match &self.read_url {
                    Some(url) => {
                        Some(db::connect_read_only(self.replica_options(url, None)?).await?)
                    }
                    None => None,
                };
                Ok(AnyReader::Reporting(ReportingService { pool, replica }))
            }
            // Not the reporting service (or not signed in at all): as a clerk, whose refusal
            // then says what is wrong.
            Err(e) if e.kind() == ErrorKind::Forbidden => {
                Ok(AnyReader::Clerk(self.clerk_reading().await?))
            }
            Err(e) => Err(e),
        }
    }

    /// Without a login in the URL the driver would try the operating system's user name,
    /// and the refusal would be a puzzling "wrong password".
    fn require_login_in_url(&self, message: &str) -> Result<()> {
        let rest = self.url.split_once("://").map_or(&*self.url, |(_, r)| r);
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if authority.contains('@')
            || self.url.contains("user=")
            || std::env::var_os("PGUSER").is_some()
        {
            Ok(())
        } else {
            Err(Error::validation(message))
        }
    }
}

/// The core's refusal of a login that is no clerk (a superuser, the owner, a service), with
/// how to sign in personally with kammerctl.
fn with_sign_in_hint(e: Error) -> Error {
    if e.kind() == ErrorKind::Forbidden {
        Error::new(
            e.kind(),
            format!(
                "{} Mit kammerctl: --as <benutzername> (oder KAMMERDESK_USER).",
                e.message()
            ),
        )
    } else {
        e
    }
}

/// A password from the environment, or typed at the terminal.
pub fn secret(var: &str, prompt: &str) -> Result<String> {
    if let Ok(v) = std::env::var(var) {
        return Ok(v);
    }
    rpassword::prompt_password(prompt).map_err(|_| {
        Error::validation(format!(
            "Kein Passwort: bitte {var} setzen oder im Terminal eingeben."
        ))
    })
}

/// A new password (a clerk's or a service's): from KAMMERDESK_NEW_PASSWORD, or typed twice.
pub fn new_password(login: &str) -> Result<Password> {
    const VAR: &str = "KAMMERDESK_NEW_PASSWORD";
    if let Ok(v) = std::env::var(VAR) {
        return Password::new_checked(&v);
    }
    let first = secret(VAR, &format!("Neues Passwort für {login}: "))?;
    let password = Password::new_checked(&first)?;
    if secret(VAR, "Neues Passwort wiederholen: ")? != first {
        return Err(Error::validation(
            "Die beiden Eingaben stimmen nicht überein; das Passwort wurde nicht geändert.",
        ));
    }
    Ok(password)
}

/// Ctrl-C, or SIGTERM from cron's or systemd's time limit (or a container runtime).
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// [`db::parse_url`], and the core's warning on stderr (once per address) when the connection
/// may go unencrypted over a network (`sslmode=disable` or `prefer` to another machine).
fn parse_url(url: &str) -> Result<PgConnectOptions> {
    static WARNED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let options = db::parse_url(url)?;
    if let Some(warning) = db::tls_warning(&options) {
        let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
        if !warned.contains(&warning) {
            eprintln!("{warning}");
            warned.push(warning);
        }
    }
    Ok(options)
}
