//! `kammerctl handwerksrolle`: load the chamber's export of the Handwerksrolle (full
//! snapshot or delta, with a dry run that shows every change), and list what the imports
//! did. Importing is the import service's job (its login in --database-url, e.g. a nightly
//! timer) or an administrator's (--as).

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use kammer_core::db::Service;
use kammer_core::domain::Permission;
use kammer_core::handwerksrolle::{
    self, Change, ChangeKind, DEFAULT_MAX_REMOVED_PERCENT, HandwerksrolleFile, ImportOptions,
    ImportReport, Mode, Progress, Summary,
};
use kammer_core::{Error, Result};
use sqlx::PgPool;

use crate::context::Context;
use crate::{human, progress};

#[derive(Subcommand)]
pub enum Cmd {
    /// Export der Handwerksrolle (CSV) einlesen: als vollständiger Stand oder als Änderungen
    ///
    /// Ohne --dry-run wird alles in einer Transaktion übernommen oder gar nichts. Ungültige
    /// Zeilen lassen den ganzen Import scheitern (außer mit --skip-invalid); ein vollständiger
    /// Stand, der mehr als 5 % der Betriebe löschen würde, braucht --force. Format und
    /// Zuordnungsdatei: docs/handwerksrolle.md.
    Import {
        /// Die CSV-Datei aus dem Stammdatensystem der Kammer
        #[arg(value_name = "DATEI")]
        file: PathBuf,
        /// Nur anzeigen, was sich ändern würde
        #[arg(long)]
        dry_run: bool,
        /// Die Datei enthält nur geänderte Betriebe (Standard: vollständiger Stand)
        #[arg(long, conflicts_with = "full")]
        delta: bool,
        /// Die Datei ist die ganze Handwerksrolle; was fehlt, wird als gelöscht markiert (Standard)
        #[arg(long)]
        full: bool,
        /// Gültige Zeilen übernehmen und ungültige nur auflisten
        #[arg(long)]
        skip_invalid: bool,
        /// Auch übernehmen, wenn mehr Betriebe gelöscht würden als erlaubt
        #[arg(long)]
        force: bool,
        /// Höchstens so viel Prozent der Betriebe darf ein vollständiger Stand löschen
        #[arg(long, value_name = "PROZENT", default_value_t = DEFAULT_MAX_REMOVED_PERCENT)]
        max_removed_percent: f64,
        /// TOML-Datei mit den Spaltennamen des Stammdatensystems
        #[arg(long, value_name = "DATEI")]
        mapping: Option<PathBuf>,
    },
    /// Die letzten Importe der Handwerksrolle (Sachbearbeitung, Administration)
    Imports,
    /// Gelöschte Betriebe mit aktiven Zuordnungen, über die die Sachbearbeitung entscheidet
    Review,
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Import {
                file,
                dry_run,
                delta,
                full: _,
                skip_invalid,
                force,
                max_removed_percent,
                mapping,
            } => {
                let options = ImportOptions {
                    mode: if delta { Mode::Delta } else { Mode::Full },
                    skip_invalid,
                    force,
                    max_removed_percent,
                    dry_run,
                };
                let mapping = match mapping {
                    Some(path) => handwerksrolle::Mapping::from_toml_file(&path)?,
                    None => handwerksrolle::Mapping::default(),
                };
                let file = HandwerksrolleFile::inspect(&file, &mapping)?;
                let pool = importer(ctx).await?;
                import(ctx, &pool, &file, &mapping, &options).await
            }
            Cmd::Imports => {
                let session = ctx.clerk().await?;
                let imports =
                    handwerksrolle::recent_imports(&session, handwerksrolle::MAX_IMPORTS).await?;
                ctx.print(&imports, |imports| {
                    human::lines(imports, "Noch kein Import der Handwerksrolle.", |i| {
                        format!(
                            "Nr. {:<4} {}  {:<8} {}  von {}\n         {} Zeilen: {} neu, {} geändert ({} E-Mail), {} gelöscht, {} unverändert, {} übersprungen",
                            i.id,
                            human::date(i.at),
                            if i.mode == "full" { "Stand" } else { "Änderung" },
                            i.file_name,
                            i.by,
                            human::number(i.rows_in_file),
                            human::number(i.created),
                            human::number(i.changed),
                            human::number(i.email_changed),
                            human::number(i.removed),
                            human::number(i.unchanged),
                            human::number(i.skipped),
                        )
                    })
                });
                Ok(())
            }
            Cmd::Review => {
                let session = ctx.clerk().await?;
                let items = handwerksrolle::review_list(&session).await?;
                ctx.print(&items, |items| {
                    human::lines(
                        items,
                        "Keine gelöschten Betriebe mit aktiven Zuordnungen.",
                        |i| {
                            format!(
                                "{:<12} {:<40} gelöscht am {}  {}",
                                i.betriebsnummer,
                                i.firmenname,
                                i.geloescht_am.format("%d.%m.%Y"),
                                human::count(i.active_zuordnungen, human::ZUORDNUNG)
                            )
                        },
                    )
                });
                Ok(())
            }
        }
    }
}

