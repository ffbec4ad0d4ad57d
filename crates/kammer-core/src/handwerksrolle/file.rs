//! The chamber's Handwerksrolle export (CSV) read as a stream: up to a million Betriebe,
//! ~150 MB, so no step ever holds the whole file.
//!
//! Two passes over the bytes. [`HandwerksrolleFile::inspect`] hashes the file (the importer
//! writes the SHA-256 into the audit log, so a later question „which file was that?“ has an
//! answer), decides UTF-8 or Windows-1252 — which needs every byte, since one umlaut late in
//! the file decides it — and checks the header. [`HandwerksrolleFile::records`] then parses.
//! It hashes again on the way, so rows from a file that changed between the passes (an export
//! still being written) are never taken for the file the audit log names.
//!
//! The CSV is parsed as bytes and each field decoded afterwards: separators, quotes and line
//! ends are ASCII in both encodings, and UTF-8 never uses ASCII bytes inside a character.
//!
//! Only what the reader itself cannot read becomes a [`Record::problem`]. Betriebsnummer
//! format, e-mail syntax, duplicates and Hauptsitz references are the database's rules, kept
//! in one place there.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use encoding_rs::{DecoderResult, Encoding};
use sha2::{Digest, Sha256};

use super::mapping::{Column, Mapping, TextEncoding};
use crate::{Error, Result};

const CHUNK_BYTES: usize = 64 * 1024;
/// A header longer than this is not a header: the file is not the export.
const MAX_HEADER_BYTES: usize = 1024 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One row of the export, fields trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The file line where the record starts, 1-based; the header is line 1.
    pub line: u64,
    pub betriebsnummer: String,
    pub firmenname: String,
    pub inhaber: String,
    pub strasse: String,
    pub plz: String,
    pub ort: String,
    pub gewerk: String,
    pub email: String,
    /// The Hauptsitz's Betriebsnummer; `None` for a Hauptsitz (empty field).
    pub hauptsitz: Option<String>,
    pub loeschdatum: Option<NaiveDate>,
    /// Why the reader could not read this row, in German for the clerk; `None` when it could.
    pub problem: Option<String>,
}

/// What the first pass learnt about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandwerksrolleFile {
    pub path: PathBuf,
    pub file_name: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// „UTF-8“, „UTF-8 mit BOM“ or „Windows-1252“.
    pub encoding: &'static str,
    /// `b';'` or `b','`.
    pub separator: u8,
    pub size_bytes: u64,
    /// The header line's fields as found (trimmed), for showing the clerk.
    pub headers: Vec<String>,
    text_encoding: TextEncoding,
    bom: bool,
    ends_with_lf: bool,
}

