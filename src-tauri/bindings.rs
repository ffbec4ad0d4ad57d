//! `ui/src/lib/bindings.ts` is generated from the Rust types that cross the IPC boundary, so
//! the front end cannot drift from them: this test fails when the committed file is stale,
//! and `UPDATE_BINDINGS=1 cargo test -p kammerdesk --lib` rewrites it.
//!
//! ts-rs maps `i64` to `bigint`, but serde_json sends plain JSON numbers and every id and
//! count here stays far below 2^53, so the file says `number`.

use kammer_core::antraege::{
    ActionState, AntragAction, AntragDetail, AntragPage, AntragSummary, AntragView,
    ApprovalOutcome, ApprovalRequest, Approved, SortOrder,
};
use kammer_core::audit::{AuditEntry, AuditQuery, Change};
use kammer_core::betriebe::{Betrieb, BetriebDetail, BetriebHit};
use kammer_core::clerks::ClerkInfo;
use kammer_core::codes::{CodeCheck, CodeInfo, CodeState, CodeVerdict, Delivery, Resent};
use kammer_core::db::DatabaseInfo;
use kammer_core::domain::{AntragNr, AntragStatus, AuditAction, Permission, Role};
use kammer_core::error::{ErrorBody, ErrorKind};
use kammer_core::export::Dialect;
use kammer_core::handwerksrolle::{
    self, ChangeKind, FieldChange, FileFacts, ImportRecord, ImportReport, Mode, Progress,
    ReviewItem, Summary,
};
use kammer_core::outbox::SenderStatus;
use kammer_core::report::{
    FIGURE_KEYS, Figure, Figures, GewerkFigures, MONTHLY_HEADER, Month, MonthOutcomes,
    MonthlyReport,
};
use kammer_core::zuordnungen::Zuordnung;
use serde::Serialize;
use ts_rs::TS;

use crate::commands::about::About;
use crate::commands::antraege::{AntragQuery, StatusCount};
use crate::commands::connection::ConnectionInfo;
use crate::commands::export::{ReportPart, SaveOutcome};
use crate::commands::handwerksrolle::{HandwerksrolleOptions, ImportPreview, ImportProgress};
use crate::database::ServerInfo;
use crate::session::SignedIn;
use crate::settings::{DatabaseSettings, DeskSettings, TlsMode};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/bindings.ts");

macro_rules! declarations {
    ($($t:ty),* $(,)?) => {
        vec![$(<$t as TS>::decl()),*]
    };
}

fn generated() -> String {
    let decls = declarations![
        ErrorKind,
        ErrorBody,
        DatabaseInfo,
        ServerInfo,
        ConnectionInfo,
        SenderStatus,
        About,
        Role,
        Permission,
        SignedIn,
        ClerkInfo,
        Betrieb,
        BetriebHit,
        BetriebDetail,
        Zuordnung,
        AntragNr,
        AntragStatus,
        AuditAction,
        SortOrder,
        AntragSummary,
        AntragPage,
        AntragQuery,
        StatusCount,
        AntragDetail,
        AntragView,
        AntragAction,
        ActionState,
        Approved,
        ApprovalOutcome,
        ApprovalRequest,
        CodeInfo,
        CodeState,
        Delivery,
        CodeCheck,
        CodeVerdict,
        Resent,
        serde_json::Value,
        AuditEntry,
        AuditQuery,
        Change,
        DeskSettings,
        DatabaseSettings,
        TlsMode,
        Dialect,
        SaveOutcome,
        ReportPart,
        Month,
        MonthlyReport,
        GewerkFigures,
        Figures,
        MonthOutcomes,
        Mode,
        HandwerksrolleOptions,
        ChangeKind,
        FieldChange,
        handwerksrolle::Change,
        FileFacts,
        Summary,
        ImportReport,
        ImportPreview,
        Progress,
        ImportProgress,
        ImportRecord,
        ReviewItem,
    ];
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/bindings.rs; do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p kammerdesk --lib\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl.replace("bigint", "number"));
        out.push_str("\n\n");
    }
    out.push_str(&crate::command_contract::commands_interface());
    out.push_str("\n\n");
    out.push_str(&label_maps());
    out.push('\n');
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// `export const NAME: Readonly<Record<Type, string>> = { … };` in the order of `ALL`: the
/// German labels, declared once in the core, for the desk.
fn label_map<T: Copy + Serialize>(
    doc: &str,
    name: &str,
    ty: &str,
    all: &[T],
    label: fn(T) -> &'static str,
) -> String {
    let entries: Vec<String> = all
        .iter()
        .map(|&v| {
            let key = serde_json::to_value(v).expect("a unit variant");
            let text = serde_json::to_string(label(v)).expect("a string");
            format!("  {key}: {text},")
        })
        .collect();
    format!(
        "/**\n * {doc}\n */\nexport const {name}: Readonly<Record<{ty}, string>> = {{\n{}\n}};\n",
        entries.join("\n")
    )
}

