//! Clerk sign-in and the role check every clerk operation starts with.

mod password;
mod session;

pub use password::{hash_password, verify_password, Password};
pub use session::{sign_in, Session};
