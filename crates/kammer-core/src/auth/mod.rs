//! Clerk sign-in: each clerk is their own PostgreSQL login, so signing in is connecting. The
//! database knows the password (SCRAM, or the chamber's directory through `ldap` in
//! pg_hba.conf) and the role (the login's group); this module connects, asks who is signed in,
//! and keeps the connection as the clerk's [`Session`].

mod hot_connection;
pub(crate) use hot_connection::ClerkConnection;
mod password;
mod scram;
mod session;

pub use password::{Password, hash_password, verify_password};
pub use scram::scram_verifier;
pub use session::{Session, sign_in};
