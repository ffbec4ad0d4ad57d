//! `kammerctl`: every clerk action of KammerDesk from the shell, over the same core
//! functions as the desk, under the same role checks.

mod args;
mod human;
mod smtp_config;

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Parser;
use kammer_core::antraege::{self, AntragFilter, Cursor, SortOrder};
use kammer_core::auth::{self, Password, Session};
use kammer_core::domain::{
    AntragNr, AntragStatus, Betriebsnummer, EmailAddress, GermanDay, Reason, Role,
};
use kammer_core::error::ErrorBody;
use kammer_core::export::{self, Dialect, ExportControl, ExportOutcome};
use kammer_core::report::{self, Month};
use kammer_core::{
    Error, Result, betriebe, clerks, codes, db, demo, expiry, mail, outbox, policy, portal,
    zuordnungen,
};
use serde::Serialize;
use sqlx::PgPool;

use args::*;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
                // sqlx warns about every statement over 0.5 s; an export of a million rows is
                // one such statement by design, and cron would mail the warning.
                .unwrap_or_else(|_| "warn,sqlx::query=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": ErrorBody::from(&e) }));
            } else {
                eprintln!("Fehler ({}): {}", e.kind().as_str(), e.message());
            }
            ExitCode::from(1)
        }
    }
}

struct Ctx {
    pool: PgPool,
    read_url: Option<String>,
    json: bool,
    as_user: Option<String>,
}

impl Ctx {
    /// Where look-ups, exports and reports read. The replica is connected only by the
    /// commands that read from it, so `migrate` or an approval never depends on it.
    async fn reads(&self) -> Result<db::Pools> {
        let replica = match &self.read_url {
            Some(url) => Some(db::connect_read_only(url).await?),
            None => None,
        };
        Ok(db::Pools {
            primary: self.pool.clone(),
            replica,
        })
    }

    fn print<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).expect("core types serialise")
            );
        } else {
            println!("{}", human(value).trim_end());
        }
    }

    async fn session(&self) -> Result<Session> {
        let user = self.as_user.as_deref().ok_or_else(|| {
            Error::validation(
                "Diese Aktion braucht einen Zugang: --as <benutzername> (oder KAMMERCTL_USER).",
            )
        })?;
        let password = secret("KAMMERCTL_PASSWORD", &format!("Passwort für {user}: "))?;
        auth::sign_in(&self.pool, user, &Password::attempt(&password)).await
    }
}

fn secret(var: &str, prompt: &str) -> Result<String> {
    if let Ok(v) = std::env::var(var) {
        return Ok(v);
    }
    rpassword::prompt_password(prompt).map_err(|_| {
        Error::validation(format!(
            "Kein Passwort: bitte {var} setzen oder im Terminal eingeben."
        ))
    })
}

