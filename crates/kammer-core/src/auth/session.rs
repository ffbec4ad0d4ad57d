use sqlx::pool::PoolConnection;
use sqlx::postgres::PgConnectOptions;
use sqlx::{PgPool, Postgres};

use super::hot_connection::{ClerkConnection, HotSlot};
use super::password::Password;
use crate::db;
use crate::domain::{Permission, Permissions, Role};
use crate::{Error, Result};

/// A signed-in clerk: a connection pool opened with the clerk's own PostgreSQL login, and
/// who the database says that is. Every core function takes the session and works through
/// its pool, so the database sees the clerk as `session_user` and enforces the role itself;
/// nothing here is a credential another clerk could borrow.
///
/// `role` and `permissions` are what the database said at sign-in: the desk greys out buttons
/// with them and the core refuses early with a clear message, but the database checks again
/// on every call, so a clerk demoted a minute ago is refused now.
#[derive(Debug, Clone)]
pub struct Session {
    pool: PgPool,
    replica: Option<PgPool>,
    /// The connection the clerk's statements use one after another (see `hot_connection`).
    hot: HotSlot,
    pub clerk_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub permissions: Permissions,
}

/// Signs a clerk in at the server `server` (host, port, database, TLS; no user): connects as
/// the login `username` with `password` and asks the database who that is. Superusers, the
/// owner and logins that are not clerks of this database are refused.
pub async fn sign_in(
    server: &PgConnectOptions,
    username: &str,
    password: &Password,
) -> Result<Session> {
    let username = username.trim().to_lowercase();
    if username.is_empty() {
        return Err(Error::validation(
            "Bitte geben Sie Ihren Benutzernamen ein.",
        ));
    }
    // „KammerDesk 0.1.0“ becomes „KammerDesk 0.1.0 (sb.mueller)“ in pg_stat_activity.
    let options = match server.get_application_name() {
        Some(name) => server
            .clone()
            .application_name(&format!("{name} ({username})")),
        None => server.clone(),
    };
    let options = options.username(&username).password(password.expose());
    let pool = db::connect_with(options).await?;
    match Session::from_pool(pool.clone()).await {
        Ok(session) => Ok(session),
        Err(e) => {
            pool.close().await;
            Err(e)
        }
    }
}

impl Session {
    /// The session of whoever `pool` is connected as (a clerk's login), e.g. a pool opened
    /// from a URL that names the user.
    pub async fn from_pool(pool: PgPool) -> Result<Session> {
        let me = match sqlx::query!(
            r#"select clerk_id as "clerk_id!", username as "username!", display_name as "display_name!",
                      role as "role!", array(select kammer_api.my_permissions()) as "permissions!"
               from kammer_api.whoami()"#
        )
        .fetch_one(&pool)
        .await
        {
            Ok(me) => me,
            // Only clerks may even ask (EXECUTE on whoami is the clerk groups'): a service's
            // login or any other role of the server gets the refusal of a non-clerk, not the
            // database's bare "permission denied".
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42501") => {
                let login = serde_json::json!({ "login": pool.connect_options().get_username() });
                return Err(crate::refusal::from_database(
                    "KD403",
                    "not_a_clerk",
                    Some(&login.to_string()),
                )
                .expect("KD403 is one of ours"));
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Session {
            pool,
            replica: None,
            hot: HotSlot::default(),
            clerk_id: me.clerk_id,
            username: me.username,
            display_name: me.display_name,
            role: Role::parse(&me.role)?,
            permissions: Permissions::from_names(&me.permissions),
        })
    }

    /// Look-ups and exports read from `replica` from now on (same login, same rights: the
    /// grants replicate).
    pub fn with_replica(mut self, replica: PgPool) -> Self {
        self.replica = Some(replica);
        self
    }

    /// The clerk's pool on the primary: every change, and reads that must be current.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A connection on the primary, for an action or a read that must be current: the
    /// clerk's own when no other statement holds it (`hot_connection`).
    pub(crate) async fn connection(&self) -> Result<ClerkConnection> {
        self.hot.connection(&self.pool).await
    }

    /// A connection for a look-up. With a replica, the primary first confirms the clerk may
    /// still sign in: a replica lags, and a clerk disabled a moment ago must be refused now,
    /// not once the replica has caught up.
    pub(crate) async fn read_connection(&self) -> Result<ClerkConnection> {
        match &self.replica {
            None => self.connection().await,
            Some(replica) => {
                self.current_role().await?;
                Ok(ClerkConnection::Pooled(replica.acquire().await?))
            }
        }
    }

    /// As [`Self::read_connection`], always from a pool: for an export, which holds its
    /// connection for minutes and changes its `statement_timeout`.
    async fn pooled_read_connection(&self) -> Result<PoolConnection<Postgres>> {
        match &self.replica {
            None => Ok(self.pool.acquire().await?),
            Some(replica) => {
                self.current_role().await?;
                Ok(replica.acquire().await?)
            }
        }
    }

    /// As [`Self::read_connection`], without asking the primary first: for the further reads
    /// of a look-up that [`Self::read_connection`] began.
    pub(crate) async fn further_read_connection(&self) -> Result<ClerkConnection> {
        match &self.replica {
            None => self.connection().await,
            Some(replica) => Ok(ClerkConnection::Pooled(replica.acquire().await?)),
        }
    }

    /// The clerk's role as the database sees it now.
    pub async fn current_role(&self) -> Result<Role> {
        let role = sqlx::query_scalar!(r#"select role as "role!" from kammer_api.whoami()"#)
            .fetch_one(&mut self.connection().await?)
            .await?;
        Role::parse(&role)
    }

    /// The clerk's role and permissions as the database sees them now.
    pub async fn current_rights(&self) -> Result<(Role, Permissions)> {
        let me = sqlx::query!(
            r#"select role as "role!", array(select kammer_api.my_permissions()) as "permissions!"
               from kammer_api.whoami()"#
        )
        .fetch_one(&mut self.connection().await?)
        .await?;
        Ok((
            Role::parse(&me.role)?,
            Permissions::from_names(&me.permissions),
        ))
    }

    /// Refuses early, with the reason in words, what the permissions seen at sign-in do not
    /// allow. Advice only: the database decides.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.permissions.allows(permission) {
            Ok(())
        } else {
            Err(Error::forbidden(self.role.refusal_de(permission)))
        }
    }

    /// The clerk changed their own password: connections the pools open from now on sign in
    /// with the new one. Those already open stay (PostgreSQL checks a password at sign-in
    /// only); without this, the next connection the pool opened would be refused.
    pub(crate) fn password_changed(&self, password: &Password) {
        for pool in std::iter::once(&self.pool).chain(self.replica.as_ref()) {
            pool.set_connect_options(
                (*pool.connect_options())
                    .clone()
                    .password(password.expose()),
            );
        }
    }

    /// Closes the clerk's connections (sign-out).
    pub async fn close(&self) {
        // The pool refuses new connections from the moment close() is called, so no statement
        // can take a fresh one into the slot between the two.
        let closing = self.pool.close();
        self.hot.close().await;
        closing.await;
        if let Some(replica) = &self.replica {
            replica.close().await;
        }
    }
}

impl db::Reader for Session {
    fn primary(&self) -> &PgPool {
        &self.pool
    }
    async fn read_connection(&self) -> Result<PoolConnection<Postgres>> {
        self.pooled_read_connection().await
    }
    fn may_export(&self) -> Result<()> {
        self.require(Permission::Export)
    }
}
