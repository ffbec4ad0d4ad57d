//! `kammerctl export antraege`: the Antragsliste as a CSV file, for a clerk or for cron as the
//! reporting service. Rows come from the replica when there is one; the audit record of the
//! finished file goes to the primary.

use std::path::PathBuf;

use clap::Subcommand;
use kammer_core::db::Reader;
use kammer_core::export::{self, Dialect, ExportControl, ExportOutcome};
use kammer_core::{Error, Result};

use super::antrag::FilterArgs;
use crate::context::{AnyReader, Context, interrupted};
use crate::{human, progress};

#[derive(Subcommand)]
pub enum Cmd {
    /// Die Antragsliste wie gefiltert, über alle Seiten, als CSV-Datei
    Antraege {
        #[command(flatten)]
        filter: FilterArgs,
        /// excel-de (Semikolon, UTF-8 mit BOM, deutsche Zeit) oder rfc4180 (Komma, ISO 8601)
        #[arg(long, default_value = "excel-de")]
        dialect: String,
        /// Zieldatei; sie erscheint erst, wenn der Export vollständig ist
        #[arg(long)]
        out: PathBuf,
    },
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Antraege {
                filter,
                dialect,
                out,
            } => {
                let (filter, dialect) = (filter.to_filter()?, Dialect::parse(&dialect)?);
                let export = Antraege {
                    filter,
                    dialect,
                    out,
                };
                let outcome = match ctx.reader().await? {
                    AnyReader::Clerk(session) => export.write(&session).await?,
                    AnyReader::Reporting(service) => export.write(&service).await?,
                };
                ctx.print(&outcome, |o| match o {
                    ExportOutcome::Written { path, rows } => format!(
                        "{} nach {} exportiert ({}).",
                        human::count(*rows, human::ANTRAG),
                        path.display(),
                        dialect.label_de()
                    ),
                    ExportOutcome::Cancelled { .. } => "Export abgebrochen.".into(),
                });
                Ok(())
            }
        }
    }
}

struct Antraege {
    filter: kammer_core::antraege::AntragFilter,
    dialect: Dialect,
    out: PathBuf,
}

impl Antraege {
    async fn write(&self, reader: &impl Reader) -> Result<ExportOutcome> {
        // Ctrl-C or SIGTERM stops the export cleanly: no half-written file, no temporary file left.
        let bar = progress::count(human::ANTRAG, "geschrieben");
        let control = ExportControl::new().with_progress({
            let bar = bar.clone();
            move |rows| bar.set_position(rows)
        });
        let on_interrupt = control.clone();
        tokio::spawn(async move {
            interrupted().await;
            on_interrupt.cancel();
        });
        let outcome =
            export::antraege(reader, &self.filter, self.dialect, &self.out, &control).await;
        bar.finish_and_clear();
        let outcome = outcome?;
        if let ExportOutcome::Cancelled { .. } = outcome {
            return Err(Error::conflict(
                "Der Export wurde abgebrochen; es wurde keine Datei geschrieben.",
            ));
        }
        Ok(outcome)
    }
}
