//! Every open desk sends queued code mails in the background, so a resend reaches the
//! Betrieb even where no server runs `kammerctl outbox run`. Several desks and servers drain
//! the same outbox safely (`FOR UPDATE SKIP LOCKED` in the core). The worker restarts on a new
//! database pool and when the mail settings change. `KAMMERDESK_MAIL_WORKER=off` disables it,
//! for a desk whose chamber sends from a server only.

use std::time::Duration;

use kammer_core::mail::{self, Mailer, WorkerConfig};
use sqlx::PgPool;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;

use crate::database::Database;
use crate::settings;

/// Bumped when the mail settings are saved.
struct SettingsGeneration(watch::Sender<u64>);

pub fn start<R: Runtime>(app: AppHandle<R>) {
    if std::env::var("KAMMERDESK_MAIL_WORKER").is_ok_and(|v| v.trim() == "off") {
        tracing::info!("mail worker disabled by KAMMERDESK_MAIL_WORKER=off");
        return;
    }
    let (generation, _) = watch::channel(0);
    app.manage(SettingsGeneration(generation));
    tauri::async_runtime::spawn(async move {
        loop {
            let mut changed = app.state::<SettingsGeneration>().0.subscribe();
            let Ok(pool) = app.state::<Database>().pool().await else {
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            };
            let mailer = match settings::smtp_config(&app).and_then(|c| Mailer::new(&c)) {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(
                        "mail worker waits for usable mail settings: {}",
                        e.message()
                    );
                    tokio::select! {
                        _ = changed.changed() => {}
                        _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                    }
                    continue;
                }
            };
            run_until_outdated(&pool, &mailer, &mut changed).await;
        }
    });
}

/// Runs the core's worker until the settings change or the pool is replaced; mails in
/// flight are finished before it returns.
async fn run_until_outdated(pool: &PgPool, mailer: &Mailer, changed: &mut watch::Receiver<u64>) {
    let (stop, stopped) = watch::channel(false);
    let config = WorkerConfig::default();
    let worker = mail::run(pool, mailer, &config, stopped);
    tokio::pin!(worker);
    let outdated = async {
        loop {
            tokio::select! {
                _ = changed.changed() => return,
                _ = tokio::time::sleep(Duration::from_secs(2)) => {
                    if pool.is_closed() {
                        return;
                    }
                }
            }
        }
    };
    tokio::select! {
        result = &mut worker => {
            if let Err(e) = result {
                tracing::warn!("mail worker stopped: {}", e.message());
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        _ = outdated => {
            let _ = stop.send(true);
            let _ = worker.await;
        }
    }
}

pub fn settings_changed<R: Runtime>(app: &AppHandle<R>) {
    if let Some(generation) = app.try_state::<SettingsGeneration>() {
        generation.0.send_modify(|g| *g += 1);
    }
}
