//! The IPC commands, one file per group. Each parses its arguments, calls one core function
//! and maps the error to [`ErrorBody`], the `{ kind, message }` shape the front end expects.

pub mod connection;

use kammer_core::error::ErrorBody;

/// What every command returns across the IPC boundary.
pub type CommandResult<T> = Result<T, ErrorBody>;

fn body(error: kammer_core::Error) -> ErrorBody {
    ErrorBody::from(&error)
}
