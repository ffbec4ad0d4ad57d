//! Composing the confirmation-code mail. The wording lives in `templates/` so that the
//! chamber's texts can be reviewed and changed without reading Rust.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use serde::{Deserialize, Serialize};

const SUBJECT: &str = include_str!("../../templates/code_mail_subject.txt");
const TEXT: &str = include_str!("../../templates/code_mail.txt");
const HTML: &str = include_str!("../../templates/code_mail.html");

/// What the Betrieb is told about the request, fixed when the code was issued: the outbox
/// row's `facts`, written by `kammer_internal.issue_code`. A second delivery after a crash
/// composes the very same mail from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeMailFacts {
    pub antrag_nr: i64,
    pub betriebsnummer: String,
    pub firmenname: String,
    pub requester_name: String,
    pub requester_email: String,
    pub valid_until: DateTime<Utc>,
    pub chamber_name: String,
    #[serde(default)]
    pub hotline_phone: String,
    #[serde(default)]
    pub portal_url: String,
}

#[derive(Debug, Clone)]
pub struct ComposedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The subject alone (lists of the outbox show it): digits only besides the template's words.
pub fn code_mail_subject(facts: &CodeMailFacts) -> String {
    render(SUBJECT, &vars(facts, "", ""), false)
        .trim()
        .to_string()
}

/// The mail with `code` in it: the mail sender passes the code, `kammerctl outbox show` a
/// masked stand-in.
pub fn compose_code_mail(facts: &CodeMailFacts, code: &str) -> ComposedMail {
    let subject = code_mail_subject(facts);
    ComposedMail {
        text: render(TEXT, &vars(facts, code, &subject), false),
        html: render(HTML, &vars(facts, code, &subject), true),
        subject,
    }
}

fn vars(facts: &CodeMailFacts, code: &str, subject: &str) -> Vec<(&'static str, String)> {
    let portal_hint = if facts.portal_url.is_empty() {
        String::new()
    } else {
        format!(" ({})", facts.portal_url)
    };
    let phone_hint = if facts.hotline_phone.is_empty() {
        String::new()
    } else {
        format!(" unter {}", facts.hotline_phone)
    };
    vec![
        ("antrag_nr", facts.antrag_nr.to_string()),
        ("betriebsnummer", facts.betriebsnummer.clone()),
        ("firmenname", facts.firmenname.clone()),
        ("requester_name", facts.requester_name.clone()),
        ("requester_email", facts.requester_email.clone()),
        ("code", code.to_string()),
        ("valid_until", format_de(facts.valid_until)),
        ("chamber_name", facts.chamber_name.clone()),
        ("portal_hint", portal_hint),
        ("phone_hint", phone_hint),
        ("subject", subject.to_string()),
    ]
}

/// "26.12.2026, 14:05 Uhr" in German local time, the way the portal writes dates.
pub fn format_de(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%d.%m.%Y, %H:%M Uhr")
        .to_string()
}

/// Fills the template's `{{name}}` placeholders in one pass over the template: a value is
/// never read again, so a requester named `{{code}}` stays just that name.
fn render(template: &str, vars: &[(&str, String)], html: bool) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = &after[..end];
        match vars.iter().find(|(k, _)| *k == key) {
            Some((_, value)) if html => out.push_str(&escape_html(value)),
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(requester_name: &str) -> CodeMailFacts {
        CodeMailFacts {
            antrag_nr: 178,
            betriebsnummer: "2121155381".into(),
            firmenname: "Müller & Söhne <GmbH>".into(),
            requester_name: requester_name.into(),
            requester_email: "joerg@example.de".into(),
            valid_until: "2024-01-26T06:23:17Z".parse().unwrap(),
            chamber_name: "Handwerkskammer Dortmund".into(),
            hotline_phone: "0231 5493-0".into(),
            portal_url: "https://portal.hwk.example".into(),
        }
    }

    const CODE: &str = "479c887e82741dd2fb3c23af495094d3d9b183c4ede5c71cebf896b019abeac0";

    #[test]
    fn mail_names_requester_betrieb_code_and_warning_and_escapes_html() {
        let mail = compose_code_mail(&facts("Jörg Weiß"), CODE);
        assert_eq!(
            mail.subject,
            "Bestätigungs-Code für Ihren Betrieb 2121155381 – Antrag Nr. 178"
        );
        for needle in [
            CODE,
            "Jörg Weiß",
            "joerg@example.de",
            "26.01.2024, 07:23 Uhr",
            "Zuordnung zu einem Betrieb",
            "0231 5493-0",
            "nur an eine Person",
        ] {
            assert!(mail.text.contains(needle), "text lacks {needle}");
        }
        assert!(mail.html.contains("Müller &amp; Söhne &lt;GmbH&gt;"));
        assert!(mail.html.contains(CODE));
        assert!(!mail.text.contains("{{") && !mail.html.contains("{{"));
    }

    #[test]
    fn placeholders_in_a_requester_name_are_not_filled() {
        // A name that names placeholders must come out as written, not as the code or the
        // hotline's number: the template is filled in one pass.
        let mail = compose_code_mail(&facts("Max {{phone_hint}} {{code}}"), CODE);
        let requester_line = mail
            .text
            .lines()
            .find(|l| l.contains("Max"))
            .expect("the requester is named");
        assert!(
            requester_line.contains("Max {{phone_hint}} {{code}}"),
            "{requester_line}"
        );
        assert!(!requester_line.contains(CODE));
        assert!(!requester_line.contains("0231"));
        assert_eq!(mail.text.matches(CODE).count(), 1);
        assert_eq!(mail.html.matches(CODE).count(), 1);
    }
}