async fn run(cli: Cli) -> Result<()> {
    let url = cli.database_url.ok_or_else(|| {
        Error::validation("Keine Datenbank angegeben: --database-url oder DATABASE_URL setzen.")
    })?;
    let ctx = Ctx {
        pool: db::connect(&url).await?,
        read_url: cli.read_database_url.filter(|u| !u.trim().is_empty()),
        json: cli.json,
        as_user: cli.as_user,
    };
    match cli.command {
        Command::Migrate => {
            db::migrate(&ctx.pool).await?;
            ctx.print(&serde_json::json!({ "migrated": true }), |_| {
                "Datenbankschema ist aktuell.".into()
            });
        }
        Command::DemoSeed { betriebe, antraege } => {
            let report = demo::seed(&ctx.pool, &demo::SeedOptions { betriebe, antraege }).await?;
            ctx.print(&report, |r| {
                format!(
                    "Demodaten geladen: {} Betriebe, {} Accounts, {} Anträge, {} Zuordnungen, {} Zugänge.",
                    r.betriebe, r.accounts, r.antraege, r.zuordnungen, r.clerks
                )
            });
        }
        Command::Clerk(cmd) => clerk(&ctx, cmd).await?,
        Command::Policy(PolicyCmd::Show) => {
            let p = policy::show(&ctx.pool, &ctx.session().await?).await?;
            ctx.print(&p, human::policy);
        }
        Command::Policy(PolicyCmd::Set(s)) => {
            let change = policy::PolicyChange {
                code_lifetime_days: s.code_lifetime_days,
                code_attempt_limit: s.code_attempt_limit,
                resend_cooldown_seconds: s.resend_cooldown_seconds,
                sends_per_day: s.sends_per_day,
                auto_approve_on_code: s.auto_approve_on_code,
                chamber_name: s.chamber_name,
                hotline_phone: s.hotline_phone,
                mail_from: s.mail_from,
                portal_url: s.portal_url,
            };
            let p = policy::set(&ctx.pool, &ctx.session().await?, &change).await?;
            ctx.print(&p, human::policy);
        }
        Command::Betrieb(BetriebCmd::Show { betriebsnummer }) => {
            let nummer = Betriebsnummer::parse(&betriebsnummer)?;
            let d = betriebe::show(&ctx.reads().await?, &ctx.session().await?, &nummer).await?;
            ctx.print(&d, human::betrieb);
        }
        Command::Betrieb(BetriebCmd::Search { query, limit }) => {
            let hits =
                betriebe::search(&ctx.reads().await?, &ctx.session().await?, &query, limit).await?;
            ctx.print(&hits, |h| human::hits(h));
        }
        Command::Antrag(cmd) => antrag(&ctx, cmd).await?,
        Command::Code(CodeCmd::Inspect { nr }) => {
            let list =
                codes::inspect(&ctx.pool, &ctx.session().await?, AntragNr::parse(&nr)?).await?;
            ctx.print(&list, |l| human::codes(l));
        }
        Command::Code(CodeCmd::Check { nr, code }) => {
            let c = codes::check(
                &ctx.pool,
                &ctx.session().await?,
                AntragNr::parse(&nr)?,
                &code,
            )
            .await?;
            ctx.print(&c, |c| c.message.clone());
        }
        Command::Code(CodeCmd::Resend { nr, reason }) => {
            let (nr, reason) = (AntragNr::parse(&nr)?, Reason::parse(&reason)?);
            let r = codes::resend(&ctx.pool, &ctx.session().await?, nr, &reason).await?;
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
        Command::Zuordnung(ZuordnungCmd::Revoke { id, reason }) => {
            let reason = Reason::parse(&reason)?;
            zuordnungen::revoke(&ctx.pool, &ctx.session().await?, id, &reason).await?;
            ctx.print(&serde_json::json!({ "revoked": id }), |_| {
                format!("Zuordnung {id} aufgehoben.")
            });
        }
        Command::Portal(cmd) => portal_cmd(&ctx, cmd).await?,
        Command::Outbox(OutboxCmd::List {
            status,
            antrag,
            limit,
        }) => {
            let filter = outbox::OutboxFilter {
                status,
                antrag: antrag.as_deref().map(AntragNr::parse).transpose()?,
                limit,
            };
            let list = outbox::list(&ctx.pool, &ctx.session().await?, &filter).await?;
            ctx.print(&list, |l| human::outbox(l));
        }
        Command::Outbox(OutboxCmd::Show { id }) => {
            let mail = outbox::show(&ctx.pool, &ctx.session().await?, id).await?;
            ctx.print(&mail, human::mail);
        }
        Command::Outbox(OutboxCmd::Run { once, smtp, worker }) => {
            let mailer = mail::Mailer::new(&smtp_config::smtp_config(&smtp)?)?;
            let config = smtp_config::worker_config(&worker)?;
            if once {
                let report = mail::drain(&ctx.pool, &mailer, &config).await?;
                ctx.print(&report, human::drain);
            } else {
                let (stop, stopped) = tokio::sync::watch::channel(false);
                tokio::spawn(async move {
                    interrupted().await;
                    let _ = stop.send(true);
                });
                mail::run(&ctx.pool, &mailer, &config, stopped).await?;
            }
        }
        Command::Outbox(OutboxCmd::Retry { id, failed: _ }) => {
            let target = match id {
                Some(id) => outbox::RetryTarget::One(id),
                None => outbox::RetryTarget::AllFailed,
            };
            let ids = outbox::retry(&ctx.pool, &ctx.session().await?, target).await?;
            ctx.print(&serde_json::json!({ "requeued": ids }), |_| {
                match ids.len() {
                    0 => "Keine fehlgeschlagene E-Mail mit noch gültigem Code.".into(),
                    n => format!("{n} E-Mail(s) erneut eingereiht: {ids:?}"),
                }
            });
        }
        Command::Export(cmd) => export_cmd(&ctx, cmd).await?,
        Command::Report(cmd) => report_cmd(&ctx, cmd).await?,
        Command::Expire => {
            let expired = expiry::expire_overdue(&ctx.pool).await?;
            ctx.print(&serde_json::json!({ "expired": expired }), |_| {
                format!(
                    "{} Anträge abgelaufen{}",
                    expired.len(),
                    human::nr_list(&expired)
                )
            });
        }
    }
    Ok(())
}

async fn clerk(ctx: &Ctx, cmd: ClerkCmd) -> Result<()> {
    match cmd {
        ClerkCmd::Add {
            username,
            name,
            role,
        } => {
            let role = Role::parse(&role)?;
            let session = match ctx.as_user {
                Some(_) => Some(ctx.session().await?),
                None => None,
            };
            let pw = Password::new_checked(&secret(
                "KAMMERCTL_NEW_PASSWORD",
                &format!("Neues Passwort für {username}: "),
            )?)?;
            let new = clerks::NewClerk {
                username: &username,
                display_name: &name,
                role,
                password: &pw,
            };
            let c = clerks::add(&ctx.pool, session.as_ref(), &new).await?;
            ctx.print(&c, |c| {
                format!(
                    "Zugang „{}“ ({}, {}) angelegt.",
                    c.username,
                    c.display_name,
                    c.role.label_de()
                )
            });
        }
        ClerkCmd::Passwd { username } => {
            let session = ctx.session().await?;
            let pw = Password::new_checked(&secret(
                "KAMMERCTL_NEW_PASSWORD",
                &format!("Neues Passwort für {username}: "),
            )?)?;
            clerks::set_password(&ctx.pool, &session, &username, &pw).await?;
            ctx.print(&serde_json::json!({ "password_set": username }), |_| {
                format!("Passwort für „{username}“ gesetzt.")
            });
        }
        ClerkCmd::Disable { username } => {
            clerks::disable(&ctx.pool, &ctx.session().await?, &username).await?;
            ctx.print(&serde_json::json!({ "disabled": username }), |_| {
                format!("Zugang „{username}“ gesperrt.")
            });
        }
        ClerkCmd::List => {
            let list = clerks::list(&ctx.pool, &ctx.session().await?).await?;
            ctx.print(&list, |l| human::clerks(l));
        }
    }
    Ok(())
}

fn day(s: &str) -> Result<DateTime<Utc>> {
    Ok(GermanDay::parse(s)?.start())
}

fn antrag_filter(f: &FilterArgs) -> Result<AntragFilter> {
    Ok(AntragFilter {
        statuses: f
            .status
            .iter()
            .map(|s| AntragStatus::parse(s))
            .collect::<Result<_>>()?,
        from: f.from.as_deref().map(day).transpose()?,
        to: f.to.as_deref().map(day).transpose()?,
        betriebsnummer: f
            .betrieb
            .as_deref()
            .map(Betriebsnummer::parse)
            .transpose()?,
        search: f.search.clone(),
        order: if f.newest_first {
            SortOrder::NewestFirst
        } else {
            SortOrder::OldestFirst
        },
    })
}

async fn export_cmd(ctx: &Ctx, cmd: ExportCmd) -> Result<()> {
    match cmd {
        ExportCmd::Antraege {
            filter,
            dialect,
            out,
        } => {
            let (filter, dialect) = (antrag_filter(&filter)?, Dialect::parse(&dialect)?);
            let session = ctx.session().await?;
            // Ctrl-C stops the export cleanly: no half-written file, no temporary file left.
            let control = ExportControl::new();
            let on_interrupt = control.clone();
            tokio::spawn(async move {
                interrupted().await;
                on_interrupt.cancel();
            });
            let outcome = export::antraege(
                &ctx.reads().await?,
                &session,
                &filter,
                dialect,
                &out,
                &control,
            )
            .await?;
            if let ExportOutcome::Cancelled { .. } = outcome {
                return Err(Error::conflict(
                    "Der Export wurde abgebrochen; es wurde keine Datei geschrieben.",
                ));
            }
            ctx.print(&outcome, |o| match o {
                ExportOutcome::Written { path, rows } => format!(
                    "{rows} Anträge nach {} exportiert ({}).",
                    path.display(),
                    dialect.label_de()
                ),
                ExportOutcome::Cancelled { .. } => "Export abgebrochen.".into(),
            });
        }
    }
    Ok(())
}

/// Ctrl-C, or SIGTERM from cron's or systemd's time limit (or a container runtime).
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn report_cmd(ctx: &Ctx, cmd: ReportCmd) -> Result<()> {
    match cmd {
        ReportCmd::Monthly {
            month,
            dialect,
            out,
            series_out,
        } => {
            let (month, dialect) = (Month::parse(&month)?, Dialect::parse(&dialect)?);
            let session = ctx.session().await?;
            let r = report::monthly(&ctx.reads().await?, &session, month).await?;
            let mut written = Vec::new();
            if let Some(out) = &out {
                written.push(report::write_monthly(&ctx.pool, &session, &r, dialect, out).await?);
            }
            if let Some(out) = &series_out {
                written.push(report::write_series(&ctx.pool, &session, &r, dialect, out).await?);
            }
            if written.is_empty() {
                ctx.print(&r, human::monthly_report);
            } else {
                ctx.print(&serde_json::json!({ "written": written }), |_| {
                    written
                        .iter()
                        .map(|p| format!("Monatsbericht {month} nach {} geschrieben.", p.display()))
                        .collect::<Vec<_>>()
                        .join("\n")
                });
            }
        }
    }
    Ok(())
}

async fn antrag(ctx: &Ctx, cmd: AntragCmd) -> Result<()> {
    match cmd {
        AntragCmd::List {
            filter,
            limit,
            after,
        } => {
            let filter = antrag_filter(&filter)?;
            let after = after.as_deref().map(Cursor::parse).transpose()?;
            let page = antraege::list(
                &ctx.pool,
                &ctx.session().await?,
                &filter,
                after.as_ref(),
                limit,
            )
            .await?;
            ctx.print(&page, human::page);
        }
        AntragCmd::Show { nr } => {
            let d = antraege::show(&ctx.pool, &ctx.session().await?, AntragNr::parse(&nr)?).await?;
            ctx.print(&d, human::antrag);
        }
        AntragCmd::Approve { nr, reason } => {
            let (nr, reason) = (
                AntragNr::parse(&nr)?,
                Reason::parse_optional(reason.as_deref())?,
            );
            let a =
                antraege::approve(&ctx.pool, &ctx.session().await?, nr, reason.as_ref()).await?;
            ctx.print(&a, |a| {
                format!(
                    "Antrag Nr. {} bestätigt; Zuordnung {} angelegt.",
                    a.nr, a.zuordnung_id
                )
            });
        }
        AntragCmd::Withdraw { nr, reason } => {
            let (nr, reason) = (AntragNr::parse(&nr)?, Reason::parse(&reason)?);
            antraege::withdraw(&ctx.pool, &ctx.session().await?, nr, &reason).await?;
            ctx.print(&serde_json::json!({ "withdrawn": nr }), |_| {
                format!("Antrag Nr. {nr} zurückgezogen.")
            });
        }
        AntragCmd::Reject { nr, reason } => {
            let (nr, reason) = (AntragNr::parse(&nr)?, Reason::parse(&reason)?);
            antraege::reject(&ctx.pool, &ctx.session().await?, nr, &reason).await?;
            ctx.print(&serde_json::json!({ "rejected": nr }), |_| {
                format!("Antrag Nr. {nr} abgelehnt.")
            });
        }
    }
    Ok(())
}

async fn portal_cmd(ctx: &Ctx, cmd: PortalCmd) -> Result<()> {
    match cmd {
        PortalCmd::Register { email, name } => {
            let email = EmailAddress::parse(&email)?;
            let pw = Password::new_checked(&secret(
                "KAMMERCTL_PORTAL_PASSWORD",
                "Passwort für den Portal-Account: ",
            )?)?;
            let r = portal::register(&ctx.pool, &email, &name, &pw).await?;
            ctx.print(&r, |r| {
                format!(
                    "Account {} angelegt. Bestätigungs-Token für den E-Mail-Link: {}",
                    r.account_id, r.confirm_token
                )
            });
        }
        PortalCmd::Confirm { email, token } => {
            portal::confirm_email(&ctx.pool, &EmailAddress::parse(&email)?, &token).await?;
            ctx.print(&serde_json::json!({ "confirmed": email }), |_| {
                format!("E-Mail-Adresse {email} bestätigt.")
            });
        }
        PortalCmd::Request {
            email,
            betriebsnummer,
            firmenname,
        } => {
            let (email, nummer) = (
                EmailAddress::parse(&email)?,
                Betriebsnummer::parse(&betriebsnummer)?,
            );
            let f = portal::request_zuordnung(&ctx.pool, &email, &nummer, &firmenname).await?;
            ctx.print(&f, |f| {
                format!(
                    "Antrag Nr. {}, gesendet am {} – {}. Der Bestätigungs-Code geht an {}.",
                    f.nr,
                    human::date_seconds(f.sent_at),
                    f.status.label_de(),
                    f.sent_to_masked
                )
            });
        }
        PortalCmd::SubmitCode { email, nr, code } => {
            let s = portal::submit_code(
                &ctx.pool,
                &EmailAddress::parse(&email)?,
                AntragNr::parse(&nr)?,
                &code,
            )
            .await?;
            ctx.print(&s, |s| {
                format!("Antrag Nr. {}: {}.", s.nr, s.status.label_de())
            });
        }
        PortalCmd::Withdraw { email, nr } => {
            let nr = AntragNr::parse(&nr)?;
            portal::withdraw(&ctx.pool, &EmailAddress::parse(&email)?, nr).await?;
            ctx.print(&serde_json::json!({ "withdrawn": nr }), |_| {
                format!("Antrag Nr. {nr} zurückgezogen.")
            });
        }
    }
    Ok(())
}