impl HandwerksrolleFile {
    /// Pass 1: hash, encoding, separator and header check, streaming.
    pub fn inspect(path: &Path, mapping: &Mapping) -> Result<HandwerksrolleFile> {
        let mut file = open(path)?;
        let mut hasher = Sha256::new();
        let mut utf8 = Utf8Check::new();
        let mut header = HeaderScan::default();
        let mut size_bytes = 0u64;
        let mut last_byte = None;
        let mut buf = vec![0u8; CHUNK_BYTES];
        loop {
            let n = match file.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(&e, path)),
            };
            let chunk = &buf[..n];
            hasher.update(chunk);
            header.feed(chunk);
            utf8.feed(chunk, n == 0);
            size_bytes += n as u64;
            if n == 0 {
                break;
            }
            last_byte = chunk.last().copied();
        }
        let shown = path.display();
        if size_bytes == 0 {
            return Err(Error::validation(format!("Die Datei „{shown}“ ist leer.")));
        }
        if header.bare_cr {
            return Err(Error::validation(format!(
                "„{shown}“ trennt die Zeilen nur mit CR (altes Mac-Format). Bitte den Export mit Zeilenende LF oder CRLF speichern."
            )));
        }
        if header.overlong {
            return Err(Error::validation(format!(
                "Die erste Zeile von „{shown}“ ist länger als 1 MB. Das ist keine CSV-Datei des Handwerksrollen-Exports."
            )));
        }
        let head = header.bytes.as_slice();
        refuse_non_csv(head, path)?;
        let bom = head.starts_with(UTF8_BOM);
        let text_encoding = match (mapping.encoding, bom, utf8.first_invalid_line) {
            (Some(TextEncoding::Windows1252), true, _) => {
                return Err(Error::validation(format!(
                    "„{shown}“ beginnt mit der UTF-8-Kennung (BOM), die Zuordnungsdatei legt aber kodierung = „windows-1252“ fest. Bitte die Angabe „kodierung“ entfernen."
                )));
            }
            // A BOM promises UTF-8; replacing the broken bytes would put „�“ into names.
            (None, true, Some(line)) => {
                return Err(Error::validation(format!(
                    "„{shown}“ beginnt mit der UTF-8-Kennung (BOM), ist aber ab Zeile {line} kein gültiges UTF-8. Bitte den Export neu erstellen."
                )));
            }
            (Some(TextEncoding::Utf8), _, Some(line)) => {
                return Err(Error::validation(format!(
                    "„{shown}“ ist nicht durchgehend UTF-8 (zuerst in Zeile {line}), die Zuordnungsdatei legt aber kodierung = „utf-8“ fest. Bitte die Angabe „kodierung“ prüfen."
                )));
            }
            (Some(fixed), _, _) => fixed,
            (None, _, None) => TextEncoding::Utf8,
            (None, false, Some(line)) => {
                tracing::info!("{shown}: not UTF-8 from line {line} on, read as Windows-1252");
                TextEncoding::Windows1252
            }
        };
        let header_text = decode(text_encoding, head.strip_prefix(UTF8_BOM).unwrap_or(head));
        let separator = mapping
            .separator
            .unwrap_or_else(|| detect_separator(&header_text));
        let headers = header_fields(&header_text, separator);
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.to_string());
        resolve_columns(&headers, mapping, separator, &file_name)?;
        Ok(HandwerksrolleFile {
            path: path.to_path_buf(),
            file_name,
            sha256: hex::encode(hasher.finalize()),
            encoding: match (text_encoding, bom) {
                (TextEncoding::Utf8, true) => "UTF-8 mit BOM",
                (TextEncoding::Utf8, false) => "UTF-8",
                (TextEncoding::Windows1252, _) => "Windows-1252",
            },
            separator,
            size_bytes,
            headers,
            text_encoding,
            bom,
            ends_with_lf: last_byte == Some(b'\n'),
        })
    }

    /// Pass 2: the rows, streaming. The last item is an error if the file's bytes are no
    /// longer the ones [`inspect`](Self::inspect) hashed.
    pub fn records(&self, mapping: &Mapping) -> Result<Records> {
        let file = open(&self.path)?;
        let mut source = HashingReader {
            inner: file,
            hasher: Sha256::new(),
            count: 0,
        };
        let bom_len = if self.bom { UTF8_BOM.len() as u64 } else { 0 };
        if self.bom {
            let mut bom = [0u8; 3];
            source
                .read_exact(&mut bom)
                .map_err(|e| io_error(&e, &self.path))?;
        }
        // LF alone ends a record: with csv's default (CR, LF or CRLF) a record's position is
        // taken before the LF of a CRLF and before skipped blank lines, one line too early.
        // A CR before the LF stays in the last field and is trimmed away with the spaces.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(self.separator)
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .buffer_capacity(CHUNK_BYTES)
            .from_reader(source);
        let mut row = csv::ByteRecord::new();
        let has_header = reader
            .read_byte_record(&mut row)
            .map_err(|e| csv_error(e, &self.path))?;
        if !has_header {
            return Err(changed(&self.path));
        }
        let headers: Vec<String> = row.iter().map(|f| decode(self.text_encoding, f)).collect();
        let columns = resolve_columns(&headers, mapping, self.separator, &self.file_name)?;
        Ok(Records {
            reader,
            row,
            columns,
            width: headers.len(),
            text_encoding: self.text_encoding,
            bom_len,
            ends_with_lf: self.ends_with_lf,
            path: self.path.clone(),
            sha256: self.sha256.clone(),
            size_bytes: self.size_bytes,
            done: false,
        })
    }
}

/// The rows of pass 2. [`position_bytes`](Records::position_bytes) against
/// [`size_bytes`](Records::size_bytes) drives a progress bar.
pub struct Records {
    reader: csv::Reader<HashingReader>,
    row: csv::ByteRecord,
    columns: [Option<usize>; 10],
    width: usize,
    text_encoding: TextEncoding,
    bom_len: u64,
    ends_with_lf: bool,
    path: PathBuf,
    sha256: String,
    size_bytes: u64,
    done: bool,
}

impl Records {
    /// Bytes of the file parsed so far.
    pub fn position_bytes(&self) -> u64 {
        self.bom_len + self.reader.position().byte()
    }

    pub fn size_bytes(&self) -> u64 {
        self.size_bytes
    }

    fn field(&self, column: Column) -> String {
        self.columns[column as usize]
            .and_then(|i| self.row.get(i))
            .map(|f| decode(self.text_encoding, f))
            .unwrap_or_default()
    }

    /// The line where the record just read starts, counted back from where it ends: its LF
    /// (unless it is the file's unterminated last line) and the LFs inside quoted fields.
    fn start_line(&self) -> u64 {
        let end = self.reader.position();
        let unterminated = !self.ends_with_lf && self.bom_len + end.byte() == self.size_bytes;
        let inside: u64 = self.row.iter().map(count_lines).sum();
        end.line()
            .saturating_sub(u64::from(!unterminated))
            .saturating_sub(inside)
    }

