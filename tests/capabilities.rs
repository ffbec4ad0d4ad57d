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
    kammerdesk_lib::desk(mock_builder(), NOWHERE.to_owned())
        .build(kammerdesk_lib::context())
        .expect("the desk builds on the mock runtime")
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default())
        .build()
        .expect("a mock window opens")
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().expect("a valid URL"),
        body: tauri::ipc::InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize().expect("JSON"))
}

fn is_command_error(reply: &Result<Value, Value>) -> bool {
    matches!(reply, Err(Value::Object(body)) if body.contains_key("kind") && body.contains_key("message"))
}

fn is_refused(reply: &Result<Value, Value>) -> bool {
    matches!(reply, Err(Value::String(text)) if text.contains("not allowed"))
}

#[test]
fn main_window_reaches_its_granted_commands() {
    let app = app();
    let main = window(&app, "main");
    for command in ["connection_info", "reconnect"] {
        let reply = invoke(&main, command);
        assert!(is_command_error(&reply), "{command}: {reply:?}");
        let body = reply.unwrap_err();
        assert_eq!(body["kind"], "validation", "{command}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Datenbank-Adresse"),
            "{command}: {body}"
        );
    }
}

#[test]
fn a_window_without_a_capability_is_refused() {
    let app = app();
    let other = window(&app, "other");
    for command in ["connection_info", "reconnect"] {
        let reply = invoke(&other, command);
        assert!(is_refused(&reply), "{command}: {reply:?}");
    }
}

/// With the app's commands declared (build.rs), even a command without a handler is
/// answered by the access check, not by the handler lookup.
#[test]
fn core_and_unknown_commands_are_refused() {
    let app = app();
    let main = window(&app, "main");
    for command in [
        "plugin:window|close",
        "plugin:event|listen",
        "drop_database",
    ] {
        let reply = invoke(&main, command);
        assert!(is_refused(&reply), "{command}: {reply:?}");
    }
}
