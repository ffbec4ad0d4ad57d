//! tauri-build turns tauri.conf.json and the capabilities into the access control list that
//! `generate_context!` embeds. Declaring the app's own commands here makes every one of them
//! refused from the web view until a capability grants its `allow-…` permission, so a command
//! added in Rust but forgotten in `capabilities/` fails closed.

/// Every `#[tauri::command]` of the app, in snake_case. Keep in sync with `generate_handler!`.
const COMMANDS: &[&str] = &["connection_info", "reconnect"];

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
