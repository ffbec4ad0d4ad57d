//! The clerk signed in at this desk: their own database session (a pool opened with their
//! login) and the listener that feeds the window live changes. One per window process: a
//! second clerk signs out first. Sign-out closes the connections.

use kammer_core::auth::Session;
use std::collections::HashMap;

use kammer_core::domain::Permission;
use kammer_core::error::ErrorBody;
use kammer_core::{Error, ErrorKind};
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tokio::sync::RwLock;

/// What the web view learns about the signed-in clerk: enough to label the top bar and to
/// grey out what the role does not allow (the database checks again on every call).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SignedIn {
    pub username: String,
    pub display_name: String,
    pub role_label: String,
    pub permissions: Vec<Permission>,
    /// Why the clerk may not do each permission they lack, as kammer-core words it (the
    /// tooltip of a disabled button).
    pub refusals: HashMap<Permission, String>,
    /// May change the desk's connection settings (`settings::may_change`).
    pub may_change_settings: bool,
    /// Seconds without input after which the desk signs out (desk.toml, default 15 minutes).
    pub idle_sign_out_seconds: u32,
    /// The chamber's name from its policy, which printouts carry.
    pub chamber_name: String,
}

impl SignedIn {
    pub fn new(s: &Session, idle_sign_out: std::time::Duration, chamber_name: String) -> Self {
        SignedIn {
            chamber_name,
            idle_sign_out_seconds: u32::try_from(idle_sign_out.as_secs()).unwrap_or(u32::MAX),
            username: s.username.clone(),
            display_name: s.display_name.clone(),
            role_label: s.role.label_de().to_owned(),
            permissions: s.permissions.to_vec(),
            refusals: Permission::ALL
                .into_iter()
                .filter(|&p| !s.permissions.allows(p))
                .map(|p| (p, s.role.refusal_de(p)))
                .collect(),
            may_change_settings: crate::settings::may_change(s.role),
        }
    }
}

struct Active {
    session: Session,
    listener: JoinHandle<()>,
    /// What the web view is told about the clerk, made once at sign-in.
    view: SignedIn,
}

#[derive(Default)]
pub struct SessionState(RwLock<Option<Active>>);

impl SessionState {
    /// Makes `session` the desk's, ending (and closing) any earlier one.
    pub async fn begin(&self, session: Session, listener: JoinHandle<()>, view: SignedIn) {
        let earlier = self.0.write().await.replace(Active {
            session,
            listener,
            view,
        });
        if let Some(earlier) = earlier {
            end(earlier).await;
        }
    }

    /// Signs out: the listener stops and the clerk's connections close.
    pub async fn end(&self) {
        let active = self.0.write().await.take();
        if let Some(active) = active {
            end(active).await;
        }
    }

    pub async fn current(&self) -> Option<Session> {
        self.0.read().await.as_ref().map(|a| a.session.clone())
    }

    /// The signed-in clerk as the web view sees them, if any.
    pub async fn signed_in(&self) -> Option<SignedIn> {
        self.0.read().await.as_ref().map(|a| a.view.clone())
    }

    /// The session, or the refusal every command gives before sign-in.
    pub async fn require(&self) -> Result<Session, ErrorBody> {
        self.current().await.ok_or_else(|| {
            ErrorBody::from(&Error::new(
                ErrorKind::Forbidden,
                "Bitte melden Sie sich zuerst an.",
            ))
        })
    }
}

async fn end(active: Active) {
    active.listener.abort();
    active.session.close().await;
}
