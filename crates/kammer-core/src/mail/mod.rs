//! The confirmation-code mail from composition to delivery: the texts (`compose`), the
//! MIME message built from an outbox row (`message`), the SMTP connection (`transport`),
//! and the worker that drains the outbox (`worker`).

mod compose;
mod message;
mod transport;
mod worker;

pub use compose::{CodeMailFacts, ComposedMail, code_mail_subject, compose_code_mail, format_de};
pub use transport::{Mailer, SmtpConfig, SmtpSecurity};
pub use worker::{DrainReport, WorkerConfig, drain, run};
