//! `kammerctl expire`: the cron job that expires Anträge whose code was not used in time. A
//! service: the login of `--database-url` belongs to the reporting group.

use kammer_core::db::Service;
use kammer_core::{Result, expiry};

use crate::context::Context;

pub async fn run(ctx: &Context) -> Result<()> {
    let reporting = ctx.service(Service::Reporting).await?;
    let expired = expiry::expire_overdue(&reporting).await?;
    ctx.print(&serde_json::json!({ "expired": expired }), |_| {
        format!("{} Anträge abgelaufen{}", expired.len(), nr_list(&expired))
    });
    Ok(())
}

fn nr_list(nrs: &[i64]) -> String {
    if nrs.is_empty() {
        return ".".into();
    }
    let nrs: Vec<String> = nrs.iter().map(i64::to_string).collect();
    format!(": Nr. {}", nrs.join(", "))
}
