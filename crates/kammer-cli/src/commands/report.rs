//! `kammerctl report monthly`: the monthly report, on the terminal or as CSV files, for a
//! clerk or for cron as the reporting service.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Subcommand;
use kammer_core::Result;
use kammer_core::db::Reader;
use kammer_core::export::Dialect;
use kammer_core::report::{
    self, ALL_SITES, FIGURE_COLUMNS, FILIALE, Figure, Figures, HAUPTSITZ, MONTHLY_HEADER, Month,
    MonthlyReport, SERIES_HEADER, TOTAL,
};

use crate::context::{AnyReader, Context};
use crate::{human, progress};

#[derive(Subcommand)]
pub enum Cmd {
    /// Monatsbericht: ohne --out als Tabelle (oder --json) auf der Konsole
    Monthly {
        /// JJJJ-MM, z. B. 2026-11
        #[arg(long)]
        month: String,
        /// excel-de (Semikolon, UTF-8 mit BOM, deutsche Zeit) oder rfc4180 (Komma, ISO 8601)
        #[arg(long, default_value = "excel-de")]
        dialect: String,
        /// CSV-Datei mit den Zahlen des Monats (Gesamt, Hauptsitze, Filialen und je Gewerk)
        #[arg(long)]
        out: Option<PathBuf>,
        /// CSV-Datei mit den letzten 12 Monaten nach Ergebnis
        #[arg(long)]
        series_out: Option<PathBuf>,
    },
}

/// What `report monthly` does, whoever reads.
struct Monthly {
    month: Month,
    dialect: Dialect,
    out: Option<PathBuf>,
    series_out: Option<PathBuf>,
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Monthly {
                month,
                dialect,
                out,
                series_out,
            } => {
                let monthly = Monthly {
                    month: Month::parse(&month)?,
                    dialect: Dialect::parse(&dialect)?,
                    out,
                    series_out,
                };
                match ctx.reader().await? {
                    AnyReader::Clerk(session) => monthly.run(ctx, &session).await,
                    AnyReader::Reporting(service) => monthly.run(ctx, &service).await,
                }
            }
        }
    }
}

impl Monthly {
    async fn run(&self, ctx: &Context, reader: &impl Reader) -> Result<()> {
        let bar = progress::spinner();
        let outcome = self.compute_and_write(reader, &bar).await;
        bar.finish_and_clear();
        let (r, written) = outcome?;
        if written.is_empty() {
            ctx.print(&r, human);
        } else {
            ctx.print(&serde_json::json!({ "written": written }), |_| {
                written
                    .iter()
                    .map(|p| {
                        format!(
                            "Monatsbericht {} nach {} geschrieben.",
                            self.month,
                            p.display()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        Ok(())
    }
}

impl Monthly {
    /// The report, and the files written.
    async fn compute_and_write(
        &self,
        reader: &impl Reader,
        bar: &indicatif::ProgressBar,
    ) -> Result<(MonthlyReport, Vec<PathBuf>)> {
        bar.set_message(format!("Zahlen für {} werden berechnet", self.month));
        let r = report::monthly(reader, self.month).await?;
        let mut written = Vec::new();
        if let Some(out) = &self.out {
            bar.set_message("Monatsbericht wird geschrieben");
            written.push(report::write_monthly(reader, &r, self.dialect, out).await?);
        }
        if let Some(out) = &self.series_out {
            bar.set_message("Verlauf wird geschrieben");
            written.push(report::write_series(reader, &r, self.dialect, out).await?);
        }
        Ok((r, written))
    }
}

fn figure_values(f: &Figures) -> [String; FIGURE_COLUMNS] {
    f.columns().map(|figure| match figure {
        Figure::Count(n) => human::number(n),
        Figure::Hours(h) => h.map_or("–".into(), human::decimal),
    })
}

/// The figures as rows; as columns the rows of the CSV — Gesamt for all, for Hauptsitze and
/// for Filialen, then each Gewerk — headed by the CSV's two label columns, Gewerk and
/// Hauptsitz/Filiale; then the twelve months.
fn human(r: &MonthlyReport) -> String {
    let (gewerk_label, site_label) = (MONTHLY_HEADER[1], MONTHLY_HEADER[2]);
    let labels = &MONTHLY_HEADER[3..];
    let mut columns = vec![
        (TOTAL, ALL_SITES, figure_values(&r.total)),
        (TOTAL, HAUPTSITZ, figure_values(&r.hauptsitze)),
        (TOTAL, FILIALE, figure_values(&r.filialen)),
    ];
    columns.extend(
        r.by_gewerk
            .iter()
            .map(|g| (g.gewerk.as_str(), ALL_SITES, figure_values(&g.figures))),
    );
    let label_width = labels
        .iter()
        .chain([&gewerk_label, &site_label])
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = columns
        .iter()
        .map(|(gewerk, site, values)| {
            values
                .iter()
                .map(|v| v.chars().count())
                .chain([gewerk.chars().count(), site.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("Monatsbericht {}\n\n{gewerk_label:label_width$}", r.month);
    for ((gewerk, _, _), w) in columns.iter().zip(&widths) {
        let _ = write!(out, "  {gewerk:>w$}");
    }
    let _ = write!(out, "\n{site_label:label_width$}");
    for ((_, site, _), w) in columns.iter().zip(&widths) {
        let _ = write!(out, "  {site:>w$}");
    }
    out.push('\n');
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(out, "{label:label_width$}");
        for ((_, _, values), w) in columns.iter().zip(&widths) {
            let _ = write!(out, "  {:>w$}", values[i]);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\nLetzte 12 Monate nach Ergebnis");
    let series_labels = &SERIES_HEADER;
    let _ = writeln!(out, "{}", series_labels.join("  "));
    for m in &r.series {
        let cells = [m.month.to_string()]
            .into_iter()
            .chain(m.columns().map(human::number));
        let line: Vec<String> = cells
            .zip(series_labels.iter())
            .map(|(c, l)| format!("{c:>w$}", w = l.chars().count()))
            .collect();
        let _ = writeln!(out, "{}", line.join("  "));
    }
    out
}