    fn record(&self) -> Record {
        let mut problems = Vec::new();
        let n = self.row.len();
        // Surplus empty fields (a trailing separator) shift nothing; a missing or surplus
        // filled field means the row's columns cannot be trusted.
        let surplus_empty = n > self.width
            && self
                .row
                .iter()
                .skip(self.width)
                .all(|f| f.trim_ascii().is_empty());
        if n != self.width && !surplus_empty {
            problems.push(format!(
                "Der Datensatz hat {n} Felder, die Kopfzeile {}. Enthält ein Feld ein Trennzeichen oder Anführungszeichen ohne passende Anführungszeichen?",
                self.width
            ));
        }
        let loeschdatum_text = self.field(Column::Loeschdatum);
        let loeschdatum = if loeschdatum_text.is_empty() {
            None
        } else {
            let parsed = parse_date(&loeschdatum_text);
            if parsed.is_none() {
                problems.push(format!(
                    "Löschdatum „{loeschdatum_text}“ ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT)."
                ));
            }
            parsed
        };
        let hauptsitz = self.field(Column::Hauptsitz);
        Record {
            line: self.start_line(),
            betriebsnummer: self.field(Column::Betriebsnummer),
            firmenname: self.field(Column::Firmenname),
            inhaber: self.field(Column::Inhaber),
            strasse: self.field(Column::Strasse),
            plz: self.field(Column::Plz),
            ort: self.field(Column::Ort),
            gewerk: self.field(Column::Gewerk),
            email: self.field(Column::Email),
            hauptsitz: (!hauptsitz.is_empty()).then_some(hauptsitz),
            loeschdatum,
            problem: (!problems.is_empty()).then(|| problems.join(" ")),
        }
    }

    fn verify_unchanged(&self) -> Result<()> {
        let source = self.reader.get_ref();
        let sha256 = hex::encode(source.hasher.clone().finalize());
        if source.count != self.size_bytes || sha256 != self.sha256 {
            return Err(changed(&self.path));
        }
        Ok(())
    }
}

impl Iterator for Records {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.done {
            return None;
        }
        loop {
            match self.reader.read_byte_record(&mut self.row) {
                // Rows of separators only (spreadsheets write them below the data) are no rows.
                Ok(true) if self.row.iter().all(|f| f.trim_ascii().is_empty()) => continue,
                Ok(true) => return Some(Ok(self.record())),
                Ok(false) => {
                    self.done = true;
                    return self.verify_unchanged().err().map(Err);
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(csv_error(e, &self.path)));
                }
            }
        }
    }
}

/// Hashes and counts what the CSV parser reads.
struct HashingReader {
    inner: File,
    hasher: Sha256,
    count: u64,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// Streaming UTF-8 validation with encoding_rs; remembers the line of the first bad byte.
struct Utf8Check {
    decoder: encoding_rs::Decoder,
    scratch: Vec<u8>,
    line: u64,
    first_invalid_line: Option<u64>,
}

impl Utf8Check {
    fn new() -> Self {
        Utf8Check {
            decoder: encoding_rs::UTF_8.new_decoder_without_bom_handling(),
            scratch: vec![0u8; CHUNK_BYTES],
            line: 1,
            first_invalid_line: None,
        }
    }

    fn feed(&mut self, chunk: &[u8], last: bool) {
        if self.first_invalid_line.is_some() {
            return;
        }
        let mut pos = 0;
        loop {
            let (result, read, _) = self.decoder.decode_to_utf8_without_replacement(
                &chunk[pos..],
                &mut self.scratch,
                last,
            );
            pos += read;
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => continue,
                DecoderResult::Malformed(bad, after) => {
                    let at = pos.saturating_sub(usize::from(bad) + usize::from(after));
                    self.first_invalid_line = Some(self.line + count_lines(&chunk[..at]));
                    return;
                }
            }
        }
        self.line += count_lines(chunk);
    }
}

fn count_lines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Collects the raw bytes of the header record: up to the first LF outside quotes.
#[derive(Default)]
struct HeaderScan {
    bytes: Vec<u8>,
    in_quotes: bool,
    complete: bool,
    overlong: bool,
    /// A CR outside quotes not followed by LF: lines end in CR only.
    bare_cr: bool,
    after_cr: bool,
}

impl HeaderScan {
    fn feed(&mut self, chunk: &[u8]) {
        if self.complete {
            return;
        }
        for (i, &b) in chunk.iter().enumerate() {
            if self.after_cr && b != b'\n' {
                self.bare_cr = true;
            }
            self.after_cr = b == b'\r' && !self.in_quotes;
            match b {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' if !self.in_quotes => {
                    self.bytes.extend_from_slice(&chunk[..i]);
                    self.complete = true;
                    return;
                }
                _ => {}
            }
        }
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > MAX_HEADER_BYTES {
            self.overlong = true;
            self.complete = true;
        }
    }
}

