//! The one connection a clerk's look-ups and actions use one after another, kept beside the
//! pool.
//!
//! sqlx pings every pooled connection when it goes back to its pool (`return_to_pool` in
//! sqlx-core 0.9, in a task of its own), so each statement through the pool costs two round
//! trips: the statement, and the ping that competes with the next one for the client and the
//! server. At a look-up by Betriebsnummer, which PostgreSQL answers in 0.06 ms, that ping
//! was most of the time the desk spent beside pgbench (docs/performance.md). The clerk's
//! statements take this connection when it is free and the pool's otherwise (the desk asks
//! several things at once when a screen opens).
//!
//! Without the ping, three things must be noticed here instead, and each retires the
//! connection: a statement that failed for the connection's sake (the server ended the
//! session, the network went away), a statement whose answer was never read to its end (the
//! caller gave up on it: its late error would otherwise reach the next, unrelated statement),
//! and anything left unsent.

use std::sync::Arc;
use std::task::{Poll, ready};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{
    Connection, Describe, Either, Execute, Executor, PgConnection, PgPool, Postgres, SqlStr,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::Result;
use crate::db::{ACQUIRE_TIMEOUT, CHECK_AFTER_IDLE};

/// How long sign-out waits for the server to confirm the connection's end.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) struct Hot {
    conn: PgConnection,
    used: Instant,
    /// A statement on it failed for the connection's sake: not used again.
    lost: bool,
    /// A statement was sent and its answer not read to the end yet.
    in_flight: bool,
}

/// Shared by the clones of a [`super::Session`]: one connection per signed-in clerk.
#[derive(Clone, Default)]
pub(crate) struct HotSlot(Arc<Mutex<Option<Hot>>>);

impl std::fmt::Debug for HotSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HotSlot")
    }
}

impl HotSlot {
    /// The slot's connection if no other read holds it (opened from `pool` when there is
    /// none yet, or the old one failed its check), else one of the pool's.
    pub(crate) async fn connection(&self, pool: &PgPool) -> Result<ClerkConnection> {
        let Ok(mut slot) = self.0.clone().try_lock_owned() else {
            return Ok(ClerkConnection::Pooled(pool.acquire().await?));
        };
        // Checked as the pool checks its own (`db::connect_with`), and within the pool's
        // time limit: a connection a firewall dropped without a word would otherwise hang the
        // clerk's next statement until the operating system gives up on it.
        if let Some(hot) = slot.as_mut()
            && hot.used.elapsed() >= CHECK_AFTER_IDLE
        {
            let failed = match tokio::time::timeout(ACQUIRE_TIMEOUT, hot.conn.ping()).await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some(format!("no answer within {ACQUIRE_TIMEOUT:?}")),
            };
            if let Some(why) = failed {
                tracing::info!(
                    "the clerk's connection failed its check after idling ({why}); opening another"
                );
                *slot = None;
            }
        }
        if slot.is_none() {
            // Out of the pool for good: the pool may open another in its place.
            let mut conn = pool.acquire().await?.detach();
            // Whatever an earlier borrower set on it (an export's statement_timeout = 0) would
            // otherwise stay for the clerk's whole session; back to the connection's start-up
            // values (the desk's statement timeout, its application_name).
            sqlx::raw_sql("reset all").execute(&mut conn).await?;
            *slot = Some(Hot {
                conn,
                used: Instant::now(),
                lost: false,
                in_flight: false,
            });
        }
        Ok(ClerkConnection::Hot(slot))
    }

    /// Closes the slot's connection (sign-out), after a read that holds it has finished.
    pub(crate) async fn close(&self) {
        if let Some(hot) = self.0.lock().await.take() {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, hot.conn.close()).await;
        }
    }
}

/// A connection to work with: the clerk's own (see the module) or one of the pool's. It is
/// used only through its `Executor` (`&mut conn`), never as a bare `PgConnection`, so every
/// statement on it is watched; helpers take `&mut ClerkConnection`.
pub(crate) enum ClerkConnection {
    Hot(OwnedMutexGuard<Option<Hot>>),
    Pooled(PoolConnection<Postgres>),
}

