//! `kammerctl code …`: the hotline's tools for confirmation codes. No clerk ever sees a
//! code: a read-out code is compared by its hash in the database, and a new one goes by mail.

use clap::Subcommand;
use kammer_core::Result;
use kammer_core::codes;
use kammer_core::domain::{AntragNr, Reason};

use crate::context::Context;
use crate::human;

#[derive(Subcommand)]
pub enum Cmd {
    /// Codes eines Antrags (Anfang, Gültigkeit, Zustellung; nie der Code selbst)
    Inspect { nr: String },
    /// Einen vorgelesenen Code prüfen, ohne ihn zu verbrauchen
    Check { nr: String, code: String },
    /// Neuen Code an die Adresse laut Handwerksrolle senden; der alte gilt dann nicht mehr
    Resend {
        nr: String,
        #[arg(long)]
        reason: String,
    },
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Inspect { nr } => {
                let nr = AntragNr::parse(&nr)?;
                let list = codes::inspect(&ctx.clerk().await?, nr).await?;
                ctx.print(&list, |l| human::codes(l));
            }
            Cmd::Check { nr, code } => {
                let nr = AntragNr::parse(&nr)?;
                let checked = codes::check(&ctx.clerk().await?, nr, &code).await?;
                ctx.print(&checked, |c| c.message.clone());
            }
            Cmd::Resend { nr, reason } => {
                let (nr, reason) = (AntragNr::parse(&nr)?, Reason::parse(&reason)?);
                let r = codes::resend(&ctx.clerk().await?, nr, &reason).await?;
                ctx.print(&r, |r| {
                    format!(
                        "Neuer Code für Antrag Nr. {nr} (beginnt mit {}) an {} in den Postausgang gestellt (E-Mail {}), gültig bis {}.",
                        r.prefix,
                        r.sent_to,
                        r.outbox_id,
                        human::date(r.expires_at)
                    )
                });
            }
        }
        Ok(())
    }
}
