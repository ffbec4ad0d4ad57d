//! Which header of the chamber's export holds which field. Stammdatensysteme name their
//! columns differently (`BETR_NR`, `FIRMA` …); a small TOML file lets a chamber say so once
//! instead of renaming columns by hand before every import.
//!
//! ```toml
//! # Spaltennamen im Export des Kammer-Stammdatensystems
//! trennzeichen = ";"          # optional: ";" oder ","; sonst erkannt
//! kodierung = "windows-1252"  # optional: "utf-8" oder "windows-1252"; sonst erkannt
//! [spalten]
//! betriebsnummer = "BETR_NR"
//! firmenname = "FIRMA"
//! email = "MAIL"
//! hauptsitz = "HS_BETR_NR"
//! loeschdatum = "LOESCH_DAT"
//! ```
//!
//! Columns the file does not name keep their canonical German header.

use std::path::Path;

use crate::{Error, Result};

/// The fields the reader fills, in the order of the canonical export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Betriebsnummer,
    Firmenname,
    Inhaber,
    Strasse,
    Plz,
    Ort,
    Gewerk,
    Email,
    Hauptsitz,
    Loeschdatum,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Betriebsnummer,
        Column::Firmenname,
        Column::Inhaber,
        Column::Strasse,
        Column::Plz,
        Column::Ort,
        Column::Gewerk,
        Column::Email,
        Column::Hauptsitz,
        Column::Loeschdatum,
    ];

    /// The key under `[spalten]` in the mapping file.
    pub fn key(self) -> &'static str {
        match self {
            Column::Betriebsnummer => "betriebsnummer",
            Column::Firmenname => "firmenname",
            Column::Inhaber => "inhaber",
            Column::Strasse => "strasse",
            Column::Plz => "plz",
            Column::Ort => "ort",
            Column::Gewerk => "gewerk",
            Column::Email => "email",
            Column::Hauptsitz => "hauptsitz",
            Column::Loeschdatum => "loeschdatum",
        }
    }

    /// The header of the chamber's standard export.
    pub fn canonical_header(self) -> &'static str {
        match self {
            Column::Betriebsnummer => "Betriebsnummer",
            Column::Firmenname => "Firmenname",
            Column::Inhaber => "Inhaber",
            Column::Strasse => "Straße",
            Column::Plz => "PLZ",
            Column::Ort => "Ort",
            Column::Gewerk => "Gewerk",
            Column::Email => "E-Mail",
            Column::Hauptsitz => "Betriebsnummer des Hauptsitzes",
            Column::Loeschdatum => "Löschdatum",
        }
    }

    /// Without these three a row cannot become a Betrieb with a mail address; every other
    /// column may be missing from an export and is then empty.
    pub fn required(self) -> bool {
        matches!(
            self,
            Column::Betriebsnummer | Column::Firmenname | Column::Email
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The two encodings chamber exports come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Windows1252,
}

impl TextEncoding {
    pub(crate) fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
        }
    }
}

/// Headers, and optionally a fixed separator and encoding, of one chamber's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// `Some(b';')` or `Some(b',')` fixes the separator; `None` detects it from the header.
    pub separator: Option<u8>,
    /// `None` detects the encoding from the bytes.
    pub encoding: Option<TextEncoding>,
    headers: [String; 10],
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            separator: None,
            encoding: None,
            headers: Column::ALL.map(|c| c.canonical_header().to_string()),
        }
    }
}

impl Mapping {
    /// The header expected for `column` (as written; matching ignores case and surrounding spaces).
    pub fn header(&self, column: Column) -> &str {
        &self.headers[column.index()]
    }

    pub fn with_header(mut self, column: Column, header: impl Into<String>) -> Self {
        self.headers[column.index()] = header.into();
        self
    }

    pub fn from_toml_file(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let shown = path.display();
            match e.kind() {
                std::io::ErrorKind::NotFound => {
                    Error::not_found(format!("Die Zuordnungsdatei „{shown}“ gibt es nicht."))
                }
                std::io::ErrorKind::PermissionDenied => Error::forbidden(format!(
                    "Keine Berechtigung, die Zuordnungsdatei „{shown}“ zu lesen."
                )),
                std::io::ErrorKind::InvalidData => Error::validation(format!(
                    "Die Zuordnungsdatei „{shown}“ ist nicht in UTF-8 gespeichert."
                )),
                _ => Error::unavailable(format!(
                    "Die Zuordnungsdatei „{shown}“ konnte nicht gelesen werden ({e})."
                )),
            }
        })?;
        Mapping::from_toml_str(&text).map_err(|e| {
            Error::validation(format!(
                "Zuordnungsdatei „{}“: {}",
                path.display(),
                e.message()
            ))
        })
    }

    /// Unknown keys are refused rather than ignored: a misspelt `[spalten]` key would
    /// otherwise silently fall back to the canonical header and fail later, far from the typo.
    pub fn from_toml_str(text: &str) -> Result<Mapping> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            Error::validation(format!(
                "Die Zuordnungsdatei ist kein gültiges TOML: {}",
                e.message().trim()
            ))
        })?;
        let mut mapping = Mapping::default();
        for (key, value) in &table {
            match key.as_str() {
                "trennzeichen" => {
                    mapping.separator = Some(match string_value(key, value)?.trim() {
                        ";" => b';',
                        "," => b',',
                        other => {
                            return Err(Error::validation(format!(
                                "trennzeichen = „{other}“ wird nicht unterstützt; erlaubt sind „;“ und „,“."
                            )));
                        }
                    });
                }
                "kodierung" => {
                    let label = string_value(key, value)?;
                    mapping.encoding = Some(
                        match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
                            Some(e) if e == encoding_rs::UTF_8 => TextEncoding::Utf8,
                            // WHATWG maps latin1/iso-8859-1 to windows-1252, as exports mean them.
                            Some(e) if e == encoding_rs::WINDOWS_1252 => TextEncoding::Windows1252,
                            _ => {
                                return Err(Error::validation(format!(
                                    "kodierung = „{label}“ wird nicht unterstützt; erlaubt sind „utf-8“ und „windows-1252“."
                                )));
                            }
                        },
                    );
                }
                "spalten" => {
                    let toml::Value::Table(columns) = value else {
                        return Err(Error::validation(
                            "„spalten“ muss ein Abschnitt [spalten] sein.",
                        ));
                    };
                    for (name, header) in columns {
                        let Some(column) = Column::ALL.into_iter().find(|c| c.key() == name) else {
                            let known = Column::ALL.map(|c| c.key()).join(", ");
                            return Err(Error::validation(format!(
                                "Unbekannter Schlüssel „{name}“ in [spalten]. Bekannt sind: {known}."
                            )));
                        };
                        let header = string_value(&format!("spalten.{name}"), header)?;
                        if header.trim().is_empty() {
                            return Err(Error::validation(format!(
                                "spalten.{name} ist leer; bitte den Spaltennamen aus dem Export eintragen."
                            )));
                        }
                        mapping.headers[column.index()] = header.trim().to_string();
                    }
                }
                other => {
                    return Err(Error::validation(format!(
                        "Unbekannter Schlüssel „{other}“ in der Zuordnungsdatei. Bekannt sind: trennzeichen, kodierung, [spalten]."
                    )));
                }
            }
        }
        Ok(mapping)
    }
}

