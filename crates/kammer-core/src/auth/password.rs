use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::{Error, Result};

/// A password as typed, kept out of `Debug` output and checked for a minimum length once.
/// Clerks' passwords are PostgreSQL's (SCRAM); portal accounts' are hashed here with Argon2id.
#[derive(Clone)]
pub struct Password(String);

const MIN_CHARS: usize = 10;

impl Password {
    /// For a new password: at least ten characters, as the chamber's IT guideline asks.
    pub fn new_checked(input: &str) -> Result<Self> {
        if input.chars().count() < MIN_CHARS {
            return Err(Error::validation(format!(
                "Das Passwort muss mindestens {MIN_CHARS} Zeichen lang sein."
            )));
        }
        if input.chars().count() > 1024 {
            return Err(Error::validation(
                "Das Passwort ist zu lang (höchstens 1024 Zeichen).",
            ));
        }
        Ok(Password(input.to_string()))
    }

    /// For a sign-in attempt: anything goes, the hash decides.
    pub fn attempt(input: &str) -> Self {
        Password(input.to_string())
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// For the two places that must hand the password on: the database sign-in and the
    /// SCRAM verifier of a new one.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Argon2id with OWASP's recommended minimum: 19 MiB memory, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing takes tens of milliseconds of CPU: it runs on the blocking pool, not on the runtime.
pub async fn hash_password(password: &Password) -> Result<String> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("argon2 hashing failed: {e}")))
    })
    .await
    .map_err(Error::internal)?
}

/// True when the password matches the PHC string. A malformed stored hash is an internal error.
pub async fn verify_password(password: &Password, phc: &str) -> Result<bool> {
    let password = password.clone();
    let phc = phc.to_string();
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&phc)
            .map_err(|e| Error::internal(format!("stored hash unreadable: {e}")))?;
        Ok(hasher().verify_password(password.bytes(), &parsed).is_ok())
    })
    .await
    .map_err(Error::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_is_argon2id_with_owasp_parameters_and_verifies() {
        let pw = Password::new_checked("korrekt-pferd-batterie").unwrap();
        let phc = hash_password(&pw).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(&pw, &phc).await.unwrap());
        assert!(
            !verify_password(&Password::attempt("falsch"), &phc)
                .await
                .unwrap()
        );
    }

    #[test]
    fn short_passwords_are_refused_and_debug_hides_them() {
        assert!(Password::new_checked("kurz").is_err());
        assert_eq!(
            format!("{:?}", Password::attempt("geheim")),
            "Password(***)"
        );
    }
}
