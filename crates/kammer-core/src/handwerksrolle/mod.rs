//! The Handwerksrolle from the chamber's master-data system: reading its export file,
//! importing it (full snapshot or delta), and what the imports did.

mod change;
pub mod file;
mod history;
mod import;
pub mod mapping;

pub use change::{Change, ChangeKind, FIELDS, FieldChange, german_date};
pub(crate) use change::{refusal_invalid_lines, refusal_too_many_removed};
pub use file::HandwerksrolleFile;
pub use history::{ImportRecord, MAX_IMPORTS, ReviewItem, recent_imports, review_list};
pub use import::{
    DEFAULT_MAX_REMOVED_PERCENT, FileFacts, ImportOptions, ImportReport, Mode, Progress, Summary,
    import,
};
pub use mapping::Mapping;