/// An administrator with --as; otherwise the import service of --database-url.
async fn importer(ctx: &Context) -> Result<PgPool> {
    if ctx.as_user().is_some() {
        let session = ctx.clerk().await?;
        session.require(Permission::ImportHandwerksrolle)?;
        return Ok(session.pool().clone());
    }
    ctx.service(Service::Import).await
}

async fn import(
    ctx: &Context,
    pool: &PgPool,
    file: &HandwerksrolleFile,
    mapping: &handwerksrolle::Mapping,
    options: &ImportOptions,
) -> Result<()> {
    let bar = progress::count(human::ZEILE, "gelesen");
    let mut changes: Vec<Change> = Vec::new();
    let json = ctx.json();
    let mut out = std::io::stdout().lock();
    let report = handwerksrolle::import(
        pool,
        file,
        mapping,
        options,
        |change| {
            if json {
                changes.push(change);
            } else {
                bar.suspend(|| {
                    let _ = writeln!(out, "{}", change_line(&change));
                });
            }
        },
        |p| match p {
            Progress::Reading { rows } => bar.set_position(rows),
            Progress::Comparing { rows } => {
                bar.set_position(rows);
                bar.set_message("Abgleich mit der Handwerksrolle in KammerDesk");
            }
            Progress::Applying => bar.set_message("Übernahme"),
        },
    )
    .await;
    bar.finish_and_clear();
    drop(out);
    let report = report?;
    let refusal = report.summary.refusal_de.clone();
    ctx.print(
        &serde_json::json!({ "report": &report, "changes": changes }),
        |_| summary_text(&report),
    );
    match refusal {
        Some(refusal) => Err(Error::validation(refusal)),
        None => Ok(()),
    }
}

/// One line of the diff, e.g. `Zeile 12  geändert  1000  Bäckerei Müller` with the fields below.
fn change_line(c: &Change) -> String {
    let line = match c.line {
        Some(n) => format!("Zeile {n}"),
        None => "–".to_string(),
    };
    let mut text = format!(
        "{line:<11} {:<9} {:<12} {}",
        c.kind_label, c.betriebsnummer, c.firmenname
    );
    if c.kind == ChangeKind::Removed && c.line.is_none() {
        text.push_str(" (nicht mehr in der Datei)");
    }
    if let Some(reason) = &c.reason_de {
        text.push_str(&format!("\n{:<11} {reason}", ""));
    }
    for f in &c.fields {
        text.push_str(&format!(
            "\n{:<11} {}: {} → {}",
            "",
            f.label_de,
            f.old.as_deref().unwrap_or("(leer)"),
            f.new.as_deref().unwrap_or("(leer)")
        ));
    }
    text
}

fn summary_text(report: &ImportReport) -> String {
    let s: &Summary = &report.summary;
    let f = &report.file;
    let mut text = format!(
        "Datei {} ({}, Trennzeichen „{}“, SHA-256 {})\n{}: {}\n  neu {} · geändert {} (E-Mail-Adresse: {}) · gelöscht {} · unverändert {} · ungültig {}",
        f.file_name,
        f.encoding,
        f.separator,
        f.sha256,
        match s.mode {
            Mode::Full => "Vollständiger Stand",
            Mode::Delta => "Änderungen",
        },
        human::count(s.rows_in_file, human::ZEILE),
        human::number(s.created),
        human::number(s.changed),
        human::number(s.email_changed),
        human::number(s.removed),
        human::number(s.unchanged),
        human::number(s.invalid),
    );
    if s.mode == Mode::Full && s.removed > 0 {
        text.push_str(&format!(
            " ({} % der Betriebe, erlaubt {} %)",
            human::decimal(s.removed_percent),
            human::decimal(s.max_removed_percent)
        ));
    }
    text.push('\n');
    if s.nothing_to_do() {
        text.push_str(
            "Keine Änderungen: Die Datei entspricht dem Stand der Handwerksrolle in KammerDesk.",
        );
        if report.applied {
            text.push_str(" Der Import ist protokolliert.");
        }
    } else if let Some(refusal) = &s.refusal_de {
        text.push_str(&format!("Probelauf: Der Import würde abgelehnt. {refusal}"));
    } else if !report.applied {
        text.push_str("Probelauf: Nichts wurde übernommen.");
    } else {
        text.push_str(&format!(
            "Übernommen (Import Nr. {}). {} ungültig gemacht, {} geschlossen.",
            s.import_id.unwrap_or_default(),
            human::count(s.codes_retired.unwrap_or_default(), human::CODE),
            human::count(s.antraege_closed.unwrap_or_default(), human::ANTRAG),
        ));
        if s.invalid > 0 {
            text.push_str(&format!(
                " {} übersprungen (siehe oben).",
                human::count(s.invalid, human::ZEILE)
            ));
        }
    }
    text
}
