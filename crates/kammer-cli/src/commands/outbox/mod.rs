//! `kammerctl outbox …`: the mail outbox. `list`, `show` and `retry` are the administration's
//! (signed in as a clerk); `run` is the mail sender, a service of its own.

mod notify;
mod run;
mod smtp_config;

use clap::Subcommand;
use kammer_core::Result;
use kammer_core::domain::{AntragNr, Reason};
use kammer_core::outbox::{self, OutboxEntry, OutboxFilter, OutboxMail, RetryTarget};

use crate::context::Context;
use crate::human;

/// Why a mail was requeued, when the administration does not say.
const DEFAULT_RETRY_REASON: &str = "Erneut eingereiht nach Behebung der Zustellstörung";

#[derive(Subcommand)]
pub enum Cmd {
    /// E-Mails im Postausgang (Administration)
    List {
        /// queued, sent, failed oder cancelled
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        antrag: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Eine E-Mail, der Code darin bis auf seinen Anfang verdeckt (Administration)
    Show { id: i64 },
    /// Postausgang versenden, als Dienst-Zugang des E-Mail-Versands aus --database-url:
    /// ohne --once dauerhaft (Strg+C oder SIGTERM beendet nach den laufenden Sendungen)
    Run(run::Args),
    /// E-Mail erneut einreihen (Administration): eine wartende sofort; eine fehlgeschlagene
    /// bekommt einen neuen Code in einer neuen E-Mail, solange ihr Antrag auf einen wartet
    Retry {
        /// Nummer der E-Mail im Postausgang
        #[arg(required_unless_present = "failed", conflicts_with = "failed")]
        id: Option<i64>,
        /// Alle fehlgeschlagenen E-Mails, deren Antrag noch auf einen Code wartet
        #[arg(long)]
        failed: bool,
        /// Begründung für das Protokoll
        #[arg(long, default_value = DEFAULT_RETRY_REASON)]
        reason: String,
    },
}

impl Cmd {
    /// `run` is the mail sender's service; the rest are the administration's.
    pub fn is_service(&self) -> bool {
        matches!(self, Cmd::Run(_))
    }

    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::List {
                status,
                antrag,
                limit,
            } => {
                let filter = OutboxFilter {
                    status,
                    antrag: antrag.as_deref().map(AntragNr::parse).transpose()?,
                    limit,
                };
                let list = outbox::list(&ctx.clerk().await?, &filter).await?;
                ctx.print(&list, |l| list_human(l));
            }
            Cmd::Show { id } => {
                let mail = outbox::show(&ctx.clerk().await?, id).await?;
                ctx.print(&mail, mail_human);
            }
            Cmd::Run(args) => args.run(ctx).await?,
            Cmd::Retry {
                id,
                failed: _,
                reason,
            } => {
                let reason = Reason::parse(&reason)?;
                let target = match id {
                    Some(id) => RetryTarget::One(id),
                    None => RetryTarget::AllFailed,
                };
                let ids = outbox::retry(&ctx.clerk().await?, target, &reason).await?;
                ctx.print(&serde_json::json!({ "requeued": ids }), |_| {
                    match ids.len() {
                        0 => {
                            "Keine fehlgeschlagene E-Mail, deren Antrag noch auf einen Code wartet."
                                .into()
                        }
                        n => format!(
                            "{} eingereiht: {}",
                            human::count(n as u64, human::EMAIL),
                            human::nr_list(&ids)
                        ),
                    }
                });
            }
        }
        Ok(())
    }
}

fn list_human(list: &[OutboxEntry]) -> String {
    human::lines(list, "Der Postausgang ist leer.", |o| {
        format!(
            "[{}] {} {:<9} Antrag {:<7} an {:<36} {}",
            o.id,
            human::date(o.created_at),
            o.status,
            o.antrag_nr.map(|n| n.to_string()).unwrap_or_default(),
            o.recipient,
            o.subject
        )
    })
}

fn mail_human(m: &OutboxMail) -> String {
    let e = &m.entry;
    format!(
        "Message-ID: {}\nFrom: {}\nTo: {}\nSubject: {}\nStatus: {}{} (Versuche: {}{}{})\n\n{}",
        m.message_id,
        m.mail_from,
        e.recipient,
        e.subject,
        e.status,
        e.cancel_reason
            .as_deref()
            .map(|r| format!(", Grund: {r}"))
            .unwrap_or_default(),
        e.attempts,
        e.last_error
            .as_deref()
            .map(|e| format!(", letzter Fehler: {e}"))
            .unwrap_or_default(),
        e.smtp_reply
            .as_deref()
            .filter(|_| e.status == "sent")
            .map(|r| format!(", Antwort des Mailservers: {r}"))
            .unwrap_or_default(),
        m.body_text
    )
}
