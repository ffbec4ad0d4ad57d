//! What the web view sees of the one command list (command_list.rs): the `Commands`
//! interface of ui/src/lib/bindings.ts and the command table of docs/desk-ipc.md, both
//! generated here, and a check that every entry says what its handler takes and returns.
//! The list is written by hand next to the handlers, so without that check an argument
//! renamed in a handler would only fail at run time, in the clerk's window.

use std::collections::BTreeSet;

use kammer_core::antraege::{AntragPage, AntragView, Approved};
use kammer_core::audit::{AuditEntry, AuditQuery};
use kammer_core::betriebe::{BetriebDetail, BetriebHit};
use kammer_core::clerks::ClerkInfo;
use kammer_core::codes::{CodeCheck, Resent};
use kammer_core::domain::Role;
use kammer_core::export::Dialect;
use kammer_core::handwerksrolle::{ImportRecord, ImportReport, ReviewItem};
use kammer_core::report::MonthlyReport;
use ts_rs::TS;

use crate::bindings::assert_current;
use crate::commands::about::About;
use crate::commands::antraege::{AntragQuery, StatusCount};
use crate::commands::connection::ConnectionInfo;
use crate::commands::export::{ReportPart, SaveOutcome};
use crate::commands::handwerksrolle::{HandwerksrolleOptions, ImportPreview};
use crate::session::SignedIn;
use crate::settings::DeskSettings;

/// One entry of the list, with its types as TypeScript and as written in Rust.
pub struct Command {
    module: &'static str,
    name: &'static str,
    doc: String,
    /// (name, TypeScript type, Rust type as written)
    args: Vec<(&'static str, String, &'static str)>,
    result: String,
    result_rust: &'static str,
}

macro_rules! command_entries {
    ($($(#[doc = $doc:literal])* $module:ident :: $name:ident ($($arg:ident : $ty:ty),*) -> $result:ty;)*) => {
        vec![$(Command {
            module: stringify!($module),
            name: stringify!($name),
            doc: [$($doc),*].iter().map(|line| line.trim()).collect::<Vec<_>>().join(" "),
            args: vec![$((stringify!($arg), ts::<$ty>(), stringify!($ty))),*],
            result: ts::<$result>(),
            result_rust: stringify!($result),
        }),*]
    };
}

/// ts-rs maps `i64` to `bigint`; serde_json sends numbers (see bindings.rs).
fn ts<T: TS>() -> String {
    T::name().replace("bigint", "number")
}

pub fn commands() -> Vec<Command> {
    with_commands!(command_entries)
}

/// `export interface Commands { name: { args: …; result: … }; … }` for ui/src/lib/ipc.ts.
pub fn commands_interface() -> String {
    let mut out = String::from(
        "/**\n * The desk's commands (src-tauri/command_list.rs): what each takes and returns.\n */\nexport interface Commands { ",
    );
    for c in commands() {
        let args = if c.args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            let fields: Vec<String> = c.args.iter().map(|(n, t, _)| format!("{n}: {t}")).collect();
            format!("{{ {} }}", fields.join(", "))
        };
        out.push_str(&format!(
            "\n/**\n * {}\n */\n{}: {{ args: {args}, result: {} }}, ",
            c.doc, c.name, c.result
        ));
    }
    out.push('}');
    out
}

const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/desk-ipc.md");
const BEGIN: &str = "<!-- commands: generated from src-tauri/command_list.rs -->\n";
const END: &str = "<!-- end of commands -->\n";

fn docs_table() -> String {
    let mut out =
        String::from("| command | arguments | result | what it does |\n|---|---|---|---|\n");
    let cell = |text: &str| text.replace('|', "\\|");
    for c in commands() {
        let args: Vec<String> = c.args.iter().map(|(n, t, _)| format!("{n}: {t}")).collect();
        let args = if args.is_empty() {
            "–".to_owned()
        } else {
            format!("`{}`", cell(&args.join(", ")))
        };
        out.push_str(&format!(
            "| `{}` | {args} | `{}` | {} |\n",
            c.name,
            cell(&c.result),
            cell(&c.doc)
        ));
    }
    out
}

#[test]
fn the_ipc_docs_list_every_command() {
    let text = std::fs::read_to_string(DOCS).expect("docs/desk-ipc.md");
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        panic!("docs/desk-ipc.md lacks the markers {BEGIN:?} … {END:?}");
    };
    let fresh = format!("{}{BEGIN}{}{}", &text[..begin], docs_table(), &text[end..]);
    assert_current(
        DOCS,
        &text,
        &fresh,
        "the command table in docs/desk-ipc.md is stale",
    );
}