fn string_value<'a>(key: &str, value: &'a toml::Value) -> Result<&'a str> {
    value.as_str().ok_or_else(|| {
        Error::validation(format!("„{key}“ muss ein Text in Anführungszeichen sein."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_canonical_export() {
        let m = Mapping::default();
        assert_eq!(m.header(Column::Strasse), "Straße");
        assert_eq!(
            m.header(Column::Hauptsitz),
            "Betriebsnummer des Hauptsitzes"
        );
        assert_eq!(m.separator, None);
        assert_eq!(m.encoding, None);
    }

    #[test]
    fn a_mapping_file_names_other_headers_and_keeps_the_rest() {
        let m = Mapping::from_toml_str(
            r#"
            # Spaltennamen im Export des Kammer-Stammdatensystems
            trennzeichen = ";"
            kodierung = "windows-1252"
            [spalten]
            betriebsnummer = "BETR_NR"
            firmenname = "FIRMA"
            email = " MAIL "
            hauptsitz = "HS_BETR_NR"
            loeschdatum = "LOESCH_DAT"
            "#,
        )
        .unwrap();
        assert_eq!(m.separator, Some(b';'));
        assert_eq!(m.encoding, Some(TextEncoding::Windows1252));
        assert_eq!(m.header(Column::Betriebsnummer), "BETR_NR");
        assert_eq!(m.header(Column::Email), "MAIL");
        assert_eq!(m.header(Column::Ort), "Ort");
    }

    #[test]
    fn latin1_means_windows_1252_and_utf8_is_accepted_in_any_spelling() {
        let m = Mapping::from_toml_str("kodierung = \"ISO-8859-1\"").unwrap();
        assert_eq!(m.encoding, Some(TextEncoding::Windows1252));
        let m = Mapping::from_toml_str("kodierung = \"UTF8\"").unwrap();
        assert_eq!(m.encoding, Some(TextEncoding::Utf8));
        let e = Mapping::from_toml_str("kodierung = \"utf-16\"").unwrap_err();
        assert!(e.message().contains("„utf-16“"), "{}", e.message());
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = Mapping::from_toml_str("[spalten]\nemial = \"MAIL\"").unwrap_err();
        assert!(
            e.message().contains("Unbekannter Schlüssel „emial“"),
            "{}",
            e.message()
        );
        let e = Mapping::from_toml_str("separator = \";\"").unwrap_err();
        assert!(e.message().contains("„separator“"), "{}", e.message());
    }

    #[test]
    fn bad_values_are_refused_in_german() {
        let e = Mapping::from_toml_str("trennzeichen = \"|\"").unwrap_err();
        assert!(e.message().contains("„|“"), "{}", e.message());
        let e = Mapping::from_toml_str("[spalten]\nplz = 5").unwrap_err();
        assert!(e.message().contains("spalten.plz"), "{}", e.message());
        let e = Mapping::from_toml_str("[spalten]\nplz = \" \"").unwrap_err();
        assert!(e.message().contains("leer"), "{}", e.message());
        let e = Mapping::from_toml_str("[spalten\n").unwrap_err();
        assert!(
            e.message().contains("kein gültiges TOML"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn a_mapping_file_is_read_from_disk_and_a_missing_one_is_named() {
        let path = std::env::temp_dir().join(format!(
            "kd-hwr-mapping-{}-{}.toml",
            std::process::id(),
            crate::domain::random_hex(4)
        ));
        std::fs::write(&path, "[spalten]\nfirmenname = \"FIRMA\"\n").unwrap();
        let m = Mapping::from_toml_file(&path).unwrap();
        assert_eq!(m.header(Column::Firmenname), "FIRMA");
        std::fs::remove_file(&path).unwrap();
        let e = Mapping::from_toml_file(&path).unwrap_err();
        assert!(e.message().contains(&path.display().to_string()));
    }
}
