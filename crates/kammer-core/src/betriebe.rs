//! Betriebe of the Handwerksrolle: look-up by number, typo-tolerant search, and one Betrieb
//! with its Zuordnungen and Anträge.

use crate::antraege::{self, AntragFilter, AntragSummary, SortOrder};
use crate::auth::Session;
use crate::domain::{Betriebsnummer, BetriebsnummerPrefix};
use crate::zuordnungen::{self, Zuordnung};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Gelöscht in der Handwerksrolle: the row stays for its Anträge and Zuordnungen.
    pub geloescht_am: Option<NaiveDate>,
    /// „Stand der Handwerksrolle“: the last import that confirmed this Betrieb (a full
    /// snapshot confirms every Betrieb it does not delete); `None` before the first import.
    pub stand: Option<DateTime<Utc>>,
}

/// One hit of the Suche.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BetriebHit {
    pub id: i64,
    pub betriebsnummer: String,
    pub firmenname: String,
    pub inhaber: String,
    pub ort: String,
    pub email: String,
    /// The Hauptsitz's Betriebsnummer for a Filiale (the Suche marks Filialen).
    pub hauptsitz: Option<String>,
    pub geloescht_am: Option<NaiveDate>,
    /// 1.0 for an exact or prefix number match; the trigram similarity otherwise.
    pub score: f32,
}

/// The most hits a look-up or Suche returns, whatever the caller asks for (the only clamp).
pub const MAX_HITS: i64 = 200;

pub async fn by_nummer(session: &Session, nummer: &Betriebsnummer) -> Result<Betrieb> {
    let mut conn = session.read_connection().await?;
    sqlx::query_as!(
        Betrieb,
        r#"/* hot:betrieb_by_nummer */ select b.id, b.betriebsnummer, b.firmenname, b.inhaber, b.strasse, b.plz, b.ort, b.gewerk, b.email,
                  h.betriebsnummer as "hauptsitz?", b.created_at, b.geloescht_am,
                  case when b.geloescht_am is null
                       then greatest(i.at, (select max(f.at) from handwerksrolle_imports f where f.mode = 'full'))
                       else i.at end as "stand?"
           from betriebe b left join betriebe h on h.id = b.hauptsitz_id
           left join handwerksrolle_imports i on i.id = b.import_id
           where b.betriebsnummer = $1"#,
        nummer.as_str()
    )
    .fetch_optional(&mut conn)
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
    session: &Session,
    prefix: &BetriebsnummerPrefix,
    limit: i64,
) -> Result<Vec<BetriebHit>> {
    let mut conn = session.read_connection().await?;
    let hits = sqlx::query_as!(
        BetriebHit,
        r#"select b.id, b.betriebsnummer, b.firmenname, b.inhaber, b.ort, b.email, h.betriebsnummer as "hauptsitz?",
                  b.geloescht_am, 1.0::real as "score!"
           from betriebe b left join betriebe h on h.id = b.hauptsitz_id
           where b.betriebsnummer like $1 order by b.betriebsnummer limit $2"#,
        prefix.like_pattern(),
        limit.clamp(1, MAX_HITS)
    )
    .fetch_all(&mut conn)
    .await?;
    Ok(hits)
}