impl std::fmt::Debug for ClerkConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClerkConnection::Hot(_) => "ClerkConnection::Hot",
            ClerkConnection::Pooled(_) => "ClerkConnection::Pooled",
        })
    }
}

/// Where a statement on the clerk's own connection reports how it went (nowhere for a
/// pooled one: the pool checks its own on return).
struct Marks<'a> {
    lost: &'a mut bool,
    in_flight: &'a mut bool,
}

impl Marks<'_> {
    fn sent(&mut self) {
        *self.in_flight = true;
    }

    /// The statement's answer has been read to its end: `Ok` or its error.
    fn answered(&mut self, error: Option<&sqlx::Error>) {
        *self.in_flight = false;
        if error.is_some_and(connection_lost) {
            *self.lost = true;
        }
    }
}

impl ClerkConnection {
    /// The connection for a statement about to be sent, marked in flight.
    fn send(&mut self) -> (&mut PgConnection, Option<Marks<'_>>) {
        let (conn, mut marks) = self.parts();
        if let Some(m) = marks.as_mut() {
            m.sent();
        }
        (conn, marks)
    }

    fn parts(&mut self) -> (&mut PgConnection, Option<Marks<'_>>) {
        match self {
            ClerkConnection::Hot(slot) => {
                let Hot {
                    conn,
                    lost,
                    in_flight,
                    ..
                } = slot.as_mut().expect("filled when handed out");
                (conn, Some(Marks { lost, in_flight }))
            }
            ClerkConnection::Pooled(conn) => (&mut **conn, None),
        }
    }
}

/// Errors after which the connection itself is gone or in an unknown state.
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => true,
        // 08: connection exception; 57P0x: the server ended the session (a clerk disabled or
        // their password reset, a restart).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P0")),
        _ => false,
    }
}

impl<'c> Executor<'c> for &'c mut ClerkConnection {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, std::result::Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        let (conn, mut marks) = self.send();
        let mut rows = conn.fetch_many(query);
        Box::pin(futures_util::stream::poll_fn(move |cx| {
            let item = ready!(rows.as_mut().poll_next(cx));
            if let Some(m) = marks.as_mut() {
                match &item {
                    None => m.answered(None),
                    Some(Err(e)) => m.answered(Some(e)),
                    Some(Ok(_)) => {}
                }
            }
            Poll::Ready(item)
        }))
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, std::result::Result<Option<PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        let (conn, mut marks) = self.send();
        let answer = conn.fetch_optional(query);
        Box::pin(async move {
            let result = answer.await;
            if let Some(m) = marks.as_mut() {
                m.answered(result.as_ref().err());
            }
            result
        })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, std::result::Result<PgStatement, sqlx::Error>>
    where
        'c: 'e,
    {
        self.parts().0.prepare_with(sql, parameters)
    }

    fn describe<'e>(
        self,
        sql: SqlStr,
    ) -> BoxFuture<'e, std::result::Result<Describe<Postgres>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.parts().0.describe(sql)
    }
}

impl Drop for ClerkConnection {
    /// A statement that ended normally leaves nothing unsent and nothing unread. A lost
    /// connection, an answer not read to its end (the caller gave up, or dropped a stream
    /// early), or something still to send (a transaction's rollback that sqlx queues when a
    /// transaction is dropped) leave it in a state this module does not know: it is dropped,
    /// which closes its socket; the server rolls back and stops.
    fn drop(&mut self) {
        if let ClerkConnection::Hot(slot) = self {
            match slot.as_mut() {
                Some(hot) if hot.lost || hot.in_flight || hot.conn.should_flush() => {
                    tracing::debug!(
                        lost = hot.lost,
                        in_flight = hot.in_flight,
                        "retiring the clerk's connection"
                    );
                    **slot = None;
                }
                Some(hot) => hot.used = Instant::now(),
                None => {}
            }
        }
    }
}