/// The web view's arguments and the result of a handler, read from its source: the
/// parameters other than the `State`s and the `AppHandle`, and `CommandResult<…>`.
fn handler_signature(source: &str, name: &str) -> Option<(Vec<String>, String)> {
    let start = source
        .find(&format!("pub async fn {name}("))
        .or_else(|| source.find(&format!("pub async fn {name}<")))?;
    let rest = &source[start..];
    let open = rest.find('(')?;
    let mut depth = 0;
    let mut close = None;
    for (i, ch) in rest[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let params = squeeze(&rest[open + 1..close]);
    let mut args = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for ch in params.chars() {
        match ch {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                args.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    args.push(current);
    let args = args
        .into_iter()
        .filter(|a| !a.is_empty())
        .filter(|a| {
            let ty = a.split_once(':').map(|(_, t)| t).unwrap_or_default();
            !(ty.starts_with("State<") || ty.starts_with("AppHandle<"))
        })
        .collect();
    let body = rest[close..].find('{')?;
    let result = squeeze(&rest[close + 1..close + body]);
    Some((args, result))
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_entry_matches_its_handler() {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/commands");
    for c in commands() {
        let path = format!("{folder}/{}.rs", c.module);
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (args, result) = handler_signature(&source, c.name)
            .unwrap_or_else(|| panic!("no `pub async fn {}` in {path}", c.name));
        let listed: Vec<String> = c
            .args
            .iter()
            .map(|(n, _, rust)| squeeze(&format!("{n}:{rust}")))
            .collect();
        assert_eq!(
            args, listed,
            "{}: the arguments in command_list.rs differ from the handler in {path}",
            c.name
        );
        assert_eq!(
            result,
            squeeze(&format!("->CommandResult<{}>", c.result_rust)),
            "{}: the result in command_list.rs differs from the handler in {path}",
            c.name
        );
    }
}

/// The other direction: a handler written but not listed would never be routed.
#[test]
fn every_handler_is_listed() {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/commands");
    let mut handlers = BTreeSet::new();
    for entry in std::fs::read_dir(folder).expect("src-tauri/commands") {
        let source = std::fs::read_to_string(entry.expect("entry").path()).expect("source");
        for part in source.split("#[tauri::command").skip(1) {
            let after = &part[part
                .find("fn ")
                .expect("a function after #[tauri::command]")
                + 3..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            handlers.insert(name);
        }
    }
    let listed: BTreeSet<String> = commands().iter().map(|c| c.name.to_owned()).collect();
    assert_eq!(
        handlers, listed,
        "handlers in src-tauri/commands vs command_list.rs"
    );
}

#[test]
fn the_signature_reader_reads_generics_and_states() {
    let source = "pub async fn go<R: Runtime>(\n    app: AppHandle<R>,\n    s: State<'_, X>,\n    nr: i64,\n    q: Option<Vec<String>>,\n) -> CommandResult<Option<A>> {\n}";
    let (args, result) = handler_signature(source, "go").unwrap();
    assert_eq!(args, ["nr:i64", "q:Option<Vec<String>>"]);
    assert_eq!(result, "->CommandResult<Option<A>>");
}

const CAPABILITY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src-tauri/capabilities/default.json"
);

/// What the web view may do beyond the commands: listen to the change events, zoom
/// (Ctrl+Plus/Minus/0, `zoomHotkeysEnabled`, whose script sets the web view's zoom), and
/// name the window after the screen („Antrag Nr. 178 – KammerDesk“).
const BEYOND_COMMANDS: &[&str] = &[
    "core:event:allow-listen",
    "core:event:allow-unlisten",
    "core:webview:allow-set-webview-zoom",
    "core:window:allow-set-title",
];

/// The main window's capability grants every listed command, the change events and the
/// zoom, nothing else. Written from the list too (`UPDATE_BINDINGS=1`), so a new command is granted by
/// regenerating, not by hand.
#[test]
fn the_capability_grants_every_command() {
    let text = std::fs::read_to_string(CAPABILITY).expect("capabilities/default.json");
    let begin = text.find("\"permissions\": [").expect("a permissions list") + 16;
    let end = begin + text[begin..].find(']').expect("the list's end");
    let permissions: Vec<String> = commands()
        .iter()
        .map(|c| format!("allow-{}", c.name.replace('_', "-")))
        .chain(BEYOND_COMMANDS.iter().map(|p| p.to_string()))
        .map(|p| format!("\n    \"{p}\""))
        .collect();
    let fresh = format!(
        "{}{}\n  {}",
        &text[..begin],
        permissions.join(","),
        &text[end..]
    );
    assert_current(
        CAPABILITY,
        &text,
        &fresh,
        "src-tauri/capabilities/default.json does not grant exactly the listed commands",
    );
}
