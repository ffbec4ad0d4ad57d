//! `kammerctl`: KammerDesk from the shell. Every clerk action over the same core functions as
//! the desk, signed in with the clerk's own database login; the services (mail sender, cron
//! jobs, the portal's support tool) with their service logins; set-up as a superuser.
//!
//! One module per subcommand under `commands/`, each with its clap arguments, its handler and
//! its output for people; `context` connects, signs in and prints; `human` holds the few
//! formatting helpers several commands share.

mod commands;
mod context;
mod exit;
mod help;
mod human;
mod progress;

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
    after_help = format!("{}\n\n{}", context::CONNECTION_HELP, exit::help())
)]
struct Cli {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: commands::Command,
}

/// The command tree, with its help in German (`help`).
pub fn command() -> clap::Command {
    help::german(Cli::command())
}

fn main() -> ExitCode {
    // An address on the command line makes any DATABASE_URL of the shell irrelevant.
    // (args_os: an argument that is not UTF-8 must reach clap's German error, not panic here.)
    let url_given = std::env::args_os().any(|a| {
        a.to_str()
            .is_some_and(|a| a == "--database-url" || a.starts_with("--database-url="))
    });
    let unused: &[&str] = if url_given { &["DATABASE_URL"] } else { &[] };
    // SAFETY: the first thing the process does; no other thread exists yet.
    for warning in unsafe { kammer_core::env_names::adopt_renamed(unused) } {
        eprintln!("kammerctl: {warning}");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts")
        .block_on(run())
}

async fn run() -> ExitCode {
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
    // Clap exits with 2 on a usage error; what the core refuses exits with the code of its
    // kind (`exit`).
    let matches = command()
        .try_get_matches()
        .unwrap_or_else(|e| help::usage_error(e));
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| help::usage_error(e));
    if as_given_on_command_line(&matches) && !cli.command.signs_in_as_clerk() {
        eprintln!(
            "Fehler (usage): --as gilt nur für Aktionen der Sachbearbeitung (und \
             export/report). Einrichtung und Dienste melden sich mit dem Zugang aus \
             --database-url an."
        );
        return ExitCode::from(exit::code(kammer_core::ErrorKind::Validation));
    }
    if cli.command.run_without_database() {
        return ExitCode::SUCCESS;
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
            ExitCode::from(exit::code(e.kind()))
        }
    }
}

/// `--as` typed on the command line, anywhere (it is global). KAMMERDESK_USER from the
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command down the tree, with its path: `kammerctl antrag approve`.
    fn all_commands() -> Vec<(String, clap::Command)> {
        fn walk(path: &str, cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
            for sub in cmd.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                out.push((path.clone(), sub.clone()));
                walk(&path, sub, out);
            }
        }
        let mut cmd = command();
        cmd.build();
        let mut out = vec![("kammerctl".to_string(), cmd.clone())];
        walk("kammerctl", &cmd, &mut out);
        out
    }

    #[test]
    fn the_command_tree_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_command_says_what_it_does() {
        let commands = all_commands();
        assert!(commands.len() > 40, "{}", commands.len());
        let missing: Vec<&str> = commands
            .iter()
            .filter(|(_, c)| {
                c.get_about()
                    .is_none_or(|a| a.to_string().trim().is_empty())
            })
            .map(|(path, _)| path.as_str())
            .collect();
        assert!(missing.is_empty(), "without a description: {missing:?}");
    }

    #[test]
    fn the_help_is_german_and_writes_dates_the_german_way() {
        for (path, mut cmd) in all_commands() {
            let help = cmd.render_long_help().to_string();
            for english in [
                "YYYY",
                "MM-DD",
                "Usage:",
                "Options:",
                "Commands:",
                "Arguments:",
                "Print help",
                "Print version",
                "Print this message",
                "[default:",
                "[env:",
                "possible values",
                "Possible values",
                "<REASON>",
                "<SEARCH>",
                "<LIMIT>",
                "<DATABASE_URL>",
            ] {
                assert!(!help.contains(english), "{path}: „{english}“ in\n{help}");
            }
            assert!(help.contains("Aufruf:"), "{path}:\n{help}");
        }
    }
}