/// A spreadsheet or UTF-16 file chosen by mistake gets a sentence that says what to do,
/// rather than a list of garbled headers.
fn refuse_non_csv(head: &[u8], path: &Path) -> Result<()> {
    let shown = path.display();
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(Error::validation(format!(
            "„{shown}“ ist eine Excel-Arbeitsmappe, keine CSV-Datei. Bitte in Excel „Speichern unter“ → „CSV (Trennzeichen-getrennt)“ wählen."
        )));
    }
    let utf16 = matches!(Encoding::for_bom(head), Some((e, _)) if e != encoding_rs::UTF_8);
    if utf16 || head.contains(&0) {
        return Err(Error::validation(format!(
            "„{shown}“ ist keine Textdatei in UTF-8 oder Windows-1252 (vielleicht UTF-16). Bitte den Export als UTF-8 oder Windows-1252 speichern."
        )));
    }
    Ok(())
}

fn decode(encoding: TextEncoding, bytes: &[u8]) -> String {
    let (text, _) = encoding.encoding().decode_without_bom_handling(bytes);
    text.trim().to_string()
}

/// The separator that occurs more often outside quotes in the header; `;` on a tie, as
/// German spreadsheets write it.
fn detect_separator(header: &str) -> u8 {
    let (mut semicolons, mut commas, mut in_quotes) = (0usize, 0usize, false);
    for c in header.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => semicolons += 1,
            ',' if !in_quotes => commas += 1,
            _ => {}
        }
    }
    if commas > semicolons { b',' } else { b';' }
}

