//! Betriebe of the Handwerksrolle: look-up by number, typo-tolerant search, and one Betrieb
//! with its Zuordnungen and Anträge.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::antraege::{self, AntragFilter, AntragSummary, SortOrder};
use crate::auth::Session;
use crate::domain::{Betriebsnummer, BetriebsnummerPrefix, Permission};
use crate::zuordnungen::{self, Zuordnung};
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct Betrieb {
    pub id: i64,
    pub betriebsnummer: String,
    pub firmenname: String,
    pub inhaber: String,
    pub strasse: String,
    pub plz: String,
    pub ort: String,
    pub gewerk: String,
    /// "E-Mail laut Handwerksrolle": the only address codes go to.
    pub email: String,
    /// `None` for a Hauptsitz; otherwise the Betriebsnummer of the Filiale's Hauptsitz.
    pub hauptsitz: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One hit of the Suche.
#[derive(Debug, Clone, Serialize)]
pub struct BetriebHit {
    pub id: i64,
    pub betriebsnummer: String,
    pub firmenname: String,
    pub inhaber: String,
    pub ort: String,
    pub email: String,
    /// 1.0 for an exact or prefix number match; the trigram similarity otherwise.
    pub score: f32,
}

pub async fn by_nummer(
    pool: &PgPool,
    session: &Session,
    nummer: &Betriebsnummer,
) -> Result<Betrieb> {
    let mut conn = pool.acquire().await?;
    session.authorize(&mut conn, Permission::Lookup).await?;
    sqlx::query_as!(
        Betrieb,
        r#"select b.id, b.betriebsnummer, b.firmenname, b.inhaber, b.strasse, b.plz, b.ort, b.gewerk, b.email,
                  h.betriebsnummer as "hauptsitz?", b.created_at
           from betriebe b left join betriebe h on h.id = b.hauptsitz_id
           where b.betriebsnummer = $1"#,
        nummer.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| unknown(nummer))
}

pub(crate) fn unknown(nummer: &Betriebsnummer) -> Error {
    Error::not_found(format!(
        "Einen Betrieb mit der Betriebsnummer {nummer} gibt es in der Handwerksrolle nicht."
    ))
}

/// Betriebe whose number begins with `prefix`, in number order.
pub async fn by_prefix(
    pool: &PgPool,
    session: &Session,
    prefix: &BetriebsnummerPrefix,
    limit: i64,
) -> Result<Vec<BetriebHit>> {
    let mut conn = pool.acquire().await?;
    session.authorize(&mut conn, Permission::Lookup).await?;
    let hits = sqlx::query_as!(
        BetriebHit,
        r#"select id, betriebsnummer, firmenname, inhaber, ort, email, 1.0::real as "score!"
           from betriebe where betriebsnummer like $1 order by betriebsnummer limit $2"#,
        prefix.like_pattern(),
        limit.clamp(1, 200)
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(hits)
}

/// The Suche: digits look up numbers by prefix; anything else searches name, Inhaber and
/// e-mail by trigram word similarity, which forgives typos ("Müler" finds "Müller").
pub async fn search(
    pool: &PgPool,
    session: &Session,
    query: &str,
    limit: i64,
) -> Result<Vec<BetriebHit>> {
    let query = query.trim();
    if query.chars().count() < 2 && !query.chars().all(|c| c.is_ascii_digit()) || query.is_empty() {
        return Err(Error::validation("Bitte mindestens zwei Zeichen eingeben."));
    }
    if query
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace())
    {
        return by_prefix(pool, session, &BetriebsnummerPrefix::parse(query)?, limit).await;
    }
    if query.chars().count() > 200 {
        return Err(Error::validation(
            "Der Suchbegriff ist zu lang (höchstens 200 Zeichen).",
        ));
    }
    let mut conn = pool.acquire().await?;
    session.authorize(&mut conn, Permission::Lookup).await?;
    let needle = query.to_lowercase();
    let hits = sqlx::query_as!(
        BetriebHit,
        r#"select id, betriebsnummer, firmenname, inhaber, ort, email,
                  greatest(word_similarity($1, search_text), case when search_text like '%' || $2 || '%' then 1 else 0 end)::real as "score!"
           from betriebe
           where $1 <% search_text or search_text like '%' || $2 || '%'
           order by 7 desc, firmenname, betriebsnummer
           limit $3"#,
        needle,
        escape_like(&needle),
        limit.clamp(1, 200)
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(hits)
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[derive(Debug, Clone, Serialize)]
pub struct BetriebDetail {
    pub betrieb: Betrieb,
    pub filialen: Vec<BetriebHit>,
    pub zuordnungen: Vec<Zuordnung>,
    /// Newest first, at most 200; the queue filtered by Betrieb has the rest.
    pub antraege: Vec<AntragSummary>,
}

pub async fn show(
    pool: &PgPool,
    session: &Session,
    nummer: &Betriebsnummer,
) -> Result<BetriebDetail> {
    let betrieb = by_nummer(pool, session, nummer).await?;
    let mut conn = pool.acquire().await?;
    let filialen = sqlx::query_as!(
        BetriebHit,
        r#"select id, betriebsnummer, firmenname, inhaber, ort, email, 1.0::real as "score!"
           from betriebe where hauptsitz_id = $1 order by betriebsnummer"#,
        betrieb.id
    )
    .fetch_all(&mut *conn)
    .await?;
    let zuordnungen = zuordnungen::of_betrieb(&mut conn, betrieb.id).await?;
    drop(conn);
    let filter = AntragFilter {
        betriebsnummer: Some(nummer.clone()),
        order: SortOrder::NewestFirst,
        ..AntragFilter::default()
    };
    let antraege = antraege::list(pool, session, &filter, None, 200)
        .await?
        .rows;
    Ok(BetriebDetail {
        betrieb,
        filialen,
        zuordnungen,
        antraege,
    })
}
