//! One message as the test server stored it, and the parts tests look at.

use mail_parser::{Message, MessageParser, MimeHeaders};

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The file name without extension, e.g. "000001".
    pub name: String,
    pub raw: Vec<u8>,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
}

impl ReceivedMail {
    pub fn parsed(&self) -> Message<'_> {
        MessageParser::default()
            .parse(&self.raw)
            .unwrap_or_else(|| panic!("message {} is not MIME", self.name))
    }

    pub fn message_id(&self) -> String {
        self.parsed()
            .message_id()
            .map(|id| format!("<{id}>"))
            .unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    /// The text/plain part, decoded.
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    /// The text/html part, decoded.
    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    /// The raw value of a header, e.g. "Auto-Submitted".
    pub fn header(&self, name: &str) -> Option<String> {
        let parsed = self.parsed();
        parsed.header_raw(name).map(|v| v.trim().to_string())
    }

    /// Content types of the leaf parts, in order: ["text/plain", "text/html"].
    pub fn part_types(&self) -> Vec<String> {
        let parsed = self.parsed();
        parsed
            .parts
            .iter()
            .filter(|p| !p.is_multipart())
            .filter_map(|p| p.content_type())
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")))
            .collect()
    }

    /// The top-level content type, e.g. "multipart/alternative".
    pub fn content_type(&self) -> String {
        let parsed = self.parsed();
        parsed
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")))
            .unwrap_or_default()
    }

    /// The confirmation code in the text part.
    pub fn code(&self) -> Option<String> {
        crate::code_in(&self.text())
    }
}
