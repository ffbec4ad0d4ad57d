//! `kammerctl demo-seed`: the demo data (Betrieb 2121155381, Antrag Nr. 178) with the demo
//! clerks and service logins. Set-up, as a superuser; refused when any clerk exists.

use clap::Args;
use kammer_core::Result;
use kammer_core::demo::{self, DEMO_CLERKS, DEMO_PASSWORD, DEMO_SERVICES, SeedReport};

use crate::context::Context;
use crate::human;

#[derive(Args)]
pub struct Cmd {
    #[arg(long, default_value_t = 300)]
    betriebe: u32,
    #[arg(long, default_value_t = 600)]
    antraege: u32,
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        let pool = ctx.superuser().await?;
        let options = demo::SeedOptions {
            betriebe: self.betriebe,
            antraege: self.antraege,
        };
        let report = demo::seed(&pool, &options).await?;
        ctx.print(&report, human);
        Ok(())
    }
}

fn human(r: &SeedReport) -> String {
    let clerks: Vec<&str> = DEMO_CLERKS.iter().map(|c| c.0).collect();
    let services: Vec<&str> = DEMO_SERVICES.iter().map(|s| s.0).collect();
    format!(
        "Demodaten geladen: {}, {}, {}, {}, {}.\n\
         Zugänge der Sachbearbeitung: {}\nDienst-Zugänge: {}\nPasswort aller Demo-Zugänge: {DEMO_PASSWORD}",
        human::count(r.betriebe, human::BETRIEB),
        human::count(r.accounts, human::ACCOUNT),
        human::count(r.antraege, human::ANTRAG),
        human::count(r.zuordnungen, human::ZUORDNUNG),
        human::count(r.clerks, human::ZUGANG),
        clerks.join(", "),
        services.join(", "),
    )
}
