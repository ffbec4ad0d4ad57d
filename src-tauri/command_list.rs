// The desk's IPC commands, declared once. Everything that names a command is made from this
// list by a macro of its own that receives the entries `module::name(arg: Type, …) -> Result;`:
// - `tauri::generate_handler!` in lib.rs (the router),
// - the command manifest in build.rs (a command not granted in `capabilities/` is refused),
// - `COMMANDS` for the capability tests (tests/capabilities.rs),
// - the `Commands` interface in ui/src/lib/bindings.ts and the table in docs/desk-ipc.md
//   (src-tauri/bindings.rs; a test fails when either is stale, or when an entry's arguments
//   and result differ from its handler's signature in src-tauri/commands/<module>.rs).
// The arguments are what the web view sends (snake_case); the handler's `State`s and
// `AppHandle` are not listed. The doc comment of an entry is its line in the IPC docs.
//
// A plain comment, not `//!`: build.rs `include!`s this file.

macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            /// The database server the desk is set up for and, once signed in, the clerk's connection. Before sign-in it probes the server, so the sign-in screen can explain why it is unreachable.
            connection::connection_info() -> ConnectionInfo;
            /// Über KammerDesk: version, build, server, login, log folder, the mail sender's last heartbeat, and `diagnostics`, the text for „Diagnose kopieren“ without secrets.
            about::about() -> About;
            /// Signs the clerk in with their own database login; `remember` keeps the password in the operating system's keychain.
            auth::sign_in(username: String, password: String, remember: bool) -> SignedIn;
            /// Whether the keychain holds a password for this login at the configured server.
            auth::stored_password(username: String) -> bool;
            /// Signs out and closes the clerk's database connections.
            auth::sign_out() -> ();
            /// The signed-in clerk as made at sign-in, with `idle_sign_out_seconds` (the desk signs out after that long without input) and `chamber_name` (for printouts).
            auth::current_clerk() -> Option<SignedIn>;
            /// Administration: every KammerDesk login.
            clerks::list_clerks() -> Vec<ClerkInfo>;
            /// Administration: a new login with its role; without a password it signs in through the directory.
            clerks::add_clerk(username: String, display_name: String, role: Role, password: Option<String>) -> i64;
            /// Administration: another role for a login.
            clerks::set_clerk_role(username: String, role: Role) -> ();
            /// Administration: locks a login and ends its open sessions.
            clerks::disable_clerk(username: String) -> ();
            /// Administration: unlocks a login.
            clerks::enable_clerk(username: String) -> ();
            /// Administration: a new password for a login; its open sessions end.
            clerks::set_clerk_password(username: String, password: String) -> ();
            /// Best hits first: a Betriebsnummer or its beginning, or a name fragment, typo-tolerant.
            betriebe::search_betriebe(query: String, limit: i64) -> Vec<BetriebHit>;
            /// One Betrieb with its Zuordnungen, Anträge and Filialen.
            betriebe::show_betrieb(betriebsnummer: String) -> BetriebDetail;
            /// Ends a Zuordnung, with a Begründung.
            betriebe::revoke_zuordnung(zuordnung_id: i64, reason: String) -> ();
            /// One page of the queue; `after` is the previous page's cursor.
            antraege::list_antraege(query: AntragQuery, after: Option<String>, limit: i64) -> AntragPage;
            /// The queue's count per status, also those with 0.
            antraege::count_antraege(query: AntragQuery) -> Vec<StatusCount>;
            /// One Antrag with its codes, history and the actions this clerk may take (with the German reason where not).
            antraege::show_antrag(nr: i64) -> AntragView;
            /// Confirms the Zuordnung; without the code entered a Begründung, and by the chamber's policy a second person.
            antraege::approve_antrag(nr: i64, reason: Option<String>) -> Approved;
            /// Withdraws the Antrag on the requester's behalf.
            antraege::withdraw_antrag(nr: i64, reason: String) -> ();
            /// Rejects the Antrag.
            antraege::reject_antrag(nr: i64, reason: String) -> ();
            /// Checks the code a caller reads out; does not use it up.
            codes::check_code(nr: i64, code: String) -> CodeCheck;
            /// Sends a new code to the Betrieb's address on file; the previous one stops being valid.
            codes::resend_code(nr: i64, reason: String) -> Resent;
            /// The audit log, newest first.
            audit::list_audit(query: AuditQuery) -> Vec<AuditEntry>;
            /// The settings with what IT pinned (`pinned`, `pinned_by`).
            settings::load_settings() -> DeskSettings;
            /// Administration only: saves the connection settings (not what IT pinned); passwords stored for the previous server are forgotten.
            settings::save_settings(settings: DeskSettings) -> DeskSettings;
            /// Asks where to save, then streams every matching row (not only the loaded page); progress as `export-progress`.
            export::export_antraege(query: AntragQuery, dialect: Dialect) -> SaveOutcome;
            /// Stops the running export; `true` when one was running.
            export::cancel_export() -> bool;
            /// The Monatsbericht of `month` (`YYYY-MM`).
            export::monthly_report(month: String) -> MonthlyReport;
            /// Saves the month's figures or the 12-month series as CSV.
            export::export_report(month: String, dialect: Dialect, part: ReportPart) -> SaveOutcome;
            /// Administration: the open dialog's file, `null` when closed (`KAMMERDESK_IMPORT_FILE` skips the dialog).
            handwerksrolle::handwerksrolle_choose_file() -> Option<String>;
            /// Administration: the import as a dry run, rolled back; progress as `handwerksrolle-progress`.
            handwerksrolle::handwerksrolle_preview(path: String, options: HandwerksrolleOptions) -> ImportPreview;
            /// Administration: the import in one transaction; `sha256` is the preview's, a file changed since is a `conflict`.
            handwerksrolle::handwerksrolle_apply(path: String, options: HandwerksrolleOptions, sha256: String) -> ImportReport;
            /// The last 50 imports, newest first.
            handwerksrolle::handwerksrolle_imports() -> Vec<ImportRecord>;
            /// Gelöschte Betriebe that still have active Zuordnungen.
            handwerksrolle::handwerksrolle_review() -> Vec<ReviewItem>;
        }
    };
}

/// The commands' names, in the list's order.
macro_rules! command_names {
    ($($(#[doc = $doc:literal])* $module:ident :: $name:ident ($($arg:ident : $ty:ty),*) -> $result:ty;)*) => {
        &[$(stringify!($name)),*]
    };
}
