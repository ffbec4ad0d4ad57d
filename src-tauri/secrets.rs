//! Passwords for the database and the mail server, kept in the operating system's keychain
//! (Windows Credential Manager, macOS Keychain, the Linux kernel keyring) and never in the
//! settings file. Where no keychain answers (a locked-down or headless session), a password
//! lives in memory for this run only, and the clerk is asked again at the next start.

use std::collections::HashMap;
use std::sync::Mutex;

const SERVICE: &str = "de.handwerkskammer.kammerdesk";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Secret {
    Database,
    Smtp,
}

impl Secret {
    fn account(self) -> &'static str {
        match self {
            Secret::Database => "database",
            Secret::Smtp => "smtp",
        }
    }
}

#[derive(Default)]
pub struct Secrets {
    /// Passwords the keychain would not take, for this run.
    in_memory: Mutex<HashMap<Secret, String>>,
}

impl Secrets {
    pub fn get(&self, secret: Secret) -> Option<String> {
        if let Some(p) = self.memory().get(&secret) {
            return Some(p.clone());
        }
        match keyring::Entry::new(SERVICE, secret.account()).and_then(|e| e.get_password()) {
            Ok(p) => Some(p),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => {
                tracing::debug!("keychain not readable for {}: {e}", secret.account());
                None
            }
        }
    }

    /// Stores `password`, or deletes the stored one when it is empty.
    pub fn set(&self, secret: Secret, password: &str) {
        let entry = keyring::Entry::new(SERVICE, secret.account());
        let stored = if password.is_empty() {
            self.memory().remove(&secret);
            entry.and_then(|e| match e.delete_credential() {
                Err(keyring::Error::NoEntry) => Ok(()),
                other => other,
            })
        } else {
            entry.and_then(|e| e.set_password(password))
        };
        match stored {
            Ok(()) => {
                self.memory().remove(&secret);
            }
            Err(e) => {
                tracing::warn!(
                    "keychain refused the {} password ({e}); it is kept for this run only",
                    secret.account()
                );
                if !password.is_empty() {
                    self.memory().insert(secret, password.to_owned());
                }
            }
        }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<Secret, String>> {
        self.in_memory.lock().unwrap_or_else(|p| p.into_inner())
    }
}