/// The Suche: digits look up numbers by prefix; anything else searches the words of name,
/// Inhaber and e-mail address by prefix and, when that finds too little, by trigram
/// similarity to the words that occur, which forgives typos ("Müler" finds "Müller").
pub async fn search(session: &Session, query: &str, limit: i64) -> Result<Vec<BetriebHit>> {
    let query = query.trim();
    if query.chars().count() < 2 && !query.chars().all(|c| c.is_ascii_digit()) || query.is_empty() {
        return Err(Error::validation("Bitte mindestens zwei Zeichen eingeben."));
    }
    if query
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace())
    {
        return by_prefix(session, &BetriebsnummerPrefix::parse(query)?, limit).await;
    }
    check_search_length(query)?;
    let mut conn = session.read_connection().await?;
    // Two tiers, each reading at most 200 Betriebe through the GIN index on the words, so a
    // common surname costs as little as a rare one:
    // 1. Betriebe having, for each query word, a word that begins with it ("bäck müller"
    //    finds "Bäckerei Müller GmbH"); umlauts and ß are written out on both sides. The
    //    words that begin with it (20 at most, shortest first) are taken from the
    //    dictionary and looked up exactly in the GIN index, several times cheaper than a
    //    prefix match in the index itself. Score 1, in name order.
    // 2. Only when tier 1 has fewer hits than asked: each query word may also be one of the
    //    20 dictionary words most similar to it (trigrams); this forgives typos ("Müler"
    //    finds "Müller"). Ranked by trigram word similarity to the query.
    let hits = sqlx::query_as!(
        BetriebHit,
        r#"/* hot:betrieb_search */
           with q as (
               select qw from unnest(kammer_search_words($1)) with ordinality as t(qw, i)
               where length(qw) >= 2 order by i limit 6
           ),
           exact as (
               select b.id from betriebe b
               where b.search_words @@ (
                   select string_agg('(' || x.alts || ')', ' & ')::tsquery
                   from q cross join lateral (
                       select coalesce(string_agg(quote_literal(d.word), ' | '), quote_literal(q.qw)) as alts
                       from (select word from search_dictionary where word like q.qw || '%'
                             order by length(word), word limit 20) d
                   ) x)
               limit 200
           ),
           fuzzy as (
               select b.id from betriebe b
               where (select count(*) from exact) < $2
                 and b.search_words @@ (
                     select string_agg('(' || x.alts || ')', ' & ')::tsquery
                     from q cross join lateral (
                         select coalesce(string_agg(quote_literal(d.word), ' | '), quote_literal(q.qw)) as alts
                         from (select word from search_dictionary where word % q.qw or word like q.qw || '%'
                               order by word <-> q.qw limit 20) d
                     ) x)
               limit 200
           ),
           hits as (
               select id, 1 as tier from exact
               union all
               select id, 2 from fuzzy where id not in (select id from exact)
           )
           select b.id, b.betriebsnummer, b.firmenname, b.inhaber, b.ort, b.email, hs.betriebsnummer as "hauptsitz?",
                  b.geloescht_am,
                  (case when h.tier = 1 then 1 else word_similarity(lower($1), b.search_text) end)::real as "score!"
           from hits h join betriebe b on b.id = h.id left join betriebe hs on hs.id = b.hauptsitz_id
           order by h.tier, 9 desc, b.firmenname, b.betriebsnummer
           limit $2"#,
        query,
        limit.clamp(1, MAX_HITS)
    )
    .fetch_all(&mut conn)
    .await?;
    Ok(hits)
}

/// The longest search term the Suche and the queue's search take, in characters.
const MAX_SEARCH_CHARS: usize = 200;

/// Refuses a search term longer than [`MAX_SEARCH_CHARS`]: the Suche and the queue say the
/// same thing about the same term.
pub(crate) fn check_search_length(term: &str) -> Result<()> {
    if term.chars().count() > MAX_SEARCH_CHARS {
        return Err(Error::validation(format!(
            "Der Suchbegriff ist zu lang (höchstens {MAX_SEARCH_CHARS} Zeichen)."
        )));
    }
    Ok(())
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BetriebDetail {
    pub betrieb: Betrieb,
    pub filialen: Vec<BetriebHit>,
    pub zuordnungen: Vec<Zuordnung>,
    /// Newest first, at most 200; the queue filtered by Betrieb has the rest.
    pub antraege: Vec<AntragSummary>,
}

/// Reads from the replica when there is one, all parts from the same server, so the
/// Zuordnungen and the Anträge agree with each other even while the replica lags.
pub async fn show(session: &Session, nummer: &Betriebsnummer) -> Result<BetriebDetail> {
    let betrieb = by_nummer(session, nummer).await?;
    let mut conn = session.further_read_connection().await?;
    let filialen = sqlx::query_as!(
        BetriebHit,
        r#"select id, betriebsnummer, firmenname, inhaber, ort, email, $2::text as "hauptsitz?", geloescht_am,
                  1.0::real as "score!"
           from betriebe where hauptsitz_id = $1 order by betriebsnummer"#,
        betrieb.id,
        betrieb.betriebsnummer
    )
    .fetch_all(&mut conn)
    .await?;
    let zuordnungen = zuordnungen::of_betrieb(&mut conn, betrieb.id).await?;
    drop(conn);
    let filter = AntragFilter {
        betriebsnummer: Some(nummer.clone()),
        order: SortOrder::NewestFirst,
        ..AntragFilter::default()
    };
    let antraege = antraege::list(session, &filter, None, 200).await?.rows;
    Ok(BetriebDetail {
        betrieb,
        filialen,
        zuordnungen,
        antraege,
    })
}
