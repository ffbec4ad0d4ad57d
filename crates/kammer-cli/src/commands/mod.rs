//! The subcommands of `kammerctl`, one module each: its arguments, its handler and what it
//! prints for people.

use clap::Subcommand;
use kammer_core::Result;

use crate::context::Context;

mod antrag;
mod betrieb;
mod clerk;
mod code;
mod completions;
mod demo_seed;
mod expire;
mod export;
mod handwerksrolle;
mod migrate;
mod outbox;
mod policy;
mod portal;
mod report;
mod service_login;
mod zuordnung;

#[derive(Subcommand)]
pub enum Command {
    /// Datenbankschema anlegen oder aktualisieren (Einrichtung, als Superuser)
    Migrate,
    /// Deterministische Demodaten laden, mit Demo-Zugängen (Einrichtung, als Superuser)
    DemoSeed(demo_seed::Cmd),
    /// Zugänge der Sachbearbeitung verwalten
    #[command(subcommand)]
    Clerk(clerk::Cmd),
    /// Dienst-Zugänge anlegen (Einrichtung, als Superuser)
    #[command(subcommand)]
    ServiceLogin(service_login::Cmd),
    /// Richtlinie der Kammer anzeigen oder ändern
    #[command(subcommand)]
    Policy(policy::Cmd),
    /// Betriebe nachschlagen
    #[command(subcommand)]
    Betrieb(betrieb::Cmd),
    /// Anträge auflisten, anzeigen und entscheiden
    #[command(subcommand)]
    Antrag(antrag::Cmd),
    /// Bestätigungs-Codes prüfen und erneut senden
    #[command(subcommand)]
    Code(code::Cmd),
    /// Zuordnungen aufheben
    #[command(subcommand)]
    Zuordnung(zuordnung::Cmd),
    /// Support- und Testwerkzeug: die Portalseite des Ablaufs, als Dienst-Zugang des Portals
    ///
    /// Account anlegen, Antrag stellen, Code eingeben, zurückziehen: was das
    /// Verwaltungsportal der Kammer aufruft, von Hand. Meldet sich mit dem Dienst-Zugang des
    /// Portals aus --database-url an (Gruppe kammer_portal); kein Werkzeug der Sachbearbeitung.
    #[command(subcommand)]
    Portal(portal::Cmd),
    /// Postausgang einsehen (Administration) und versenden (Dienst E-Mail-Versand)
    #[command(subcommand)]
    Outbox(outbox::Cmd),
    /// Handwerksrolle einlesen (Dienst Import oder Administration) und Importe einsehen
    #[command(subcommand)]
    Handwerksrolle(handwerksrolle::Cmd),
    /// Anträge ablaufen lassen, deren Code nicht rechtzeitig verwendet wurde (Dienst Berichte und Fristen)
    Expire,
    /// CSV-Exporte (Sachbearbeitung oder Berichtsdienst)
    #[command(subcommand)]
    Export(export::Cmd),
    /// Berichte (Sachbearbeitung oder Berichtsdienst)
    #[command(subcommand)]
    Report(report::Cmd),
    /// Vervollständigung der Befehle für die Shell ausgeben (bash, zsh, fish, powershell)
    ///
    /// Zum Beispiel für bash: kammerctl completions bash > /etc/bash_completion.d/kammerctl;
    /// für PowerShell: kammerctl completions powershell >> $PROFILE. Braucht keine Datenbank.
    Completions(completions::Cmd),
    /// Hilfe zu kammerctl oder zu einem Befehl anzeigen, z. B. kammerctl help antrag approve
    Help {
        /// Der Befehl, z. B. antrag approve
        #[arg(value_name = "BEFEHL")]
        befehl: Vec<String>,
    },
}

impl Command {
    /// The commands that need no database, run at once; `false` for all others.
    pub fn run_without_database(&self) -> bool {
        match self {
            Command::Completions(cmd) => cmd.run(),
            Command::Help { befehl } => {
                let call = ["kammerctl"]
                    .into_iter()
                    .chain(befehl.iter().map(String::as_str))
                    .chain(["--help"]);
                // Prints the help and exits, as `kammerctl … --help` does (or with clap's
                // usage error for an unknown command).
                if let Err(e) = crate::command().try_get_matches_from(call) {
                    crate::help::usage_error(e);
                }
            }
            _ => return false,
        }
        true
    }

    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Command::Migrate => migrate::run(ctx).await,
            Command::DemoSeed(cmd) => cmd.run(ctx).await,
            Command::Clerk(cmd) => cmd.run(ctx).await,
            Command::ServiceLogin(cmd) => cmd.run(ctx).await,
            Command::Policy(cmd) => cmd.run(ctx).await,
            Command::Betrieb(cmd) => cmd.run(ctx).await,
            Command::Antrag(cmd) => cmd.run(ctx).await,
            Command::Code(cmd) => cmd.run(ctx).await,
            Command::Zuordnung(cmd) => cmd.run(ctx).await,
            Command::Portal(cmd) => cmd.run(ctx).await,
            Command::Outbox(cmd) => cmd.run(ctx).await,
            Command::Expire => expire::run(ctx).await,
            Command::Handwerksrolle(cmd) => cmd.run(ctx).await,
            Command::Export(cmd) => cmd.run(ctx).await,
            Command::Report(cmd) => cmd.run(ctx).await,
            Command::Completions(_) | Command::Help { .. } => {
                unreachable!("run_without_database runs these")
            }
        }
    }

    /// Whether `--as` means anything here: set-up and the services sign in with the login
    /// of `--database-url`.
    pub fn signs_in_as_clerk(&self) -> bool {
        !matches!(
            self,
            Command::Migrate
                | Command::DemoSeed(_)
                | Command::ServiceLogin(_)
                | Command::Portal(_)
                | Command::Expire
                | Command::Completions(_)
                | Command::Help { .. }
        ) && !matches!(self, Command::Outbox(cmd) if cmd.is_service())
    }
}
