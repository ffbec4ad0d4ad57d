use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{Cell, Dialect};
use crate::{Error, Result};

/// A CSV file that appears under its name only when it is complete. Rows go to a hidden
/// temporary file beside the target (same directory, so the final rename is atomic and never
/// crosses file systems); [`CsvFile::persist`] fsyncs it and renames it into place. Dropped
/// before that — cancelled, failed, panicked — it removes the temporary file, so neither a
/// half-written export nor litter is left, and an older file under the name stays as it was.
pub struct CsvFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<csv::Writer<File>>,
    dialect: Dialect,
}

impl CsvFile {
    pub fn create(target: &Path, dialect: Dialect) -> Result<Self> {
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                Error::validation(format!(
                    "„{}“ ist kein Dateiname für den Export.",
                    target.display()
                ))
            })?;
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::validation(format!(
                "Das Verzeichnis „{}“ gibt es nicht.",
                dir.display()
            )));
        }
        if target.is_dir() {
            return Err(Error::validation(format!(
                "„{}“ ist ein Verzeichnis, keine Datei.",
                target.display()
            )));
        }
        let temp = dir.join(format!(".{name}.{}.part", crate::domain::random_hex(4)));
        let mut file = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| io_error(&e, target))?;
        file.write_all(dialect.bom())
            .map_err(|e| io_error(&e, target))?;
        let writer = csv::WriterBuilder::new()
            .delimiter(dialect.separator())
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(64 * 1024)
            .from_writer(file);
        Ok(CsvFile {
            target: target.to_path_buf(),
            temp,
            writer: Some(writer),
            dialect,
        })
    }

    pub fn header(&mut self, names: &[&str]) -> Result<()> {
        let cells: Vec<Cell<'_>> = names.iter().map(|n| Cell::Text(n)).collect();
        self.row(&cells)
    }

    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<()> {
        let dialect = self.dialect;
        let rendered: Vec<_> = cells.iter().map(|c| c.render(dialect)).collect();
        let writer = self.writer.as_mut().expect("writer present until persist");
        writer
            .write_record(rendered.iter().map(|c| c.as_bytes()))
            .map_err(|e| csv_error(e, &self.target))
    }

    /// Flushes, fsyncs and renames the file into place; returns its final path.
    pub fn persist(mut self) -> Result<PathBuf> {
        let writer = self.writer.take().expect("persist runs once");
        let file = writer
            .into_inner()
            .map_err(|e| io_error(e.error(), &self.target))?;
        file.sync_all().map_err(|e| io_error(&e, &self.target))?;
        drop(file);
        fs::rename(&self.temp, &self.target).map_err(|e| io_error(&e, &self.target))?;
        // The rename itself is durable only once the directory is synced (POSIX). Opening a
        // directory fails on Windows, where the rename is already durable: nothing to do there.
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(self.target.clone())
    }
}

impl Drop for CsvFile {
    fn drop(&mut self) {
        if self.temp.exists() {
            drop(self.writer.take());
            if let Err(e) = fs::remove_file(&self.temp) {
                tracing::warn!("could not remove {}: {e}", self.temp.display());
            }
        }
    }
}

fn csv_error(e: csv::Error, target: &Path) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io_error(&io, target),
        other => Error::internal(format!("csv writer: {other:?}")),
    }
}

fn io_error(e: &io::Error, target: &Path) -> Error {
    tracing::warn!("export to {}: {e}", target.display());
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => Error::forbidden(
            format!("Keine Berechtigung, „{}“ zu schreiben.", target.display()),
        ),
        io::ErrorKind::StorageFull => Error::unavailable(format!(
            "Kein Platz mehr auf dem Datenträger für „{}“. Der Export wurde nicht gespeichert.",
            target.display()
        )),
        _ => Error::unavailable(format!(
            "„{}“ konnte nicht geschrieben werden. Der Export wurde nicht gespeichert.",
            target.display()
        )),
    }
}