fn header_fields(header: &str, separator: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator)
        .flexible(true)
        .from_reader(header.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(|f| f.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The index of each column in the header, `None` for an absent optional one.
fn resolve_columns(
    headers: &[String],
    mapping: &Mapping,
    separator: u8,
    file_name: &str,
) -> Result<[Option<usize>; 10]> {
    let normalized: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut columns = [None; 10];
    let mut missing = Vec::new();
    for column in Column::ALL {
        let wanted = mapping.header(column).trim().to_lowercase();
        let mut found = normalized
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == wanted)
            .map(|(i, _)| i);
        match (found.next(), found.next()) {
            (Some(i), None) => columns[column as usize] = Some(i),
            (Some(a), Some(b)) => {
                return Err(Error::validation(format!(
                    "Die Spalte „{}“ kommt in der Kopfzeile von „{file_name}“ mehrfach vor (Spalte {} und {}). Bitte nur eine behalten.",
                    mapping.header(column),
                    a + 1,
                    b + 1
                )));
            }
            (None, _) if column.required() => missing.push(format!("„{}“", mapping.header(column))),
            (None, _) => {}
        }
    }
    if !missing.is_empty() {
        let what = if missing.len() == 1 {
            format!("fehlt die Spalte {}", missing[0])
        } else {
            format!("fehlen die Spalten {}", missing.join(", "))
        };
        let found = if headers.is_empty() {
            "keine".to_string()
        } else {
            headers
                .iter()
                .map(|h| format!("„{h}“"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::validation(format!(
            "In „{file_name}“ {what}. Gefundene Spalten (Trennzeichen „{}“): {found}.",
            separator as char
        )));
    }
    Ok(columns)
}

/// `TT.MM.JJJJ` (day and month also with one digit, as spreadsheets write them) or
/// `JJJJ-MM-TT`; the year always with four digits, so „1.2.25“ is not read as the year 25.
fn parse_date(text: &str) -> Option<NaiveDate> {
    fn number(part: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
        (digits.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    }
    let (day, month, year) = if let Some((d, rest)) = text.split_once('.') {
        let (m, y) = rest.split_once('.')?;
        (d, m, y)
    } else {
        let (y, rest) = text.split_once('-')?;
        let (m, d) = rest.split_once('-')?;
        (d, m, y)
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(number(year, 4..=4)?).ok()?,
        number(month, 1..=2)?,
        number(day, 1..=2)?,
    )
}

fn open(path: &Path) -> Result<File> {
    let file = File::open(path).map_err(|e| io_error(&e, path))?;
    match file.metadata() {
        Ok(m) if m.is_dir() => Err(Error::validation(format!(
            "„{}“ ist ein Ordner, keine Datei.",
            path.display()
        ))),
        Ok(_) => Ok(file),
        Err(e) => Err(io_error(&e, path)),
    }
}

fn io_error(e: &io::Error, path: &Path) -> Error {
    let shown = path.display();
    tracing::warn!("reading {shown}: {e}");
    match e.kind() {
        io::ErrorKind::NotFound => Error::not_found(format!("Die Datei „{shown}“ gibt es nicht.")),
        io::ErrorKind::PermissionDenied => {
            Error::forbidden(format!("Keine Berechtigung, die Datei „{shown}“ zu lesen."))
        }
        io::ErrorKind::IsADirectory => {
            Error::validation(format!("„{shown}“ ist ein Ordner, keine Datei."))
        }
        io::ErrorKind::UnexpectedEof => changed(path),
        _ => Error::unavailable(format!(
            "Die Datei „{shown}“ konnte nicht gelesen werden ({e})."
        )),
    }
}

fn csv_error(e: csv::Error, path: &Path) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io_error(&io, path),
        other => Error::internal(format!("csv reader on {}: {other:?}", path.display())),
    }
}

fn changed(path: &Path) -> Error {
    Error::conflict(format!(
        "Die Datei „{}“ wurde während des Einlesens verändert. Bitte warten, bis der Export vollständig geschrieben ist, und dann erneut einlesen.",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Betriebsnummer;Firmenname;Inhaber;Straße;PLZ;Ort;Gewerk;E-Mail;Betriebsnummer des Hauptsitzes;Löschdatum";

    /// A file in the temp directory, removed when dropped.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(bytes: &[u8]) -> TempFile {
            let path = std::env::temp_dir().join(format!(
                "kd-hwr-{}-{}.csv",
                std::process::id(),
                crate::domain::random_hex(6)
            ));
            std::fs::write(&path, bytes).unwrap();
            TempFile(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn read_all(bytes: &[u8], mapping: &Mapping) -> (HandwerksrolleFile, Vec<Record>) {
        let file = TempFile::new(bytes);
        let inspected = HandwerksrolleFile::inspect(&file.0, mapping).unwrap();
        let records = inspected
            .records(mapping)
            .unwrap()
            .collect::<Result<Vec<_>>>()
            .unwrap();
        (inspected, records)
    }

    fn utf8(text: &str) -> Vec<u8> {
        text.as_bytes().to_vec()
    }

    #[test]
    fn windows_1252_umlauts_are_decoded() {
        let mut bytes = b"Betriebsnummer;Firmenname;Stra\xDFe;E-Mail\r\n".to_vec();
        bytes.extend_from_slice(
            b"0001;B\xE4ckerei M\xFCller;Hauptstra\xDFe 1;info@baeckerei-mueller.de\r\n",
        );
        let (file, records) = read_all(&bytes, &Mapping::default());
        assert_eq!(file.encoding, "Windows-1252");
        assert_eq!(file.headers[2], "Straße");
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.firmenname, "Bäckerei Müller");
        assert_eq!(r.strasse, "Hauptstraße 1");
        assert_eq!(r.email, "info@baeckerei-mueller.de");
        assert_eq!(r.problem, None);
    }

    #[test]
    fn the_encoding_is_decided_by_the_whole_file_not_its_start() {
        // ASCII well past the first read, then one Windows-1252 umlaut.
        let mut bytes = b"Betriebsnummer;Firmenname;E-Mail\n".to_vec();
        while bytes.len() < 3 * CHUNK_BYTES {
            bytes.extend_from_slice(b"0000;Firma;x@example.de\n");
        }
        bytes.extend_from_slice(b"9999;M\xFCller;m@example.de\n");
        let (file, records) = read_all(&bytes, &Mapping::default());
        assert_eq!(file.encoding, "Windows-1252");
        assert_eq!(records.last().unwrap().firmenname, "Müller");

        // A UTF-8 „ü“ split by the boundary of two reads is still UTF-8.
        let mut bytes = b"Betriebsnummer;Firmenname;E-Mail\n0001;".to_vec();
        bytes.resize(CHUNK_BYTES - 1, b'x');
        bytes.extend_from_slice("ü;a@b.de\n".as_bytes());
        let (file, records) = read_all(&bytes, &Mapping::default());
        assert_eq!(file.encoding, "UTF-8");
        assert!(records[0].firmenname.ends_with("xü"));
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let text = format!("{HEADER}\n0001;Bäckerei Müller;;Straße 1;12345;Köln;Bäcker;a@b.de;;\n");
        let mut with_bom = UTF8_BOM.to_vec();
        with_bom.extend_from_slice(text.as_bytes());
        let (file, records) = read_all(&with_bom, &Mapping::default());
        assert_eq!(file.encoding, "UTF-8 mit BOM");
        assert_eq!(file.headers[0], "Betriebsnummer");
        assert_eq!(records[0].betriebsnummer, "0001");
        assert_eq!(records[0].firmenname, "Bäckerei Müller");
        assert_eq!(records[0].ort, "Köln");

        let (file, records) = read_all(text.as_bytes(), &Mapping::default());
        assert_eq!(file.encoding, "UTF-8");
        assert_eq!(records[0].strasse, "Straße 1");
    }

    #[test]
    fn separator_is_detected_or_fixed() {
        let (file, records) = read_all(
            &utf8("Betriebsnummer,Firmenname,E-Mail\n0001,\"Maler Schmidt; Söhne\",a@b.de\n"),
            &Mapping::default(),
        );
        assert_eq!(file.separator, b',');
        assert_eq!(records[0].firmenname, "Maler Schmidt; Söhne");

        let (file, records) = read_all(
            &utf8("Betriebsnummer;Firmenname;E-Mail\n0001;\"Müller, Meier & Co\";a@b.de\n"),
            &Mapping::default(),
        );
        assert_eq!(file.separator, b';');
        assert_eq!(records[0].firmenname, "Müller, Meier & Co");

        // A comma in a quoted header does not count.
        let (file, _) = read_all(
            &utf8("Betriebsnummer;\"Firmenname, Zusatz\";Firmenname;E-Mail\n"),
            &Mapping::default(),
        );
        assert_eq!(file.separator, b';');

        let mut fixed = Mapping::default();
        fixed.separator = Some(b';');
        let file = TempFile::new(&utf8("Betriebsnummer,Firmenname,E-Mail\n"));
        let e = HandwerksrolleFile::inspect(&file.0, &fixed).unwrap_err();
        assert!(e.message().contains("Trennzeichen „;“"), "{}", e.message());
    }

    #[test]
    fn quoted_separators_and_line_breaks_keep_the_line_numbers() {
        let text = "Betriebsnummer;Firmenname;Straße;E-Mail\n\
                    0001;\"Tischlerei; Holz\";\"Hof 2\nHinterhaus\";a@b.de\n\
                    0002;\"Er sagte \"\"Hallo\"\"\";Weg 3;c@d.de\n\
                    \n\
                    0003;Dach GmbH;\"Platz\r\n4\";e@f.de\n\
                    0004;Letzte;Gasse 5;g@h.de\n";
        let (_, records) = read_all(&utf8(text), &Mapping::default());
        let lines: Vec<(u64, &str)> = records
            .iter()
            .map(|r| (r.line, r.betriebsnummer.as_str()))
            .collect();
        assert_eq!(lines, [(2, "0001"), (4, "0002"), (6, "0003"), (8, "0004")]);
        assert_eq!(records[0].firmenname, "Tischlerei; Holz");
        assert_eq!(records[0].strasse, "Hof 2\nHinterhaus");
        assert_eq!(records[1].firmenname, "Er sagte \"Hallo\"");
        assert!(records.iter().all(|r| r.problem.is_none()));
    }

    #[test]
    fn crlf_and_trailing_empty_lines() {
        let text = format!(
            "{HEADER}\r\n 0001 ; Bau GmbH ;Anna Bau;Ring 1;50667;Köln;Maurer; bau@example.de ;;\r\n\
             0002;Bau GmbH Filiale;;;;;;filiale@example.de;0001;31.12.2024\r\n\
             ;;;;;;;;;\r\n\r\n\r\n"
        );
        let (_, records) = read_all(text.as_bytes(), &Mapping::default());
        assert_eq!(records.len(), 2);
        let hs = &records[0];
        assert_eq!(hs.line, 2);
        assert_eq!(hs.betriebsnummer, "0001");
        assert_eq!(hs.firmenname, "Bau GmbH");
        assert_eq!(hs.inhaber, "Anna Bau");
        assert_eq!(hs.plz, "50667");
        assert_eq!(hs.gewerk, "Maurer");
        assert_eq!(hs.email, "bau@example.de");
        assert_eq!(hs.hauptsitz, None);
        assert_eq!(hs.loeschdatum, None);
        let filiale = &records[1];
        assert_eq!(filiale.line, 3);
        assert_eq!(filiale.hauptsitz.as_deref(), Some("0001"));
        assert_eq!(filiale.loeschdatum, NaiveDate::from_ymd_opt(2024, 12, 31));
        assert_eq!(filiale.strasse, "");
    }

    #[test]
    fn the_last_line_without_line_end_and_quoted_last_fields() {
        for (text, last_email) in [
            (
                "Betriebsnummer;Firmenname;E-Mail\n0001;A;a@b.de\n0002;B;\"b@b.de\"",
                "b@b.de",
            ),
            (
                "Betriebsnummer;Firmenname;E-Mail\r\n0001;A;\"a@b.de\"\r\n\r\n0002;B;\"b@b.de\"\r\n",
                "b@b.de",
            ),
            (
                "Betriebsnummer;Firmenname;E-Mail\r\n0001;A;a@b.de\r\n\r\n0002;B;b@b.de ",
                "b@b.de",
            ),
        ] {
            let (_, records) = read_all(&utf8(text), &Mapping::default());
            let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
            let expected: &[u64] = if text.contains("\r\n\r\n") {
                &[2, 4]
            } else {
                &[2, 3]
            };
            assert_eq!(lines, expected, "{text:?}");
            assert_eq!(records[0].email, "a@b.de", "{text:?}");
            assert_eq!(records[1].email, last_email, "{text:?}");
            assert!(records.iter().all(|r| r.problem.is_none()), "{text:?}");
        }
    }

    #[test]
    fn a_mapping_file_with_other_headers() {
        let toml = TempFile::new(
            "trennzeichen = \",\"\n[spalten]\nbetriebsnummer = \"BETR_NR\"\nfirmenname = \"FIRMA\"\n\
             email = \"MAIL\"\nhauptsitz = \"HS_BETR_NR\"\nloeschdatum = \"LOESCH_DAT\"\nort = \"ORT_NAME\"\n"
                .as_bytes(),
        );
        let mapping = Mapping::from_toml_file(&toml.0).unwrap();
        let (file, records) = read_all(
            &utf8(
                "FIRMA,betr_nr ,MAIL,HS_BETR_NR,LOESCH_DAT,ORT_NAME,INTERN\n\
                 Elektro Kurz,0002,kurz@example.de,0001,2025-03-01,Bonn,x\n",
            ),
            &mapping,
        );
        assert_eq!(file.separator, b',');
        let r = &records[0];
        assert_eq!(r.betriebsnummer, "0002");
        assert_eq!(r.firmenname, "Elektro Kurz");
        assert_eq!(r.email, "kurz@example.de");
        assert_eq!(r.ort, "Bonn");
        assert_eq!(r.hauptsitz.as_deref(), Some("0001"));
        assert_eq!(r.loeschdatum, NaiveDate::from_ymd_opt(2025, 3, 1));
        assert_eq!(r.problem, None);

        // The canonical headers are not what this mapping expects.
        let file = TempFile::new(HEADER.as_bytes());
        let e = HandwerksrolleFile::inspect(&file.0, &mapping).unwrap_err();
        assert!(e.message().contains("„BETR_NR“"), "{}", e.message());
    }

    #[test]
    fn missing_required_columns_are_named_with_the_headers_found() {
        let file = TempFile::new(&utf8("Betriebsnummer;Name;Ort\n0001;X;Y\n"));
        let e = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        let name = file.0.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            e.message(),
            format!(
                "In „{name}“ fehlen die Spalten „Firmenname“, „E-Mail“. Gefundene Spalten (Trennzeichen „;“): „Betriebsnummer“, „Name“, „Ort“."
            )
        );
        let file = TempFile::new(&utf8("betriebsnummer;FIRMENNAME\n"));
        let e = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap_err();
        assert!(
            e.message().contains("fehlt die Spalte „E-Mail“"),
            "{}",
            e.message()
        );
        let file = TempFile::new(&utf8("Betriebsnummer;Firmenname;E-Mail;e-mail\n"));
        let e = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap_err();
        assert!(e.message().contains("mehrfach"), "{}", e.message());
    }

    #[test]
    fn unreadable_dates_and_field_counts_become_problems() {
        let text = "Betriebsnummer;Firmenname;E-Mail;Löschdatum\n\
                    0001;A;a@b.de;31.02.2025\n\
                    0002;B;b@b.de;1.2.2025\n\
                    0003;C;c@b.de;1.2.25\n\
                    0004;D;d@b.de\n\
                    0005;E;e@b.de;;;\n\
                    0006;F;f@b.de;;x\n";
        let (_, records) = read_all(&utf8(text), &Mapping::default());
        assert_eq!(
            records[0].problem.as_deref(),
            Some("Löschdatum „31.02.2025“ ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT).")
        );
        assert_eq!(records[0].loeschdatum, None);
        assert_eq!(records[0].betriebsnummer, "0001");
        assert_eq!(records[1].loeschdatum, NaiveDate::from_ymd_opt(2025, 2, 1));
        assert_eq!(records[1].problem, None);
        assert!(records[2].problem.as_deref().unwrap().contains("„1.2.25“"));
        assert!(
            records[3]
                .problem
                .as_deref()
                .unwrap()
                .starts_with("Der Datensatz hat 3 Felder, die Kopfzeile 4.")
        );
        assert_eq!(
            records[4].problem, None,
            "a trailing separator shifts nothing"
        );
        assert!(records[5].problem.is_some());
    }

    #[test]
    fn sha256_and_size_are_those_of_the_bytes_and_progress_reaches_the_end() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(format!("{HEADER}\n").as_bytes());
        for i in 0..5000 {
            bytes
                .extend_from_slice(format!("{i:06};Firma {i};;;;;;m{i}@example.de;;\n").as_bytes());
        }
        let file = TempFile::new(&bytes);
        let inspected = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap();
        assert_eq!(inspected.sha256, hex::encode(Sha256::digest(&bytes)));
        assert_eq!(inspected.size_bytes, bytes.len() as u64);
        assert_eq!(
            inspected.file_name,
            file.0.file_name().unwrap().to_string_lossy()
        );
        let mut records = inspected.records(&Mapping::default()).unwrap();
        let first = records.next().unwrap().unwrap();
        assert_eq!(first.line, 2);
        assert!(records.position_bytes() < records.size_bytes());
        let rest = records.by_ref().collect::<Result<Vec<_>>>().unwrap();
        assert_eq!(rest.len(), 4999);
        assert_eq!(rest.last().unwrap().line, 5001);
        assert_eq!(records.position_bytes(), bytes.len() as u64);
    }

    #[test]
    fn a_file_changed_between_the_passes_is_refused() {
        let text = format!("{HEADER}\n0001;A;;;;;;a@b.de;;\n");
        let file = TempFile::new(text.as_bytes());
        let inspected = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap();
        std::fs::write(&file.0, format!("{text}0002;B;;;;;;b@b.de;;\n")).unwrap();
        let results: Vec<Result<Record>> =
            inspected.records(&Mapping::default()).unwrap().collect();
        assert_eq!(results.len(), 3);
        let e = results.last().unwrap().as_ref().unwrap_err();
        assert!(e.message().contains("verändert"), "{}", e.message());
    }

    #[test]
    fn a_fixed_encoding_that_does_not_fit_is_refused() {
        let mut fixed = Mapping::default();
        fixed.encoding = Some(TextEncoding::Utf8);
        let file = TempFile::new(b"Betriebsnummer;Firmenname;E-Mail\n0001;B\xE4cker;a@b.de\n");
        let e = HandwerksrolleFile::inspect(&file.0, &fixed).unwrap_err();
        assert!(e.message().contains("Zeile 2"), "{}", e.message());

        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(b"Betriebsnummer;Firmenname;E-Mail\n0001;B\xE4cker;a@b.de\n");
        let file = TempFile::new(&bytes);
        let e = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap_err();
        assert!(e.message().contains("ab Zeile 2"), "{}", e.message());

        // Plain ASCII is both; the mapping decides.
        fixed.encoding = Some(TextEncoding::Windows1252);
        let file = TempFile::new(b"Betriebsnummer;Firmenname;E-Mail\n");
        let inspected = HandwerksrolleFile::inspect(&file.0, &fixed).unwrap();
        assert_eq!(inspected.encoding, "Windows-1252");
    }

    #[test]
    fn unreadable_and_wrong_files_are_refused_in_german() {
        let missing = std::env::temp_dir().join("kd-hwr-gibt-es-nicht.csv");
        let e = HandwerksrolleFile::inspect(&missing, &Mapping::default()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::NotFound);
        assert!(e.message().contains(&missing.display().to_string()));

        let e =
            HandwerksrolleFile::inspect(&std::env::temp_dir(), &Mapping::default()).unwrap_err();
        assert!(e.message().contains("Ordner"), "{}", e.message());

        let file = TempFile::new(b"");
        let e = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap_err();
        assert!(e.message().contains("leer"), "{}", e.message());

        let file = TempFile::new(b"PK\x03\x04\x14\x00\x06\x00");
        let e = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap_err();
        assert!(e.message().contains("Excel"), "{}", e.message());

        let file = TempFile::new(b"Betriebsnummer;Firmenname;E-Mail\r0001;A;a@b.de\r");
        let e = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap_err();
        assert!(e.message().contains("nur mit CR"), "{}", e.message());

        let file = TempFile::new(b"\xFF\xFEB\x00e\x00");
        let e = HandwerksrolleFile::inspect(&file.0, &Mapping::default()).unwrap_err();
        assert!(e.message().contains("UTF-16"), "{}", e.message());
    }

    #[test]
    fn dates_in_both_formats() {
        assert_eq!(
            parse_date("31.12.2024"),
            NaiveDate::from_ymd_opt(2024, 12, 31)
        );
        assert_eq!(
            parse_date("2024-12-31"),
            NaiveDate::from_ymd_opt(2024, 12, 31)
        );
        assert_eq!(parse_date("2024-2-3"), NaiveDate::from_ymd_opt(2024, 2, 3));
        for bad in [
            "31.02.2025",
            "2025-13-01",
            "31.12.24",
            "12/31/2024",
            "heute",
            "1.1.2025.",
            "+1.1.2025",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
