//! A clerk's own database password, kept in the operating system's keychain (Windows
//! Credential Manager, macOS Keychain, the Linux kernel keyring) only when the clerk ticks
//! „Passwort auf diesem Rechner merken“ — never in the settings file, never in the web view.
//! The entry is named by server, database and login, so a password saved for one server is
//! never sent to another. Where no keychain answers (a locked-down or headless session), it
//! lives in memory for this run only.

use std::collections::HashMap;
use std::sync::Mutex;

const SERVICE: &str = "de.handwerkskammer.kammerdesk";
/// The keychain entry that lists the accounts with a stored password (names, no secrets), so
/// that they can be forgotten when the desk is pointed at another server.
const INDEX: &str = "gespeicherte-zugaenge";

pub struct Secrets {
    /// The keychain's service name: the desk's, or a test's own.
    service: String,
    /// Passwords the keychain would not take, for this run.
    in_memory: Mutex<HashMap<String, String>>,
}

impl Default for Secrets {
    fn default() -> Self {
        Secrets {
            service: SERVICE.to_owned(),
            in_memory: Mutex::default(),
        }
    }
}

/// The keychain entry of a login on a server: `sb.mueller@db.hwk.example:5432/kammerdesk`.
pub fn account(login: &str, host: &str, port: u16, database: &str) -> String {
    format!("{login}{}", server_suffix(host, port, database))
}

/// The server part of [`account`]: `@db.hwk.example:5432/kammerdesk`.
pub fn server_suffix(host: &str, port: u16, database: &str) -> String {
    format!("@{host}:{port}/{database}")
}

impl Secrets {
    pub fn get(&self, account: &str) -> Option<String> {
        if let Some(p) = self.memory().get(account) {
            return Some(p.clone());
        }
        match keyring::Entry::new(&self.service, account).and_then(|e| e.get_password()) {
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
        self.set_entry(account, password);
        let mut index = self.index();
        if !index.iter().any(|a| a == account) {
            index.push(account.to_owned());
            self.set_entry(INDEX, &index.join("\n"));
        }
    }

    /// Forgets every stored password that is not for the server `suffix` ([`server_suffix`]):
    /// called when the desk is pointed at another server, so the old server's passwords are
    /// gone (they were never sent to another server: entries are named by server).
    pub fn forget_other_servers(&self, suffix: &str) {
        let index = self.index();
        let (keep, drop): (Vec<String>, Vec<String>) =
            index.into_iter().partition(|a| a.ends_with(suffix));
        if drop.is_empty() {
            return;
        }
        for account in &drop {
            self.forget_entry(account);
        }
        tracing::info!(
            forgotten = drop.len(),
            "stored passwords of the previous server forgotten"
        );
        self.set_entry(INDEX, &keep.join("\n"));
    }

    fn index(&self) -> Vec<String> {
        self.get(INDEX)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn set_entry(&self, account: &str, password: &str) {
        match keyring::Entry::new(&self.service, account).and_then(|e| e.set_password(password)) {
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
        self.forget_entry(account);
        let mut index = self.index();
        let before = index.len();
        index.retain(|a| a != account);
        if index.len() != before {
            self.set_entry(INDEX, &index.join("\n"));
        }
    }

    fn forget_entry(&self, account: &str) {
        self.memory().remove(account);
        if let Ok(entry) = keyring::Entry::new(&self.service, account) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A password stored for one server is never looked up for another, and pointing the desk
    /// at another server forgets it. (Through the system's keychain where it answers, else
    /// the in-memory fallback: both paths run the same index code.)
    #[test]
    fn passwords_follow_the_server_and_are_forgotten_when_it_changes() {
        // A service name of the test's own: the desk's real entries are never touched.
        let tag = std::process::id();
        let secrets = Secrets {
            service: format!("{SERVICE}.test-{tag}"),
            in_memory: Mutex::default(),
        };
        let login = format!("test{tag}.sb");
        let old = account(&login, "db-alt.hwk.example", 5432, "kammerdesk");
        let new = account(&login, "db-neu.hwk.example", 5432, "kammerdesk");
        secrets.set(&old, "altes-passwort");
        assert_eq!(secrets.get(&old).as_deref(), Some("altes-passwort"));
        assert_eq!(secrets.get(&new), None, "never offered to another server");
        // Another port or database is another server too.
        assert_eq!(
            secrets.get(&account(&login, "db-alt.hwk.example", 5433, "kammerdesk")),
            None
        );

        secrets.forget_other_servers(&server_suffix("db-neu.hwk.example", 5432, "kammerdesk"));
        assert_eq!(secrets.get(&old), None, "forgotten when the server changed");
        assert!(!secrets.index().contains(&old));

        secrets.set(&new, "neues-passwort");
        secrets.forget_other_servers(&server_suffix("db-neu.hwk.example", 5432, "kammerdesk"));
        assert_eq!(
            secrets.get(&new).as_deref(),
            Some("neues-passwort"),
            "the current server's stays"
        );
        secrets.forget(&new);
        assert_eq!(secrets.get(&new), None);
        assert!(!secrets.index().contains(&new));
        secrets.forget_entry(INDEX);
    }
}
