//! `kammerctl policy …`: the chamber-wide policy (administration).

use clap::{Args, Subcommand};
use kammer_core::Result;
use kammer_core::policy::{self, Policy, PolicyChange};

use crate::context::Context;
use crate::human;

#[derive(Subcommand)]
pub enum Cmd {
    /// Richtlinie anzeigen
    Show,
    /// Felder der Richtlinie ändern; nicht genannte bleiben, wie sie sind
    Set(SetArgs),
}

#[derive(Args)]
pub struct SetArgs {
    /// Gültigkeit eines Codes in Tagen
    #[arg(long)]
    code_lifetime_days: Option<i32>,
    /// Fehlversuche, bis ein Code gesperrt ist
    #[arg(long)]
    code_attempt_limit: Option<i32>,
    /// Wartezeit zwischen zwei Codes für denselben Antrag in Sekunden
    #[arg(long)]
    resend_cooldown_seconds: Option<i32>,
    /// Codes je Antrag in 24 Stunden
    #[arg(long)]
    sends_per_day: Option<i32>,
    /// Ein richtiger Code schließt die Zuordnung ohne Sachbearbeitung ab
    #[arg(long)]
    auto_approve_on_code: Option<bool>,
    /// Bestätigen ohne Code braucht eine zweite Person der Sachbearbeitung (Vier-Augen-Prinzip)
    #[arg(long)]
    four_eyes_without_code: Option<bool>,
    /// Codes an die Adresse eines Betriebs in 24 Stunden, über alle seine Anträge
    #[arg(long)]
    betrieb_sends_per_day: Option<i32>,
    /// Anträge eines Portal-Accounts in 24 Stunden
    #[arg(long)]
    account_requests_per_day: Option<i32>,
    #[arg(long)]
    chamber_name: Option<String>,
    #[arg(long)]
    hotline_phone: Option<String>,
    #[arg(long)]
    mail_from: Option<String>,
    #[arg(long)]
    portal_url: Option<String>,
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        let session = ctx.clerk().await?;
        let policy = match self {
            Cmd::Show => policy::show(&session).await?,
            Cmd::Set(s) => {
                let change = PolicyChange {
                    code_lifetime_days: s.code_lifetime_days,
                    code_attempt_limit: s.code_attempt_limit,
                    resend_cooldown_seconds: s.resend_cooldown_seconds,
                    sends_per_day: s.sends_per_day,
                    auto_approve_on_code: s.auto_approve_on_code,
                    four_eyes_without_code: s.four_eyes_without_code,
                    betrieb_sends_per_day: s.betrieb_sends_per_day,
                    account_requests_per_day: s.account_requests_per_day,
                    chamber_name: s.chamber_name,
                    hotline_phone: s.hotline_phone,
                    mail_from: s.mail_from,
                    portal_url: s.portal_url,
                };
                policy::set(&session, &change).await?
            }
        };
        ctx.print(&policy, human);
        Ok(())
    }
}

fn human(p: &Policy) -> String {
    format!(
        "Gültigkeit eines Codes:          {} Tage\n\
         Fehlversuche bis zur Sperre:     {}\n\
         Wartezeit zwischen Sendungen:    {} s\n\
         Codes je Antrag in 24 Stunden:   {}\n\
         Codes je Betrieb in 24 Stunden:  {}\n\
         Anträge je Account in 24 Std.:   {}\n\
         Bestätigung durch Code:          {}\n\
         Bestätigung ohne Code:           {}\n\
         Kammer:                          {}\n\
         Telefon der Hotline:             {}\n\
         Absender:                        {}\n\
         Portal:                          {}\n\
         Zuletzt geändert:                {}",
        p.code_lifetime_days,
        p.code_attempt_limit,
        p.resend_cooldown_seconds,
        p.sends_per_day,
        p.betrieb_sends_per_day,
        p.account_requests_per_day,
        if p.auto_approve_on_code {
            "schließt die Zuordnung sofort ab"
        } else {
            "Antrag geht in Bearbeitung"
        },
        if p.four_eyes_without_code {
            "braucht eine zweite Person der Sachbearbeitung (Vier-Augen-Prinzip)"
        } else {
            "eine Person der Sachbearbeitung mit Begründung"
        },
        p.chamber_name,
        p.hotline_phone,
        p.mail_from,
        p.portal_url,
        human::date(p.updated_at)
    )
}
