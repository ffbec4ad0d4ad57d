//! `kammerctl zuordnung revoke`: ends a Zuordnung, e.g. when the employee has left the Betrieb.

use clap::Subcommand;
use kammer_core::domain::Reason;
use kammer_core::{Result, zuordnungen};

use crate::context::Context;

#[derive(Subcommand)]
pub enum Cmd {
    /// Zuordnung aufheben (Sachbearbeitung)
    Revoke {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Revoke { id, reason } => {
                let reason = Reason::parse(&reason)?;
                zuordnungen::revoke(&ctx.clerk().await?, id, &reason).await?;
                ctx.print(&serde_json::json!({ "revoked": id }), |_| {
                    format!("Zuordnung {id} aufgehoben.")
                });
            }
        }
        Ok(())
    }
}
