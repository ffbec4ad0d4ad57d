//! Clerk sign-in and the role check every clerk operation starts with.

mod password;
mod session;

pub use password::{Password, hash_password, verify_password};
pub use session::{Session, sign_in};
