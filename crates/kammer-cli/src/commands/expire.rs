//! `kammerctl expire`: the cron job that expires Anträge whose code was not used in time. A
//! service: the login of `--database-url` belongs to the reporting group.

use kammer_core::db::Service;
use kammer_core::{Result, expiry};

use crate::context::Context;
use crate::human;

pub async fn run(ctx: &Context) -> Result<()> {
    let reporting = ctx.service(Service::Reporting).await?;
    let expired = expiry::expire_overdue(&reporting).await?;
    ctx.print(&serde_json::json!({ "expired": expired }), |_| {
        let said = human::count(expired.len() as u64, human::ANTRAG);
        if expired.is_empty() {
            format!("{said} abgelaufen.")
        } else {
            format!("{said} abgelaufen: {}", human::nr_list(&expired))
        }
    });
    Ok(())
}
