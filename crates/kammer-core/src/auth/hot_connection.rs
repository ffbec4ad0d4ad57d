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
//! Without the ping, two things must be noticed here instead: a statement that failed for
//! the connection's sake (the server ended the session, the network went away) retires the
//! connection, and so does anything left unsent when a read ends.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{TryFutureExt, TryStreamExt};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{
    Connection, Describe, Either, Execute, Executor, PgConnection, PgPool, Postgres, SqlStr,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::Result;

/// A connection idle this long is pinged before a read, as the pool does with its own
/// (`db::connect_with`): a server restart or a NAT timeout meanwhile shows there, not as
/// the clerk's error.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(10);

pub(crate) struct Hot {
    conn: PgConnection,
    used: Instant,
    /// A statement on it failed for the connection's sake: not used again.
    lost: bool,
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
        if let Some(hot) = slot.as_mut()
            && hot.used.elapsed() >= CHECK_AFTER_IDLE
            && hot.conn.ping().await.is_err()
        {
            *slot = None;
        }
        if slot.is_none() {
            // Out of the pool for good: the pool may open another in its place.
            let conn = pool.acquire().await?.detach();
            *slot = Some(Hot {
                conn,
                used: Instant::now(),
                lost: false,
            });
        }
        Ok(ClerkConnection::Hot(slot))
    }

    /// Closes the slot's connection (sign-out), after a read that holds it has finished.
    pub(crate) async fn close(&self) {
        if let Some(hot) = self.0.lock().await.take() {
            let _ = hot.conn.close().await;
        }
    }
}

/// A connection to work with: the clerk's own (see the module) or one of the pool's. Pass
/// it as `&mut conn` to sqlx, so a failure is noticed; `&mut *conn` is the bare
/// connection, for helpers that take a `&mut PgConnection`.
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

impl ClerkConnection {
    /// The connection, and where to mark it lost (nowhere for a pooled one: the pool checks
    /// its own on return).
    fn parts(&mut self) -> (&mut PgConnection, Option<&mut bool>) {
        match self {
            ClerkConnection::Hot(slot) => {
                let hot = slot.as_mut().expect("filled when handed out");
                (&mut hot.conn, Some(&mut hot.lost))
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

fn mark(lost: Option<&mut bool>) -> impl FnOnce(&sqlx::Error) + Send + '_ {
    move |e| {
        if let Some(lost) = lost
            && connection_lost(e)
        {
            *lost = true;
        }
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
        let (conn, lost) = self.parts();
        let mut lost = lost;
        Box::pin(conn.fetch_many(query).inspect_err(move |e| {
            if let Some(lost) = lost.as_deref_mut()
                && connection_lost(e)
            {
                *lost = true;
            }
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
        let (conn, lost) = self.parts();
        Box::pin(conn.fetch_optional(query).inspect_err(mark(lost)))
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

impl Deref for ClerkConnection {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        match self {
            ClerkConnection::Hot(slot) => &slot.as_ref().expect("filled when handed out").conn,
            ClerkConnection::Pooled(conn) => conn,
        }
    }
}

impl DerefMut for ClerkConnection {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.parts().0
    }
}

impl Drop for ClerkConnection {
    /// A read that ended normally leaves nothing unsent. Something still to send (a
    /// transaction's rollback that sqlx queues when a transaction is dropped, or a statement
    /// cut off when the caller's future was dropped) means the connection's state is not
    /// known: like a lost one, it is dropped, which closes its socket, and the server rolls
    /// back. A response left unread (a stream dropped early) is read away by sqlx before
    /// the next statement.
    fn drop(&mut self) {
        if let ClerkConnection::Hot(slot) = self {
            match slot.as_mut() {
                Some(hot) if hot.lost || hot.conn.should_flush() => **slot = None,
                Some(hot) => hot.used = Instant::now(),
                None => {}
            }
        }
    }
}
