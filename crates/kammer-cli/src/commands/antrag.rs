//! `kammerctl antrag …`: the queue, one Antrag, and the clerk's decisions.

use std::fmt::Write;

use clap::{Args, Subcommand};
use kammer_core::Result;
use kammer_core::antraege::{
    self, AntragDetail, AntragFilter, AntragPage, AntragQuery, ApprovalOutcome, Approved, Cursor,
    SortOrder,
};
use kammer_core::domain::{AntragNr, AntragStatus, AuditAction, Reason};

use crate::context::Context;
use crate::human;

#[derive(Subcommand)]
pub enum Cmd {
    /// Anträge auflisten, seitenweise (älteste zuerst; andere Sortierung mit --order)
    List {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Seitenmarke aus der vorigen Ausgabe
        #[arg(long)]
        after: Option<String>,
    },
    /// Ein Antrag mit Codes und Verlauf
    Show { nr: String },
    /// Zuordnung bestätigen. Ohne Code nur mit --reason; dann bestätigt nach der Richtlinie
    /// eine zweite Person der Sachbearbeitung (Vier-Augen-Prinzip)
    Approve {
        nr: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Im Auftrag der antragstellenden Person zurückziehen
    Withdraw {
        nr: String,
        #[arg(long)]
        reason: String,
    },
    /// Ablehnen
    Reject {
        nr: String,
        #[arg(long)]
        reason: String,
    },
}

/// The list's filter, shared by `antrag list` and `export antraege`; the core turns it into
/// the same filter as the desk's, so all three select the same rows for the same days.
#[derive(Args)]
pub struct FilterArgs {
    /// Status (mehrfach möglich), z. B. awaiting_code, in_review, approved
    #[arg(long)]
    status: Vec<String>,
    /// Gesendet ab diesem Tag (JJJJ-MM-TT oder TT.MM.JJJJ, deutsche Zeit)
    #[arg(long, value_name = "TAG")]
    from: Option<String>,
    /// Gesendet bis einschließlich diesem Tag (JJJJ-MM-TT oder TT.MM.JJJJ, deutsche Zeit)
    #[arg(long, value_name = "TAG")]
    to: Option<String>,
    /// Betriebsnummer
    #[arg(long)]
    betrieb: Option<String>,
    /// Suche in Firmenname, Inhaber, Antragsteller:in, E-Mail, Betriebsnummer, Antrag Nr.
    #[arg(long)]
    search: Option<String>,
    /// Neueste zuerst (sonst älteste zuerst, wie die Warteschlange)
    #[arg(long, conflicts_with = "order")]
    newest_first: bool,
    /// Sortierung: oldest_first (Vorgabe), newest_first, betrieb_ascending (nach
    /// Betriebsnummer, je Betrieb älteste zuerst), betrieb_descending, oder ihre deutsche
    /// Bezeichnung wie in der Anwendung („Neueste zuerst“)
    #[arg(long, value_name = "SORTIERUNG")]
    order: Option<String>,
}

impl FilterArgs {
    pub fn to_filter(&self) -> Result<AntragFilter> {
        AntragQuery {
            statuses: self
                .status
                .iter()
                .map(|s| AntragStatus::parse(s))
                .collect::<Result<_>>()?,
            from: self.from.clone(),
            to: self.to.clone(),
            betriebsnummer: self.betrieb.clone(),
            search: self.search.clone(),
            order: match (&self.order, self.newest_first) {
                (Some(order), _) => SortOrder::parse(order)?,
                (None, true) => SortOrder::NewestFirst,
                (None, false) => SortOrder::OldestFirst,
            },
        }
        .to_filter()
    }
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::List {
                filter,
                limit,
                after,
            } => {
                let filter = filter.to_filter()?;
                let after = after.as_deref().map(Cursor::parse).transpose()?;
                let session = ctx.clerk_reading().await?;
                let page = antraege::list(&session, &filter, after.as_ref(), limit).await?;
                ctx.print(&page, page_human);
            }
            Cmd::Show { nr } => {
                let nr = AntragNr::parse(&nr)?;
                let detail = antraege::show(&ctx.clerk().await?, nr).await?;
                ctx.print(&detail, detail_human);
            }
            Cmd::Approve { nr, reason } => {
                let (nr, reason) = (
                    AntragNr::parse(&nr)?,
                    Reason::parse_optional(reason.as_deref())?,
                );
                let approved = antraege::approve(&ctx.clerk().await?, nr, reason.as_ref()).await?;
                ctx.print(&approved, approved_human);
            }
            Cmd::Withdraw { nr, reason } => {
                let (nr, reason) = (AntragNr::parse(&nr)?, Reason::parse(&reason)?);
                antraege::withdraw(&ctx.clerk().await?, nr, &reason).await?;
                ctx.print(&serde_json::json!({ "withdrawn": nr }), |_| {
                    format!("Antrag Nr. {nr} zurückgezogen.")
                });
            }
            Cmd::Reject { nr, reason } => {
                let (nr, reason) = (AntragNr::parse(&nr)?, Reason::parse(&reason)?);
                antraege::reject(&ctx.clerk().await?, nr, &reason).await?;
                ctx.print(&serde_json::json!({ "rejected": nr }), |_| {
                    format!("Antrag Nr. {nr} abgelehnt.")
                });
            }
        }
        Ok(())
    }
}

