use sha2::{Digest, Sha256};

use crate::Error;

/// A Bestätigungs-Code (Freigabeschlüssel): 32 bytes from the OS CSPRNG as 64 lower-case hex
/// characters, the paste-friendly form the portal's mails show. It deliberately has no
/// `Serialize` and no `Display`: the only places a code is spelled out are the mail composed
/// for the Betrieb and the return of [`ConfirmationCode::generate`].
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmationCode(String);

pub const CODE_HEX_LEN: usize = 64;
/// How many leading characters the hotline may read out; 24 of 256 bits, not enough to guess the rest.
pub const PREFIX_LEN: usize = 6;

impl ConfirmationCode {
    pub fn generate() -> Self {
        ConfirmationCode(super::random_hex(CODE_HEX_LEN / 2))
    }

    /// Forgiving input: blanks and line breaks that mail clients insert are dropped, as are
    /// hyphens from grouped read-outs; case does not matter.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{ad}')
            .flat_map(char::to_lowercase)
            .collect();
        if compact.is_empty() {
            return Err(Error::validation(
                "Bitte geben Sie den Bestätigungs-Code ein.",
            ));
        }
        if !compact.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::validation(
                "Der Bestätigungs-Code enthält nur die Ziffern 0–9 und die Buchstaben a–f. Bitte prüfen Sie die Eingabe.",
            ));
        }
        if compact.len() != CODE_HEX_LEN {
            return Err(Error::validation(format!(
                "Der Bestätigungs-Code hat {CODE_HEX_LEN} Zeichen, eingegeben wurden {}. Bitte prüfen Sie, ob er vollständig kopiert wurde.",
                compact.len()
            )));
        }
        Ok(ConfirmationCode(compact))
    }

    pub fn hash(&self) -> CodeHash {
        CodeHash(Sha256::digest(self.0.as_bytes()).to_vec())
    }

    pub fn prefix(&self) -> &str {
        &self.0[..PREFIX_LEN]
    }

    /// The code in the form printed in the mail.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ConfirmationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ConfirmationCode({}…)", self.prefix())
    }
}

/// SHA-256 of the normalised code. A fast hash is enough: the code carries 256 random bits,
/// so there is nothing to brute-force that a slow hash would protect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeHash(pub Vec<u8>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn generated_codes_are_64_hex_and_distinct() {
        let a = ConfirmationCode::generate();
        let b = ConfirmationCode::generate();
        assert_eq!(a.expose().len(), 64);
        assert!(
            a.expose()
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
    }

    #[test]
    fn input_is_forgiving_about_case_blanks_and_breaks() {
        let code = ConfirmationCode::generate();
        let upper = code.expose().to_uppercase();
        let broken = format!(" {}\r\n  {} \t", &upper[..30], &upper[30..]);
        let parsed = ConfirmationCode::parse(&broken).unwrap();
        assert_eq!(parsed.hash(), code.hash());
        assert_eq!(parsed.prefix(), &code.expose()[..6]);
    }

    #[test]
    fn malformed_codes_are_validation_errors() {
        // The portal how-to's own example lost a character on its way into the how-to: 63 characters.
        let seed = "479c887e82741dd2fb3c23af495094d3d9b183c4ede5c71cebf896b019abeac";
        for bad in ["", "   ", seed, &"g".repeat(64), &"a".repeat(65)] {
            assert_eq!(
                ConfirmationCode::parse(bad).unwrap_err().kind(),
                ErrorKind::Validation
            );
        }
        assert!(
            ConfirmationCode::parse(seed)
                .unwrap_err()
                .message()
                .contains("63")
        );
    }

    #[test]
    fn debug_does_not_reveal_the_code() {
        let code = ConfirmationCode::generate();
        assert!(!format!("{code:?}").contains(&code.expose()[6..]));
    }
}
