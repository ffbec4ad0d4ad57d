//! tauri-build turns tauri.conf.json and the capabilities into the access control list that
//! `generate_context!` embeds. Declaring the app's own commands here makes every one of them
//! refused from the web view until a capability grants its `allow-…` permission, so a command
//! added in Rust but forgotten in `capabilities/` fails closed.

// The one list of the desk's commands (with_commands!, command_names!).
include!("command_list.rs");

/// Every `#[tauri::command]` of the app, from the one list.
const COMMANDS: &[&str] = with_commands!(command_names);

/// The commit the desk is built from („Build“ in Über KammerDesk): `KAMMERDESK_BUILD` when
/// the release pipeline sets it, else `git rev-parse --short HEAD`, else „unbekannt“ (a
/// source archive without .git).
fn build_id() -> String {
    println!("cargo:rerun-if-env-changed=KAMMERDESK_BUILD");
    if let Ok(id) = std::env::var("KAMMERDESK_BUILD") {
        return id;
    }
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
    };
    // A commit or a checkout moves HEAD's reflog: build again then.
    if let Some(reflog) = git(&["rev-parse", "--git-path", "logs/HEAD"]) {
        println!("cargo:rerun-if-changed={reflog}");
    }
    git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unbekannt".into())
}

fn main() {
    println!("cargo:rustc-env=KAMMERDESK_BUILD={}", build_id());
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
