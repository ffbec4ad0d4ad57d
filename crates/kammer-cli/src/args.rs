//! The command line of `kammerctl`. Clap exits with 2 on a usage error; everything the
//! core refuses exits with 1.

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kammerctl",
    version,
    about = "KammerDesk auf der Kommandozeile: Migrationen, Demodaten, Zugänge und alle Aktionen der Sachbearbeitung"
)]
pub struct Cli {
    /// PostgreSQL-Adresse, z. B. postgres://postgres@127.0.0.1:5432/kammerdesk_demo
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Lese-Datenbank, z. B. ein Streaming-Replikat: Betriebe nachschlagen und suchen, Exporte
    /// und Berichte lesen von dort; Änderungen und die Rechteprüfung gehen immer an --database-url
    #[arg(
        long,
        env = "KD_READ_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub read_database_url: Option<String>,
    /// Ausgabe als JSON (für Skripte)
    #[arg(long, global = true)]
    pub json: bool,
    /// Als dieser Zugang handeln; das Passwort kommt aus KAMMERCTL_PASSWORD oder wird abgefragt
    #[arg(long = "as", env = "KAMMERCTL_USER", global = true)]
    pub as_user: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Datenbankschema anlegen oder aktualisieren
    Migrate,
    /// Deterministische Demodaten laden (enthält Betrieb 2121155381 und Antrag Nr. 178)
    DemoSeed {
        #[arg(long, default_value_t = 300)]
        betriebe: u32,
        #[arg(long, default_value_t = 600)]
        antraege: u32,
    },
    /// Zugänge der Sachbearbeitung verwalten
    #[command(subcommand)]
    Clerk(ClerkCmd),
    /// Richtlinie der Kammer anzeigen oder ändern
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Betriebe nachschlagen
    #[command(subcommand)]
    Betrieb(BetriebCmd),
    /// Anträge auflisten, anzeigen und entscheiden
    #[command(subcommand)]
    Antrag(AntragCmd),
    /// Bestätigungs-Codes prüfen und erneut senden
    #[command(subcommand)]
    Code(CodeCmd),
    /// Zuordnungen aufheben
    #[command(subcommand)]
    Zuordnung(ZuordnungCmd),
    /// Die Portalseite des Ablaufs (für Tests, Demos und Support)
    #[command(subcommand)]
    Portal(PortalCmd),
    /// Postausgang einsehen (nur Administration)
    #[command(subcommand)]
    Outbox(OutboxCmd),
    /// Anträge ablaufen lassen, deren Code nicht rechtzeitig verwendet wurde
    Expire,
    /// CSV-Exporte (Sachbearbeitung und Administration)
    #[command(subcommand)]
    Export(ExportCmd),
    /// Berichte
    #[command(subcommand)]
    Report(ReportCmd),
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// Die Antragsliste wie gefiltert, über alle Seiten, als CSV-Datei
    Antraege {
        #[command(flatten)]
        filter: FilterArgs,
        /// excel-de (Semikolon, UTF-8 mit BOM, deutsche Zeit) oder rfc4180 (Komma, ISO 8601)
        #[arg(long, default_value = "excel-de")]
        dialect: String,
        /// Zieldatei; sie erscheint erst, wenn der Export vollständig ist
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Monatsbericht: ohne --out als Tabelle (oder --json) auf der Konsole
    Monthly {
        /// JJJJ-MM, z. B. 2026-11
        #[arg(long)]
        month: String,
        #[arg(long, default_value = "excel-de")]
        dialect: String,
        /// CSV-Datei mit den Zahlen des Monats (Gesamt und je Gewerk)
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// CSV-Datei mit den letzten 12 Monaten nach Ergebnis
        #[arg(long)]
        series_out: Option<std::path::PathBuf>,
    },
}

/// The list's filter, shared by `antrag list` and `export antraege` so both select the same rows.
#[derive(Args)]
pub struct FilterArgs {
    /// Status (mehrfach möglich), z. B. awaiting_code, in_review, approved
    #[arg(long)]
    pub status: Vec<String>,
    /// gesendet ab (YYYY-MM-DD)
    #[arg(long)]
    pub from: Option<String>,
    /// gesendet vor (YYYY-MM-DD)
    #[arg(long)]
    pub to: Option<String>,
    /// Betriebsnummer
    #[arg(long)]
    pub betrieb: Option<String>,
    /// Suche in Firmenname, Inhaber, Antragsteller:in, E-Mail, Betriebsnummer, Antrag Nr.
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long)]
    pub newest_first: bool,
}

#[derive(Subcommand)]
pub enum ClerkCmd {
    /// Zugang anlegen (der erste Zugang einer leeren Datenbank braucht kein --as und muss admin sein)
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "sachbearbeitung")]
        role: String,
    },
    /// Neues Passwort setzen (eigenes, oder als admin für andere)
    Passwd { username: String },
    /// Zugang sperren
    Disable { username: String },
    /// Zugänge auflisten
    List,
}

#[derive(Subcommand)]
pub enum PolicyCmd {
    Show,
    Set(PolicySet),
}

