//! SCRAM-SHA-256 verifiers (RFC 5802/7677, as PostgreSQL stores them in `pg_authid`). A new
//! clerk password is turned into its verifier here and only the verifier goes to the server,
//! as psql's `\password` does: the password never appears in a statement, a log line or the
//! server's memory.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::password::Password;

/// PostgreSQL's own default (`scram_iterations`).
const ITERATIONS: u32 = 4096;

/// The verifier PostgreSQL would store for `password` with a fresh random salt.
pub fn scram_verifier(password: &Password) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source failed");
    verifier_with(password.expose(), &salt, ITERATIONS)
}

pub(crate) fn verifier_with(password: &str, salt: &[u8], iterations: u32) -> String {
    // PostgreSQL normalises with SASLprep where it can and uses the raw bytes otherwise.
    let prepared = stringprep::saslprep(password)
        .map(|p| p.into_owned())
        .unwrap_or_else(|_| password.to_owned());
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2::<Hmac<Sha256>>(prepared.as_bytes(), salt, iterations, &mut salted)
        .expect("HMAC takes keys of any length");
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    )
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_has_postgres_format_and_fresh_salt() {
        let pw = Password::attempt("korrekt-pferd-batterie");
        let a = scram_verifier(&pw);
        let b = scram_verifier(&pw);
        assert!(a.starts_with("SCRAM-SHA-256$4096:"), "{a}");
        assert_ne!(a, b, "every verifier has its own salt");
        assert!(!a.contains("korrekt"));
    }
}
