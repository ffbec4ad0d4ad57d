//! Domain values that are parsed once at the edge and trusted afterwards: a `parse` is the
//! only way to build them, so a malformed Betriebsnummer or code never reaches SQL.

mod antrag_nr;
mod antrag_status;
mod audit_action;
mod betriebsnummer;
mod confirmation_code;
mod email;
mod firmenname;
mod german_day;
mod reason;
mod role;

pub use antrag_nr::AntragNr;
pub use antrag_status::AntragStatus;
pub use audit_action::AuditAction;
pub use betriebsnummer::{Betriebsnummer, BetriebsnummerPrefix};
pub use confirmation_code::{CodeHash, ConfirmationCode};
pub use email::EmailAddress;
pub use firmenname::firmenname_matches;
pub use german_day::GermanDay;
pub use reason::Reason;
pub use role::{Permission, Permissions, Role};

/// A filter field as a clerk typed it, trimmed; blank text is no filter (the queue's and the
/// Protokoll's queries).
pub(crate) fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// The value of `all` that a clerk means by `input`: its machine name or its German label,
/// trimmed and in any case. One rule for every such choice (status, role, CSV format), so
/// the desk and kammerctl accept the same spellings everywhere; each caller words its own
/// refusal, which lists what it accepts.
pub(crate) fn by_name_or_label<T: Copy>(
    all: impl IntoIterator<Item = T>,
    input: &str,
    name_and_label: impl Fn(T) -> (&'static str, &'static str),
) -> Option<T> {
    let wanted = input.trim().to_lowercase();
    all.into_iter().find(|&v| {
        let (name, label) = name_and_label(v);
        name == wanted || label.to_lowercase() == wanted
    })
}

/// `n` bytes from the operating system's CSPRNG as lower-case hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex::encode(bytes)
}
