//! `kammerctl betrieb …`: looking up Betriebe (every clerk). Reads from the replica of
//! `--read-database-url` when there is one.

use std::fmt::Write;

use clap::Subcommand;
use kammer_core::Result;
use kammer_core::betriebe::{self, BetriebDetail, BetriebHit};
use kammer_core::domain::Betriebsnummer;

use crate::context::Context;
use crate::human;

#[derive(Subcommand)]
pub enum Cmd {
    /// Betrieb mit Filialen, Zuordnungen und Anträgen
    Show { betriebsnummer: String },
    /// Nach Nummer(nanfang), Name, Inhaber oder E-Mail suchen (tippfehlertolerant)
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

impl Cmd {
    pub async fn run(self, ctx: &Context) -> Result<()> {
        match self {
            Cmd::Show { betriebsnummer } => {
                let nummer = Betriebsnummer::parse(&betriebsnummer)?;
                let detail = betriebe::show(&ctx.clerk_reading().await?, &nummer).await?;
                ctx.print(&detail, detail_human);
            }
            Cmd::Search { query, limit } => {
                let hits = betriebe::search(&ctx.clerk_reading().await?, &query, limit).await?;
                ctx.print(&hits, |h| hits_human(h));
            }
        }
        Ok(())
    }
}

fn hits_human(hits: &[BetriebHit]) -> String {
    human::lines(hits, "Keine Betriebe gefunden.", |h| {
        format!(
            "{:<12} {:<40} {:<24} {}",
            h.betriebsnummer, h.firmenname, h.ort, h.email
        )
    })
}

fn detail_human(d: &BetriebDetail) -> String {
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
    let _ = writeln!(
        out,
        "  Stand der Handwerksrolle:    {}",
        b.stand
            .map(human::date)
            .unwrap_or_else(|| "noch nicht importiert".into())
    );
    if let Some(day) = b.geloescht_am {
        let _ = writeln!(
            out,
            "  In der Handwerksrolle gelöscht am {}",
            day.format("%d.%m.%Y")
        );
    }
    if !d.filialen.is_empty() {
        let _ = writeln!(
            out,
            "\nFilialen ({}):",
            human::number(d.filialen.len() as u64)
        );
        for f in &d.filialen {
            let _ = writeln!(out, "  {} {}, {}", f.betriebsnummer, f.firmenname, f.ort);
        }
    }
    let _ = writeln!(
        out,
        "\nZuordnungen ({}):",
        human::number(d.zuordnungen.len() as u64)
    );
    for z in &d.zuordnungen {
        let state = match &z.revoked_at {
            Some(at) => format!(
                "aufgehoben am {}{} ({})",
                human::date(*at),
                z.revoked_by
                    .as_deref()
                    .map(|by| format!(" von {by}"))
                    .unwrap_or_default(),
                z.revoke_reason.as_deref().unwrap_or("")
            ),
            None => "aktiv".into(),
        };
        let _ = writeln!(
            out,
            "  [{}] {} <{}> seit {} – {}",
            z.id,
            z.account_name,
            z.account_email,
            human::date(z.since),
            state
        );
    }
    let _ = writeln!(
        out,
        "\nAnträge ({}):",
        human::number(d.antraege.len() as u64)
    );
    for a in &d.antraege {
        let _ = writeln!(out, "  {}", human::summary_line(a));
    }
    out
}
