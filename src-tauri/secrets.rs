//! A clerk's own database password, kept in the operating system's keychain (Windows
//! Credential Manager, macOS Keychain, the Linux kernel keyring) only when the clerk ticks
//! „Passwort auf diesem Rechner merken“ — never in the settings file, never in the web view.
//! The entry is named by server, database and login, so a password saved for one server is
//! never sent to another. Where no keychain answers (a locked-down or headless session), it
//! lives in memory for this run only.

use std::collections::HashMap;
use std::sync::Mutex;

const SERVICE: &str = "de.handwerkskammer.kammerdesk";

#[derive(Default)]
pub struct Secrets {
    /// Passwords the keychain would not take, for this run.
    in_memory: Mutex<HashMap<String, String>>,
}

/// The keychain entry of a login on a server: `sb.mueller@db.hwk.example:5432/kammerdesk`.
pub fn account(login: &str, host: &str, port: u16, database: &str) -> String {
    format!("{login}@{host}:{port}/{database}")
}

impl Secrets {
    pub fn get(&self, account: &str) -> Option<String> {
        if let Some(p) = self.memory().get(account) {
            return Some(p.clone());
        }
        match keyring::Entry::new(SERVICE, account).and_then(|e| e.get_password()) {
            Ok(p) => Some(p),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => {
                tracing::debug!("keychain not readable for {account}: {e}");
                None
            }
        }
    }

    /// Stores `password` for `account`.
    pub fn set(&self, account: &str, password: &str) {
        match keyring::Entry::new(SERVICE, account).and_then(|e| e.set_password(password)) {
            Ok(()) => {
                self.memory().remove(account);
            }
            Err(e) => {
                tracing::warn!(
                    "keychain refused the password of {account} ({e}); it is kept for this run only"
                );
                self.memory()
                    .insert(account.to_owned(), password.to_owned());
            }
        }
    }

    /// Forgets the password of `account` (the clerk unticked „merken“, or it stopped working).
    pub fn forget(&self, account: &str) {
        self.memory().remove(account);
        if let Ok(entry) = keyring::Entry::new(SERVICE, account) {
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => tracing::debug!("keychain entry of {account} not deleted: {e}"),
            }
        }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.in_memory.lock().unwrap_or_else(|p| p.into_inner())
    }
}
