//! Plain-text output for people at a terminal; `--json` bypasses all of this.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use kammer_core::antraege::{AntragDetail, AntragPage, AntragSummary};
use kammer_core::betriebe::{BetriebDetail, BetriebHit};
use kammer_core::clerks::ClerkInfo;
use kammer_core::codes::CodeInfo;
use kammer_core::mail::DrainReport;
use kammer_core::outbox::{OutboxEntry, OutboxMail};
use kammer_core::policy::Policy;
use kammer_core::report::{Figures, MONTHLY_HEADER, MonthlyReport, SERIES_HEADER};

pub fn date(at: DateTime<Utc>) -> String {
    kammer_core::mail::format_de(at)
}

/// The portal's own form: "12.01.2024, 07:23:17".
pub fn date_seconds(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%d.%m.%Y, %H:%M:%S")
        .to_string()
}

fn opt_date(at: Option<DateTime<Utc>>) -> String {
    at.map(date).unwrap_or_else(|| "–".into())
}

pub fn nr_list(nrs: &[i64]) -> String {
    if nrs.is_empty() {
        ".".into()
    } else {
        format!(
            ": Nr. {}",
            nrs.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

pub fn policy(p: &Policy) -> String {
    format!(
        "Gültigkeit eines Codes:        {} Tage\n\
         Fehlversuche bis zur Sperre:   {}\n\
         Wartezeit zwischen Sendungen:  {} s\n\
         Sendungen je 24 Stunden:       {}\n\
         Bestätigung durch Code:        {}\n\
         Kammer:                        {}\n\
         Telefon der Hotline:           {}\n\
         Absender:                      {}\n\
         Portal:                        {}\n\
         Zuletzt geändert:              {}",
        p.code_lifetime_days,
        p.code_attempt_limit,
        p.resend_cooldown_seconds,
        p.sends_per_day,
        if p.auto_approve_on_code {
            "schließt die Zuordnung sofort ab"
        } else {
            "Antrag geht in Bearbeitung"
        },
        p.chamber_name,
        p.hotline_phone,
        p.mail_from,
        p.portal_url,
        date(p.updated_at)
    )
}

pub fn hits(hits: &[BetriebHit]) -> String {
    if hits.is_empty() {
        return "Keine Betriebe gefunden.".into();
    }
    hits.iter()
        .map(|h| {
            format!(
                "{:<12} {:<40} {:<24} {}",
                h.betriebsnummer, h.firmenname, h.ort, h.email
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn summary_line(a: &AntragSummary) -> String {
    format!(
        "Nr. {:<7} {}  {:<28} {:<12} {:<32} {}",
        a.nr,
        date_seconds(a.sent_at),
        a.status_label,
        a.betriebsnummer,
        a.firmenname,
        a.requester_name
    )
}

pub fn page(p: &AntragPage) -> String {
    let mut out = p
        .rows
        .iter()
        .map(summary_line)
        .collect::<Vec<_>>()
        .join("\n");
    if p.rows.is_empty() {
        out.push_str("Keine Anträge.");
    }
    if let Some(next) = &p.next {
        let _ = write!(out, "\nWeitere Anträge: --after {next}");
    }
    out
}

pub fn betrieb(d: &BetriebDetail) -> String {
    let b = &d.betrieb;
    let mut out = format!(
        "Betrieb {}\n  Inhaber/Firmenname:          {}\n  Inhaber:                     {}\n  Anschrift:                   {}, {} {}\n  Gewerk:                      {}\n  E-Mail laut Handwerksrolle:  {}\n  {}\n",
        b.betriebsnummer,
        b.firmenname,
        b.inhaber,
        b.strasse,
        b.plz,
        b.ort,
        b.gewerk,
        b.email,
        match &b.hauptsitz {
            Some(h) => format!("Filiale des Hauptsitzes {h}"),
            None => "Hauptsitz".into(),
        }
    );
    let _ = writeln!(out, "\nZuordnungen ({}):", d.zuordnungen.len());
    for z in &d.zuordnungen {
        let state = match (&z.revoked_at, &z.revoke_reason) {
            (Some(at), reason) => format!(
                "aufgehoben am {} ({})",
                date(*at),
                reason.as_deref().unwrap_or("")
            ),
            (None, _) => "aktiv".into(),
        };
        let _ = writeln!(
            out,
            "  [{}] {} <{}> seit {} – {}",
            z.id,
            z.account_name,
            z.account_email,
            date(z.since),
            state
        );
    }
    let _ = writeln!(out, "\nAnträge ({}):", d.antraege.len());
    for a in &d.antraege {
        let _ = writeln!(out, "  {}", summary_line(a));
    }
    out
}

pub fn codes(codes: &[CodeInfo]) -> String {
    if codes.is_empty() {
        return "Keine Codes.".into();
    }
    codes
        .iter()
        .map(|c| {
            let delivery = match &c.delivery {
                Some(d) => format!(
                    "{}{}",
                    d.label_de,
                    d.last_error.as_deref().map(|e| format!(" – {e}")).unwrap_or_default()
                ),
                None => "keine E-Mail".into(),
            };
            format!(
                "Code {}… ({})\n  ausgestellt {} von {}{}\n  gültig bis  {}\n  gesendet an {} – {}\n  Fehlversuche {}",
                c.prefix,
                c.state.label_de(),
                date(c.issued_at),
                c.issued_by.as_deref().unwrap_or("Portal"),
                c.issue_reason.as_deref().map(|r| format!(" („{r}“)")).unwrap_or_default(),
                date(c.expires_at),
                c.sent_to,
                delivery,
                c.wrong_attempts
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn antrag(d: &AntragDetail) -> String {
    let a = &d.summary;
    let mut out = format!(
        "IHR ANTRAG Antrag Nr. {}, gesendet am {} – {}\n\nKontozuordnung\n  Antragsteller:in:           {} <{}>\n  Betrieb:                    {} {}\n  eingegeben:                 {} / {}\n  E-Mail laut Handwerksrolle: {}\n  Code bestätigt:             {}\n  entschieden:                {}{}{}\n",
        a.nr,
        date_seconds(a.sent_at),
        a.status_label,
        a.requester_name,
        a.requester_email,
        a.betriebsnummer,
        a.firmenname,
        d.betriebsnummer_entered,
        d.firmenname_entered,
        d.betrieb_email,
        opt_date(d.code_confirmed_at),
        opt_date(a.decided_at),
        a.decided_by
            .as_deref()
            .map(|b| format!(" von {b}"))
            .unwrap_or_default(),
        a.decision_reason
            .as_deref()
            .map(|r| format!(" – „{r}“"))
            .unwrap_or_default(),
    );
    let _ = writeln!(out, "\nCodes:\n{}", codes(&d.codes));
    let _ = writeln!(out, "\nVerlauf:");
    for e in &d.history {
        let _ = writeln!(
            out,
            "  {}  {:<20} {:<22} {}",
            date_seconds(e.at),
            e.action,
            e.actor,
            e.details
        );
    }
    out
}

pub fn clerks(list: &[ClerkInfo]) -> String {
    list.iter()
        .map(|c| {
            format!(
                "{:<16} {:<28} {:<16} {}",
                c.username,
                c.display_name,
                c.role.label_de(),
                if c.disabled_at.is_some() {
                    "gesperrt"
                } else {
                    "aktiv"
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn outbox(list: &[OutboxEntry]) -> String {
    if list.is_empty() {
        return "Der Postausgang ist leer.".into();
    }
    list.iter()
        .map(|o| {
            format!(
                "[{}] {} {:<7} Antrag {:<7} an {:<36} {}",
                o.id,
                date(o.created_at),
                o.status,
                o.antrag_nr.map(|n| n.to_string()).unwrap_or_default(),
                o.recipient,
                o.subject
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn mail(m: &OutboxMail) -> String {
    format!(
        "Message-ID: {}\nFrom: {}\nTo: {}\nSubject: {}\nStatus: {} (Versuche: {}{}{})\n\n{}",
        m.message_id,
        m.mail_from,
        m.entry.recipient,
        m.entry.subject,
        m.entry.status,
        m.entry.attempts,
        m.entry
            .last_error
            .as_deref()
            .map(|e| format!(", letzter Fehler: {e}"))
            .unwrap_or_default(),
        m.entry
            .smtp_reply
            .as_deref()
            .filter(|_| m.entry.status == "sent")
            .map(|r| format!(", Antwort des Mailservers: {r}"))
            .unwrap_or_default(),
        m.body_text
    )
}

pub fn drain(r: &DrainReport) -> String {
    format!(
        "Versendet: {}, später erneut: {}, fehlgeschlagen: {}",
        r.sent, r.deferred, r.failed
    )
}

fn figure_values(f: &Figures) -> [String; 15] {
    let hours = |h: Option<f64>| h.map_or("–".into(), |h| format!("{h:.1}").replace('.', ","));
    [
        f.received.to_string(),
        f.codes_confirmed.to_string(),
        f.approved_by_portal.to_string(),
        f.approved_by_clerk.to_string(),
        f.withdrawn.to_string(),
        f.rejected.to_string(),
        f.expired.to_string(),
        f.open_at_month_end.to_string(),
        f.codes_sent.to_string(),
        f.codes_resent.to_string(),
        f.mails_failed.to_string(),
        f.zuordnungen.to_string(),
        hours(f.median_hours_to_zuordnung),
        hours(f.p90_hours_to_zuordnung),
        f.betriebe_newly_linked.to_string(),
    ]
}

/// The figures as rows, Gesamt and each Gewerk as columns; then the twelve months.
pub fn monthly_report(r: &MonthlyReport) -> String {
    let labels = &MONTHLY_HEADER[2..];
    let mut columns = vec![("Gesamt".to_string(), figure_values(&r.total))];
    columns.extend(
        r.by_gewerk
            .iter()
            .map(|g| (g.gewerk.clone(), figure_values(&g.figures))),
    );
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = columns
        .iter()
        .map(|(name, values)| {
            values
                .iter()
                .map(|v| v.chars().count())
                .chain([name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("Monatsbericht {}\n\n{:label_width$}", r.month, "");
    for ((name, _), w) in columns.iter().zip(&widths) {
        let _ = write!(out, "  {name:>w$}");
    }
    out.push('\n');
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(out, "{label:label_width$}");
        for ((_, values), w) in columns.iter().zip(&widths) {
            let _ = write!(out, "  {:>w$}", values[i]);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\nLetzte 12 Monate nach Ergebnis");
    let series_labels = &SERIES_HEADER;
    let _ = writeln!(out, "{}", series_labels.join("  "));
    for m in &r.series {
        let cells = [
            m.month.to_string(),
            m.received.to_string(),
            m.approved_by_portal.to_string(),
            m.approved_by_clerk.to_string(),
            m.withdrawn.to_string(),
            m.rejected.to_string(),
            m.expired.to_string(),
        ];
        let line: Vec<String> = cells
            .iter()
            .zip(series_labels.iter())
            .map(|(c, l)| format!("{c:>w$}", w = l.chars().count()))
            .collect();
        let _ = writeln!(out, "{}", line.join("  "));
    }
    out
}
