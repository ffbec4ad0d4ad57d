//! The web view may call exactly the commands its capability grants. These run the real
//! command handlers and the real resolved capabilities on Tauri's mock runtime, with a
//! database address that does not parse, so no display and no PostgreSQL are needed and a
//! command that gets through answers at once with the core's typed error.

use serde_json::Value;
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

const NOWHERE: &str = "keine-datenbank-adresse";

fn app() -> App<MockRuntime> {
    kammerdesk_lib::desk(mock_builder(), Some(NOWHERE.to_owned()))
        .build(kammerdesk_lib::context())
        .expect("the desk builds on the mock runtime")
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default())
        .build()
        .expect("a mock window opens")
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str) -> Result<Value, Value> {
    invoke_with(window, cmd, tauri::ipc::InvokeBody::default())
}

fn invoke_with(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    body: tauri::ipc::InvokeBody,
) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().expect("a valid URL"),
        body,
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize().expect("JSON"))
}

/// Every command of the desk, from its one list (src-tauri/command_list.rs).
const DESK_COMMANDS: &[&str] = kammerdesk_lib::COMMANDS;

fn is_command_error(reply: &Result<Value, Value>) -> bool {
    matches!(reply, Err(Value::Object(body)) if body.contains_key("kind") && body.contains_key("message"))
}

fn is_refused(reply: &Result<Value, Value>) -> bool {
    matches!(reply, Err(Value::String(text)) if text.contains("not allowed"))
}

/// Each of `commands`, called from `window`, is refused by the access check.
fn assert_refused(window: &WebviewWindow<MockRuntime>, commands: &[&str]) {
    for command in commands {
        let reply = invoke(window, command);
        assert!(is_refused(&reply), "{command}: {reply:?}");
    }
}

#[test]
fn main_window_reaches_its_granted_commands() {
    let app = app();
    let main = window(&app, "main");
    // Before sign-in, the only command that needs the server: it says the address is broken.
    let reply = invoke(&main, "connection_info");
    assert!(is_command_error(&reply), "connection_info: {reply:?}");
    let body = reply.unwrap_err();
    assert_eq!(body["kind"], "validation", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Datenbank-Adresse"),
        "{body}"
    );
    // Über KammerDesk answers even then, and says why there is no server.
    let about = invoke(&main, "about").expect("about answers");
    assert!(
        about["server"]
            .as_str()
            .unwrap()
            .starts_with("keiner (Die Datenbank-Adresse ist ungültig"),
        "{about}"
    );
    assert_eq!(about["login"], Value::Null);
    assert!(
        about["diagnostics"]
            .as_str()
            .unwrap()
            .contains("Angemeldet: niemand"),
        "{about}"
    );
}

#[test]
fn a_window_without_a_capability_is_refused() {
    let app = app();
    let other = window(&app, "other");
    assert_refused(&other, &["connection_info", "stored_password"]);
}

/// With the app's commands declared (build.rs), even a command without a handler is
/// answered by the access check, not by the handler lookup.
#[test]
fn core_and_unknown_commands_are_refused() {
    let app = app();
    let main = window(&app, "main");
    assert_refused(
        &main,
        &[
            "plugin:window|close",
            "plugin:store|load",
            "plugin:store|get",
            "drop_database",
        ],
    );
}

/// Before sign-in every command that needs a clerk is answered by the command itself (it
/// passed the access check) and, where its arguments are complete, with "please sign in".
#[test]
fn every_desk_command_passes_the_access_check_in_the_main_window_only() {
    let app = app();
    let main = window(&app, "main");
    let other = window(&app, "other");
    for command in DESK_COMMANDS {
        let reply = invoke(&main, command);
        assert!(!is_refused(&reply), "{command} refused in main: {reply:?}");
        assert!(
            is_refused(&invoke(&other, command)),
            "{command} allowed in other"
        );
    }
}

/// A signed-out desk cannot repoint the database: saving the settings is refused before
/// anything is written, and they read as before.
#[test]
fn a_signed_out_desk_cannot_change_the_connection() {
    let app = app();
    let main = window(&app, "main");
    let before = invoke(&main, "load_settings").expect("settings load");
    let mut changed = before.clone();
    changed["database"]["host"] = "boese.example".into();
    let reply = invoke_with(
        &main,
        "save_settings",
        tauri::ipc::InvokeBody::Json(serde_json::json!({ "settings": changed })),
    );
    let body = reply.expect_err("refused");
    assert_eq!(body["kind"], "forbidden", "{body}");
    assert_eq!(
        body["message"], "Bitte melden Sie sich zuerst an.",
        "{body}"
    );
    assert_eq!(invoke(&main, "load_settings").unwrap(), before);
}