/// The monthly report's figures with their CSV headings, in column order: the desk's table
/// and chart read their headings from here.
fn figure_labels() -> String {
    let headings = &MONTHLY_HEADER[MONTHLY_HEADER.len() - FIGURE_KEYS.len()..];
    let entries: Vec<String> = FIGURE_KEYS
        .iter()
        .zip(headings)
        .map(|(key, heading)| format!("  {key:?}: {},", serde_json::to_string(heading).unwrap()))
        .collect();
    let hours: Vec<String> = FIGURE_KEYS
        .iter()
        .zip(Figures::default().columns())
        .filter(|(_, figure)| matches!(figure, Figure::Hours(_)))
        .map(|(key, _)| format!("{key:?}"))
        .collect();
    format!(
        "/**\n * The monthly report's figures in the CSV's column order, with its headings (`report::MONTHLY_HEADER`).\n */\nexport const FIGURE_LABELS: Readonly<Record<keyof Figures, string>> = {{\n{}\n}};\n\n/**\n * The figures given in hours, one decimal (`report::Figure::Hours`); the others are counts.\n */\nexport const HOURS_FIGURES: readonly (keyof Figures)[] = [{}];\n",
        entries.join("\n"),
        hours.join(", ")
    )
}

fn label_maps() -> String {
    [
        label_map(
            "The Antrag's status in the portal's words (`AntragStatus::label_de`).",
            "STATUS_LABELS",
            "AntragStatus",
            &AntragStatus::ALL,
            AntragStatus::label_de,
        ),
        label_map(
            "The clerks' roles (`Role::label_de`).",
            "ROLE_LABELS",
            "Role",
            &Role::ALL,
            Role::label_de,
        ),
        label_map(
            "The audit log's actions (`AuditAction::label_de`), in the order of the Protokoll's filter.",
            "AUDIT_ACTION_LABELS",
            "AuditAction",
            &AuditAction::ALL,
            AuditAction::label_de,
        ),
        label_map(
            "The queue's orders (`SortOrder::label_de`), in the order of its „Sortierung“.",
            "SORT_ORDER_LABELS",
            "SortOrder",
            &SortOrder::ALL,
            SortOrder::label_de,
        ),
        label_map(
            "A code check's verdict in a word (`CodeVerdict::label_de`).",
            "VERDICT_LABELS",
            "CodeVerdict",
            &CodeVerdict::ALL,
            CodeVerdict::label_de,
        ),
        figure_labels(),
    ]
    .join("\n")
}

/// Every generated file (this one, the IPC docs' command table, the capability's grants) is
/// kept current the same way: a plain test run fails on a stale one and says how to
/// regenerate, and `UPDATE_BINDINGS=1` writes `fresh` instead.
pub(crate) fn assert_current(path: &str, committed: &str, fresh: &str, stale: &str) {
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(path, fresh).unwrap_or_else(|e| panic!("{path} not written: {e}"));
        return;
    }
    assert!(
        committed == fresh,
        "{stale}: run UPDATE_BINDINGS=1 cargo test -p kammerdesk --lib"
    );
}

#[test]
fn bindings_are_current() {
    let fresh = generated();
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert_current(PATH, &committed, &fresh, "ui/src/lib/bindings.ts is stale");
}