fn approved_human(a: &Approved) -> String {
    match (a.outcome, a.zuordnung_id) {
        (ApprovalOutcome::Approved, Some(z)) => {
            format!("Antrag Nr. {} bestätigt; Zuordnung {z} angelegt.", a.nr)
        }
        (ApprovalOutcome::Approved, None) => format!("Antrag Nr. {} bestätigt.", a.nr),
        (ApprovalOutcome::AwaitingSecond, _) => format!(
            "Bestätigung ohne Code für Antrag Nr. {} angefragt. Sie wartet auf die zweite \
             Bestätigung durch eine andere Person der Sachbearbeitung (Vier-Augen-Prinzip).",
            a.nr
        ),
    }
}

fn page_human(p: &AntragPage) -> String {
    let mut out = human::lines(&p.rows, "Keine Anträge.", |a| {
        let mut line = human::summary_line(a);
        if a.awaiting_second_approval {
            line.push_str("  [wartet auf zweite Bestätigung]");
        }
        line
    });
    if let Some(next) = &p.next {
        let _ = write!(out, "\nWeitere Anträge: --after {next}");
    }
    out
}

fn detail_human(d: &AntragDetail) -> String {
    let a = &d.summary;
    let mut out = format!(
        "IHR ANTRAG Antrag Nr. {}, gesendet am {} – {}\n\nKontozuordnung\n  Antragsteller:in:           {} <{}>\n  Betrieb:                    {} {}\n  eingegeben:                 {} / {}\n  E-Mail laut Handwerksrolle: {}\n  Code bestätigt:             {}\n  entschieden:                {}{}{}\n",
        a.nr,
        human::date_seconds(a.sent_at),
        a.status_label,
        a.requester_name,
        a.requester_email,
        a.betriebsnummer,
        a.firmenname,
        d.betriebsnummer_entered,
        d.firmenname_entered,
        d.betrieb_email,
        human::opt_date(d.code_confirmed_at),
        human::opt_date(a.decided_at),
        a.decided_by
            .as_deref()
            .map(|b| format!(" von {b}"))
            .unwrap_or_default(),
        a.decision_reason
            .as_deref()
            .map(|r| format!(" – „{r}“"))
            .unwrap_or_default(),
    );
    if let Some(notice) = &d.notice {
        let _ = writeln!(out, "  Hinweis:                    {notice}");
    }
    if let Some(r) = &d.approval_request {
        let _ = writeln!(
            out,
            "  ohne Code angefragt:        {} von {}{} – wartet auf die zweite Bestätigung",
            human::date(r.at),
            r.by,
            r.reason
                .as_deref()
                .map(|r| format!(" („{r}“)"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\nCodes:\n{}", human::codes(&d.codes));
    let _ = writeln!(out, "\nVerlauf:");
    for e in &d.history {
        let _ = writeln!(
            out,
            "  {}  {:<38} {:<22} {:<16} {}",
            human::date_seconds(e.at),
            AuditAction::parse(&e.action).map_or(e.action.as_str(), |a| a.label_de()),
            e.actor,
            e.login,
            e.details
        );
    }
    out
}
