//! `kammerctl migrate`: creates or updates the schema, its roles and functions. Set-up: the
//! login of `--database-url` must be a superuser.

use kammer_core::{Result, db};

use crate::context::Context;

pub async fn run(ctx: &Context) -> Result<()> {
    let pool = ctx.superuser().await?;
    db::require_superuser(&pool, "Die Migration").await?;
    db::migrate(&pool).await?;
    ctx.print(&serde_json::json!({ "migrated": true }), |_| {
        "Datenbankschema ist aktuell.".into()
    });
    Ok(())
}
