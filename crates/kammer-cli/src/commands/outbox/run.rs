//! `kammerctl outbox run`: the mail sender, the only program that reads codes. It signs in
//! with its service login (group `kammer_mailer`) from `--database-url`.

use kammer_core::Result;
use kammer_core::db::Service;
use kammer_core::mail::{self, DrainReport};

use super::smtp_config::{SmtpArgs, WorkerArgs, smtp_config, worker_config};
use crate::context::{Context, interrupted};
use crate::human;

#[derive(clap::Args)]
pub struct Args {
    /// Nur einmal alles Fällige senden, dann beenden (für cron)
    #[arg(long)]
    once: bool,
    #[command(flatten)]
    smtp: SmtpArgs,
    #[command(flatten)]
    worker: WorkerArgs,
}

impl Args {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        let mailer = mail::Mailer::new(&smtp_config(&self.smtp)?)?;
        let config = worker_config(&self.worker)?;
        let pool = ctx.service(Service::Mailer).await?;
        if self.once {
            let report = mail::drain(&pool, &mailer, &config).await?;
            ctx.print(&report, human);
        } else {
            let (stop, stopped) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                interrupted().await;
                super::notify::notify("STOPPING=1");
                let _ = stop.send(true);
            });
            // Signed in as the mail sender and the SMTP settings read: the service is up.
            // One line on stderr whatever RUST_LOG says, for the journal or the service log.
            eprintln!(
                "kammerctl outbox run: bereit (Dienst-Zugang {}, SMTP {}); Herzschlag in die Datenbank bei jeder Runde, spätestens alle {} s",
                pool.connect_options().get_username(),
                mailer.describe(),
                config.poll_interval.as_secs()
            );
            super::notify::notify("READY=1\nSTATUS=Postausgang bereit");
            mail::run(&pool, &mailer, &config, stopped).await?;
        }
        Ok(())
    }
}

fn human(r: &DrainReport) -> String {
    format!(
        "Versendet: {}, später erneut: {}, fehlgeschlagen: {}",
        human::number(r.sent),
        human::number(r.deferred),
        human::number(r.failed)
    )
}