#[derive(Args)]
pub struct PolicySet {
    #[arg(long)]
    pub code_lifetime_days: Option<i32>,
    #[arg(long)]
    pub code_attempt_limit: Option<i32>,
    #[arg(long)]
    pub resend_cooldown_seconds: Option<i32>,
    #[arg(long)]
    pub sends_per_day: Option<i32>,
    #[arg(long)]
    pub auto_approve_on_code: Option<bool>,
    #[arg(long)]
    pub chamber_name: Option<String>,
    #[arg(long)]
    pub hotline_phone: Option<String>,
    #[arg(long)]
    pub mail_from: Option<String>,
    #[arg(long)]
    pub portal_url: Option<String>,
}

#[derive(Subcommand)]
pub enum BetriebCmd {
    /// Betrieb mit Zuordnungen und Anträgen
    Show { betriebsnummer: String },
    /// Nach Nummer(nanfang), Name, Inhaber oder E-Mail suchen (tippfehlertolerant)
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

#[derive(Subcommand)]
pub enum AntragCmd {
    List {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Seitenmarke aus der vorigen Ausgabe
        #[arg(long)]
        after: Option<String>,
    },
    Show {
        nr: String,
    },
    /// Zuordnung bestätigen (ohne Code nur mit --reason)
    Approve {
        nr: String,
        #[arg(long)]
        reason: Option<String>,
    },
    Withdraw {
        nr: String,
        #[arg(long)]
        reason: String,
    },
    Reject {
        nr: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum CodeCmd {
    /// Codes eines Antrags (ohne den Code selbst)
    Inspect { nr: String },
    /// Einen vorgelesenen Code prüfen, ohne ihn zu verbrauchen
    Check { nr: String, code: String },
    /// Neuen Code an die Adresse laut Handwerksrolle senden
    Resend {
        nr: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum ZuordnungCmd {
    Revoke {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum PortalCmd {
    /// Persönlichen Account anlegen (Passwort aus KAMMERCTL_PORTAL_PASSWORD oder Abfrage)
    Register {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    Confirm {
        #[arg(long)]
        email: String,
        #[arg(long)]
        token: String,
    },
    /// Antrag zur Zuordnung stellen
    Request {
        #[arg(long)]
        email: String,
        #[arg(long)]
        betriebsnummer: String,
        #[arg(long)]
        firmenname: String,
    },
    SubmitCode {
        #[arg(long)]
        email: String,
        nr: String,
        code: String,
    },
    Withdraw {
        #[arg(long)]
        email: String,
        nr: String,
    },
}

#[derive(Subcommand)]
pub enum OutboxCmd {
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        antrag: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    Show {
        id: i64,
    },
    /// Postausgang versenden: ohne --once dauerhaft (Strg+C beendet nach den laufenden Sendungen)
    Run {
        /// Nur einmal alles Fällige senden, dann beenden (für cron)
        #[arg(long)]
        once: bool,
        #[command(flatten)]
        smtp: SmtpArgs,
        #[command(flatten)]
        worker: WorkerArgs,
    },
    /// Fehlgeschlagene E-Mail erneut einreihen (nur solange ihr Code gültig ist)
    Retry {
        /// Nummer der E-Mail im Postausgang
        #[arg(required_unless_present = "failed", conflicts_with = "failed")]
        id: Option<i64>,
        /// Alle fehlgeschlagenen E-Mails mit noch gültigem Code
        #[arg(long)]
        failed: bool,
    },
}

/// Der Mailserver. Werte aus Optionen und Umgebung gehen der Datei vor; das Passwort kommt
/// nur aus KAMMER_SMTP_PASSWORD oder aus der in der Datei genannten password_file.
#[derive(Args, Debug, Clone)]
pub struct SmtpArgs {
    /// TOML-Datei mit host, port, security, username, password_file, ca_file, timeout_seconds, pool_size
    #[arg(long, env = "KAMMER_SMTP_CONFIG")]
    pub smtp_config: Option<std::path::PathBuf>,
    #[arg(long, env = "KAMMER_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "KAMMER_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// starttls (Standard, Port 587), tls (Port 465) oder plain (nur zu localhost)
    #[arg(long, env = "KAMMER_SMTP_SECURITY")]
    pub smtp_security: Option<String>,
    #[arg(long, env = "KAMMER_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// Zusätzliche vertrauenswürdige CA (PEM), z. B. die der Kammer
    #[arg(long, env = "KAMMER_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<std::path::PathBuf>,
    /// Zeitlimit je SMTP-Schritt in Sekunden
    #[arg(long, env = "KAMMER_SMTP_TIMEOUT")]
    pub smtp_timeout: Option<u64>,
}

#[derive(Args, Debug, Clone)]
pub struct WorkerArgs {
    /// Gleichzeitige Sendungen
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Versuche, bevor eine vorübergehend abgewiesene E-Mail als fehlgeschlagen gilt
    #[arg(long, default_value_t = 10)]
    pub max_attempts: i32,
    /// Wartezeit nach dem ersten Fehlversuch in Sekunden; verdoppelt sich je Versuch (höchstens 1 Stunde)
    #[arg(long, default_value_t = 30)]
    pub retry_after: u64,
}
