//! Composing the confirmation-code mail. The wording lives in `templates/` so that the
//! chamber's texts can be reviewed and changed without reading Rust.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;

use crate::domain::{AntragNr, ConfirmationCode};
use crate::policy::Policy;

const SUBJECT: &str = include_str!("../../templates/code_mail_subject.txt");
const TEXT: &str = include_str!("../../templates/code_mail.txt");
const HTML: &str = include_str!("../../templates/code_mail.html");

/// What the Betrieb is told about the request.
pub struct CodeMailFacts<'a> {
    pub antrag: AntragNr,
    pub betriebsnummer: &'a str,
    pub firmenname: &'a str,
    pub requester_name: &'a str,
    pub requester_email: &'a str,
    pub code: &'a ConfirmationCode,
    pub valid_until: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ComposedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn compose_code_mail(facts: &CodeMailFacts<'_>, policy: &Policy) -> ComposedMail {
    let valid_until = format_de(facts.valid_until);
    let portal_hint = if policy.portal_url.is_empty() {
        String::new()
    } else {
        format!(" ({})", policy.portal_url)
    };
    let phone_hint = if policy.hotline_phone.is_empty() {
        String::new()
    } else {
        format!(" unter {}", policy.hotline_phone)
    };
    let antrag = facts.antrag.to_string();
    let vars: [(&str, &str); 11] = [
        ("antrag_nr", &antrag),
        ("betriebsnummer", facts.betriebsnummer),
        ("firmenname", facts.firmenname),
        ("requester_name", facts.requester_name),
        ("requester_email", facts.requester_email),
        ("code", facts.code.expose()),
        ("valid_until", &valid_until),
        ("chamber_name", &policy.chamber_name),
        ("portal_hint", &portal_hint),
        ("phone_hint", &phone_hint),
        ("subject", ""),
    ];
    let subject = render(SUBJECT, &vars, false).trim().to_string();
    let mut html_vars = vars;
    html_vars[10] = ("subject", &subject);
    ComposedMail {
        text: render(TEXT, &vars, false),
        html: render(HTML, &html_vars, true),
        subject,
    }
}

/// "26.12.2026, 14:05 Uhr" in German local time, the way the portal writes dates.
pub fn format_de(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%d.%m.%Y, %H:%M Uhr")
        .to_string()
}

fn render(template: &str, vars: &[(&str, &str)], html: bool) -> String {
    let mut out = template.to_string();
    for (key, value) in vars {
        let value = if html {
            escape_html(value)
        } else {
            (*value).to_string()
        };
        out = out.replace(&format!("{{{{{key}}}}}"), &value);
    }
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

    fn policy() -> Policy {
        Policy {
            code_lifetime_days: 14,
            code_attempt_limit: 5,
            resend_cooldown_seconds: 60,
            sends_per_day: 5,
            auto_approve_on_code: true,
            chamber_name: "Handwerkskammer Dortmund".into(),
            hotline_phone: "0231 5493-0".into(),
            mail_from: "portal@hwk.example".into(),
            portal_url: "https://portal.hwk.example".into(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn mail_names_requester_betrieb_code_and_warning_and_escapes_html() {
        let code = ConfirmationCode::generate();
        let facts = CodeMailFacts {
            antrag: AntragNr::from_db(178),
            betriebsnummer: "2121155381",
            firmenname: "Müller & Söhne <GmbH>",
            requester_name: "Jörg Weiß",
            requester_email: "joerg@example.de",
            code: &code,
            valid_until: "2024-01-26T06:23:17Z".parse().unwrap(),
        };
        let mail = compose_code_mail(&facts, &policy());
        assert_eq!(
            mail.subject,
            "Bestätigungs-Code für Ihren Betrieb 2121155381 – Antrag Nr. 178"
        );
        for needle in [
            code.expose(),
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
        assert!(mail.html.contains(code.expose()));
        assert!(!mail.text.contains("{{") && !mail.html.contains("{{"));
    }
}
