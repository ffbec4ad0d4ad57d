//! The MIME message for an outbox row. Everything in it comes from the row, so a second
//! delivery after a crash is the same mail (same Message-ID, Date and code; only the MIME
//! boundary differs), which mail clients show once.

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use crate::{Error, Result};

/// What the worker reads from `mail_outbox` (and the chamber's name from the policy).
pub(crate) struct OutboxMessage {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub antrag_nr: Option<i64>,
    pub message_id: String,
    pub sender_name: String,
    pub mail_from: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

pub(crate) fn build(row: &OutboxMessage) -> Result<Message> {
    let from: Mailbox = row.mail_from.parse().map_err(|e| {
        Error::validation(format!(
            "Ungültige Absenderadresse „{}“: {e}",
            row.mail_from
        ))
    })?;
    let from = Mailbox::new(Some(row.sender_name.clone()), from.email);
    let to: Mailbox = row.recipient.parse().map_err(|e| {
        Error::validation(format!(
            "Ungültige Empfängeradresse „{}“: {e}",
            row.recipient
        ))
    })?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .date(row.created_at.into())
        .message_id(Some(row.message_id.clone()))
        .header(AutoSubmitted)
        .header(AutoResponseSuppress);
    if let Some(nr) = row.antrag_nr {
        builder = builder.header(KammerAntrag(nr.to_string()));
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(row.body_text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(row.body_html.clone()),
                ),
        )
        .map_err(|e| Error::validation(format!("Die E-Mail {} ist fehlerhaft: {e}", row.id)))
}

/// RFC 3834: machine-made, so auto-responders (holiday replies) stay silent.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// The same wish for Microsoft Exchange, which ignores Auto-Submitted.
#[derive(Clone)]
struct AutoResponseSuppress;

impl Header for AutoResponseSuppress {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }
    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoResponseSuppress)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".to_string())
    }
}

/// Lets the chamber's mail server admins find the mails of one Antrag in their logs.
#[derive(Clone)]
struct KammerAntrag(String);

impl Header for KammerAntrag {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-KammerDesk-Antrag")
    }
    fn parse(s: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(KammerAntrag(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> OutboxMessage {
        OutboxMessage {
            id: 1,
            created_at: "2024-01-12T06:23:17Z".parse().unwrap(),
            antrag_nr: Some(178),
            message_id: "<antrag-178.abc@hwk.example>".into(),
            sender_name: "Handwerkskammer Süd".into(),
            mail_from: "portal@hwk.example".into(),
            recipient: "info@testbetrieb.example".into(),
            subject: "Bestätigungs-Code für Ihren Betrieb – Antrag Nr. 178".into(),
            body_text: "Grüße".into(),
            body_html: "<p>Grüße</p>".into(),
        }
    }

    #[test]
    fn headers_are_encoded_and_fixed_by_the_row() {
        let a = String::from_utf8(build(&row()).unwrap().formatted()).unwrap();
        let b = String::from_utf8(build(&row()).unwrap().formatted()).unwrap();
        assert!(a.contains("Message-ID: <antrag-178.abc@hwk.example>"));
        assert!(a.contains("Auto-Submitted: auto-generated"));
        assert!(a.contains("Date: Fri, 12 Jan 2024 06:23:17 +0000"));
        assert!(
            a.contains("Subject: =?utf-8?"),
            "umlauts must be encoded: {a}"
        );
        assert!(a.is_ascii(), "headers and bodies go out 7-bit clean");
        // Only the MIME boundary may differ between two builds of the same row.
        let strip = |s: &str| {
            s.lines()
                .filter(|l| !l.contains("boundary") && !l.starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&a), strip(&b));
    }

    #[test]
    fn a_bad_recipient_is_a_validation_error_not_a_panic() {
        let mut r = row();
        r.recipient = "kein empfänger".into();
        let err = build(&r).unwrap_err();
        assert!(err.message().contains("Ungültige Empfängeradresse"));
    }
}
