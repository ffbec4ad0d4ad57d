//! tauri-build turns tauri.conf.json and the capabilities into the access control list that
//! `generate_context!` embeds. Declaring the app's own commands here makes every one of them
//! refused from the web view until a capability grants its `allow-…` permission, so a command
//! added in Rust but forgotten in `capabilities/` fails closed.

/// Every `#[tauri::command]` of the app, in snake_case. Keep in sync with `generate_handler!`.
const COMMANDS: &[&str] = &[
    "connection_info",
    "sign_in",
    "stored_password",
    "sign_out",
    "current_clerk",
    "list_clerks",
    "add_clerk",
    "set_clerk_role",
    "disable_clerk",
    "enable_clerk",
    "set_clerk_password",
    "search_betriebe",
    "show_betrieb",
    "revoke_zuordnung",
    "list_antraege",
    "count_antraege",
    "show_antrag",
    "approve_antrag",
    "withdraw_antrag",
    "reject_antrag",
    "check_code",
    "resend_code",
    "list_audit",
    "load_settings",
    "save_settings",
    "export_antraege",
    "cancel_export",
    "monthly_report",
    "export_report",
];

fn main() {
    // A custom capabilities path is not watched by tauri-build; icons are not watched at all.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=icons");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
