//! `kammerctl`: KammerDesk from the shell. Every clerk action over the same core functions as
//! the desk, signed in with the clerk's own database login; the services (mail sender, cron
//! jobs, the portal's support tool) with their service logins; set-up as a superuser.
//!
//! One module per subcommand under `commands/`, each with its clap arguments, its handler and
//! its output for people; `context` connects, signs in and prints; `human` holds the few
//! formatting helpers several commands share.

mod commands;
mod context;
mod human;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};
use kammer_core::error::ErrorBody;

use context::{Connection, Context};

#[derive(Parser)]
#[command(
    name = "kammerctl",
    version,
    about = "KammerDesk auf der Kommandozeile: Einrichtung, Zugänge, Dienste und alle Aktionen der Sachbearbeitung",
    after_help = context::CONNECTION_HELP
)]
struct Cli {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: commands::Command,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
                // sqlx warns about every statement over 0.5 s; an export of a million rows is
                // one such statement by design, and cron would mail the warning. It also logs
                // the server's NOTICEs as warnings (e.g. set-up revoking a group a demo login
                // does not hold): information for IT, not for a clerk's terminal.
                .unwrap_or_else(|_| "warn,sqlx::query=error,sqlx::postgres::notice=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // Clap exits with 2 on a usage error; everything the core refuses exits with 1.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if as_given_on_command_line(&matches) && !cli.command.signs_in_as_clerk() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--as gilt nur für Aktionen der Sachbearbeitung (und export/report). Einrichtung \
                 und Dienste melden sich mit dem Zugang aus --database-url an.",
            )
            .exit();
    }
    let json = cli.connection.json;
    let outcome = match Context::new(cli.connection) {
        Ok(ctx) => cli.command.run(&ctx).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": ErrorBody::from(&e) }));
            } else {
                eprintln!("Fehler ({}): {}", e.kind().as_str(), e.message());
            }
            ExitCode::from(1)
        }
    }
}

/// `--as` typed on the command line, anywhere (it is global). KAMMERCTL_USER from the
/// environment is a default for clerk commands and is not held against the others.
fn as_given_on_command_line(matches: &ArgMatches) -> bool {
    let mut level = Some(matches);
    while let Some(m) = level {
        if m.value_source("as_user") == Some(ValueSource::CommandLine) {
            return true;
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    false
}
