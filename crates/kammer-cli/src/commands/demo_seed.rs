//! `kammerctl demo-seed`: the demo data (Betrieb 2121155381, Antrag Nr. 178) with the demo
//! clerks and service logins. Set-up, as a superuser; refused when any clerk exists.

use clap::Args;
use kammer_core::Result;
use kammer_core::demo::{
    self, DEMO_CLERKS, DEMO_PASSWORD, DEMO_SERVICES, SeedProgress, SeedReport,
};

use crate::context::Context;
use crate::{human, progress};

#[derive(Args)]
pub struct Cmd {
    /// Wie viele Betriebe (mindestens 4)
    #[arg(long, default_value_t = 300)]
    betriebe: u32,
    /// Wie viele Anträge (mindestens 178, damit es Antrag Nr. 178 gibt)
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
        let bar = progress::steps();
        let report = demo::seed_with_progress(&pool, &options, &|p: SeedProgress| {
            bar.set_length(p.total.max(1));
            bar.set_position(p.done);
            bar.set_message(p.step);
        })
        .await;
        bar.finish_and_clear();
        let report = report?;
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
