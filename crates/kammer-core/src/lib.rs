//! Everything of KammerDesk that is not GUI: domain types, the Antrag lifecycle, database
//! access, mail composition and demo data. The desktop app and `kammerctl` are thin shells
//! over these functions, so every business rule and every SQL statement lives here once.

pub mod antraege;
pub mod audit;
pub mod auth;
pub mod betriebe;
pub mod clerks;
pub mod codes;
pub mod config;
mod copy_text;
pub mod db;
pub mod demo;
pub mod domain;
pub mod env_names;
pub mod error;
pub mod expiry;
pub mod export;
pub mod handwerksrolle;
pub mod mail;
pub mod outbox;
pub mod policy;
pub mod portal;
mod refusal;
pub mod report;
pub mod zuordnungen;

pub use error::{Error, ErrorKind, Result};
