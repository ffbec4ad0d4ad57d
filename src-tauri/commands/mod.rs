//! The IPC commands, one file per group. Each parses its arguments, calls one core function
//! and returns its error with `?` as an [`ErrorBody`] (`From<kammer_core::Error>`), the
//! `{ kind, message }` shape the front end expects.
//! Arguments are snake_case on both sides (`rename_all` on every command), as in
//! docs/desk-ipc.md.

pub mod about;
pub mod antraege;
pub mod audit;
pub mod auth;
pub mod betriebe;
pub mod clerks;
pub mod codes;
pub mod connection;
pub mod export;
pub mod handwerksrolle;
pub mod settings;

use kammer_core::auth::Session;
use kammer_core::domain::{AntragNr, Reason};
use kammer_core::error::ErrorBody;

use crate::session::SessionState;

/// What every command returns across the IPC boundary.
pub type CommandResult<T> = Result<T, ErrorBody>;

/// The signed-in clerk (their own database session), or why a command cannot run yet.
async fn signed_in(session: &SessionState) -> CommandResult<Session> {
    session.require().await
}

fn antrag_nr(nr: i64) -> CommandResult<AntragNr> {
    Ok(AntragNr::parse(&nr.to_string())?)
}

fn reason(text: &str) -> CommandResult<Reason> {
    Ok(Reason::parse(text)?)
}
