//! What KammerDesk's tests, end-to-end tests and benchmarks share: the real SMTP server on
//! loopback (`scripts/smtp-test-server/server.py`, aiosmtpd) started per test, the mails it
//! received, parsed with a real MIME parser, a throw-away CA for the TLS tests, and scratch
//! databases for tests of real binaries.

mod psql_copy;
mod received;
mod scratch;
mod smtp_server;
mod tls;

pub use psql_copy::{CopyRun, psql_copy, psql_copy_in};
pub use received::ReceivedMail;
pub use scratch::{ScratchDatabase, psql, random_suffix, url_of};
pub use smtp_server::{SmtpServerOptions, TestSmtpServer, TlsMode, wait_until_holding};
pub use tls::TestCa;

/// The 64-hex-character confirmation code in a mail text, lower-cased.
pub fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 64)
        .map(|w| w.to_lowercase())
}
