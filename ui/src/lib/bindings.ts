// Generated from the Rust types by src-tauri/bindings.rs; do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p kammerdesk --lib

export type ErrorKind = "not_found" | "validation" | "conflict" | "forbidden" | "unavailable" | "internal";

export type ErrorBody = { kind: ErrorKind, message: string, };

export type DatabaseInfo = { database: string, user: string, server_version: string, host: string, };

export type ServerInfo = { host: string, port: number, database: string, 
/**
 * Set when the connection may go unencrypted over a network (`disable`/`prefer` to
 * another machine): the desk shows it for as long as that is so.
 */
tls_warning: string | null, };

export type ConnectionInfo = { server: ServerInfo, 
/**
 * The clerk's connection, once signed in.
 */
signed_in: DatabaseInfo | null, };

export type SenderStatus = { 
/**
 * The machine the most recently active sender runs on.
 */
host: string, last_seen_at: string, 
/**
 * Seconds since then, by the database's clock (the desk's may be off).
 */
seconds_ago: number, };

export type About = { version: string, 
/**
 * The commit the desk was built from (build.rs), or „unbekannt“.
 */
build: string, 
/**
 * `host:port/database`, or why there is none.
 */
server: string, 
/**
 * The signed-in clerk's login, if any.
 */
login: string | null, 
/**
 * The folder of the log files, if the log file could be opened.
 */
log_folder: string | null, 
/**
 * The mail sender's last heartbeat (read with the clerk's login; unknown before sign-in).
 */
sender: SenderStatus | null, 
/**
 * „Postausgang zuletzt aktiv vor 12 s (mail01)“, or why it is not known.
 */
sender_label: string, 
/**
 * All of the above as text for a ticket.
 */
diagnostics: string, };

export type Role = "hotline" | "sachbearbeitung" | "admin";

export type Permission = "lookup" | "handle_codes" | "withdraw_on_behalf" | "approve" | "reject" | "revoke_zuordnung" | "export" | "manage_clerks" | "manage_policy" | "read_outbox" | "import_handwerksrolle";

export type SignedIn = { username: string, display_name: string, role_label: string, permissions: Array<Permission>, 
/**
 * Why the clerk may not do each permission they lack, as kammer-core words it (the
 * tooltip of a disabled button).
 */
refusals: { [key in Permission]?: string }, 
/**
 * May change the desk's connection settings (`settings::may_change`).
 */
may_change_settings: boolean, 
/**
 * Seconds without input after which the desk signs out (desk.toml, default 15 minutes).
 */
idle_sign_out_seconds: number, 
/**
 * The chamber's name from its policy, which printouts carry.
 */
chamber_name: string, };

export type ClerkInfo = { id: number, username: string, display_name: string, role: Role | null, disabled_at: string | null, created_at: string, 
/**
 * The login can sign in (not disabled in PostgreSQL).
 */
can_login: boolean, };

export type Betrieb = { id: number, betriebsnummer: string, firmenname: string, inhaber: string, strasse: string, plz: string, ort: string, gewerk: string, 
/**
 * "E-Mail laut Handwerksrolle": the only address codes go to.
 */
email: string, 
/**
 * `None` for a Hauptsitz; otherwise the Betriebsnummer of the Filiale's Hauptsitz.
 */
hauptsitz: string | null, created_at: string, 
/**
 * Gelöscht in der Handwerksrolle: the row stays for its Anträge and Zuordnungen.
 */
geloescht_am: string | null, 
/**
 * „Stand der Handwerksrolle“: the last import that confirmed this Betrieb (a full
 * snapshot confirms every Betrieb it does not delete); `None` before the first import.
 */
stand: string | null, };

export type BetriebHit = { id: number, betriebsnummer: string, firmenname: string, inhaber: string, ort: string, email: string, 
/**
 * The Hauptsitz's Betriebsnummer for a Filiale (the Suche marks Filialen).
 */
hauptsitz: string | null, geloescht_am: string | null, 
/**
 * 1.0 for an exact or prefix number match; the trigram similarity otherwise.
 */
score: number, };

export type BetriebDetail = { betrieb: Betrieb, filialen: Array<BetriebHit>, zuordnungen: Array<Zuordnung>, 
/**
 * Newest first, at most 200; the queue filtered by Betrieb has the rest.
 */
antraege: Array<AntragSummary>, };

export type Zuordnung = { id: number, account_id: number, account_name: string, account_email: string, betrieb_id: number, antrag_nr: number | null, since: string, revoked_at: string | null, revoked_by: string | null, revoke_reason: string | null, };

export type AntragNr = number;

export type AntragStatus = "awaiting_code" | "in_review" | "approved" | "withdrawn" | "rejected" | "expired";

export type AuditAction = "requested" | "code_mail_sent" | "code_mail_failed" | "code_mail_deferred" | "code_checked" | "code_wrong" | "code_confirmed" | "code_resent" | "approved" | "approval_requested" | "withdrawn" | "rejected" | "expired" | "zuordnung_revoked" | "export_written" | "account_registered" | "account_confirmed" | "clerk_added" | "clerk_disabled" | "clerk_enabled" | "clerk_role_changed" | "clerk_password_set" | "policy_changed" | "outbox_mail_read" | "outbox_mail_requeued" | "betrieb_email_changed" | "betrieb_geloescht" | "code_retired" | "handwerksrolle_imported";

export type SortOrder = "oldest_first" | "newest_first" | "betrieb_ascending" | "betrieb_descending";

export type AntragSummary = { nr: number, sent_at: string, status: AntragStatus, status_label: string, betrieb_id: number, betriebsnummer: string, firmenname: string, 
/**
 * `None` for a Hauptsitz; for a Filiale the Betriebsnummer of its Hauptsitz (the
 * export's „Hauptsitz/Filiale“).
 */
hauptsitz: string | null, requester_name: string, requester_email: string, codes_sent: number, last_code_sent_at: string | null, 
/**
 * Delivery status of the newest code mail: queued, sent, failed or cancelled.
 */
delivery_status: string | null, 
/**
 * Why that mail was cancelled (superseded, decided, expired, address_changed).
 */
delivery_cancel_reason: string | null, 
/**
 * A Sachbearbeitung clerk asked to approve without the code; a second one must confirm.
 */
awaiting_second_approval: boolean, decided_at: string | null, decided_by: string | null, decision_reason: string | null, };

export type AntragPage = { rows: Array<AntragSummary>, 
/**
 * Pass back as `after` for the next page; `None` on the last page.
 */
next: string | null, };

export type AntragQuery = { statuses: Array<AntragStatus>, from: string | null, to: string | null, betriebsnummer: string | null, search: string | null, order: SortOrder, };

export type StatusCount = { status: AntragStatus, label: string, count: number, };

export type AntragDetail = { summary: AntragSummary, kind: string, account_id: number, requester_email_confirmed_at: string | null, betriebsnummer_entered: string, firmenname_entered: string, betrieb_email: string, code_confirmed_at: string | null, 
/**
 * The first of two confirmations of an approval without the code, while the second is due.
 */
approval_request: ApprovalRequest | null, 
/**
 * What the clerk must know first, e.g. „E-Mail-Adresse in der Handwerksrolle geändert
 * am …: neuer Code nötig“.
 */
notice: string | null, codes: Array<CodeInfo>, history: Array<AuditEntry>, };

export type AntragView = { detail: AntragDetail, actions: Array<ActionState>, 
/**
 * When the policy allows the next code, if not now.
 */
resend_available_at: string | null, };

export type AntragAction = "check_code" | "resend_code" | "approve" | "withdraw" | "reject";

export type ActionState = { action: AntragAction, allowed: boolean, 
/**
 * The action asks for a Begründung (the core refuses it without one).
 */
reason_required: boolean, 
/**
 * The tooltip of a disabled button.
 */
why_not: string | null, };

export type Approved = { nr: AntragNr, outcome: ApprovalOutcome, zuordnung_id: number | null, };

export type ApprovalOutcome = "approved" | "awaiting_second";

export type ApprovalRequest = { clerk_id: number, by: string, at: string, reason: string | null, };

export type CodeInfo = { id: number, prefix: string, sent_to: string, issued_at: string, expires_at: string, consumed_at: string | null, superseded_at: string | null, wrong_attempts: number, state: CodeState, 
/**
 * The state in the words the desk and the CLI show.
 */
state_label: string, issued_by: string | null, issue_reason: string | null, 
/**
 * Why the code was made unusable before it was used: superseded, decided, expired or
 * address_changed (the Betrieb's e-mail address changed in the Handwerksrolle).
 */
retire_reason: string | null, delivery: Delivery | null, };

export type CodeState = "valid" | "locked" | "expired" | "consumed" | "superseded" | "retired";

export type Delivery = { outbox_id: number, 
/**
 * queued, sent, failed or cancelled.
 */
status: string, 
/**
 * Why a cancelled mail was not sent: superseded, decided, expired, address_changed.
 */
cancel_reason: string | null, 
/**
 * The status as the desk and the CLI show it, e.g. "versendet am 12.01.2024, 07:23 Uhr".
 */
label_de: string, attempts: number, 
/**
 * The mail server's refusal or why it could not be reached (last failed attempt).
 */
last_error: string | null, 
/**
 * The server's reply to the last attempt ("250 … queued as …" once sent).
 */
smtp_reply: string | null, sent_at: string | null, next_attempt_at: string, };

export type CodeCheck = { verdict: CodeVerdict, 
/**
 * A German sentence the hotline can read out.
 */
message: string, 
/**
 * The prefix of the Antrag's live code, so the hotline can ask "does yours begin with …?".
 */
current_prefix: string | null, antrag_status: AntragStatus, };

export type CodeVerdict = "valid" | "superseded" | "expired" | "locked" | "consumed" | "wrong";

export type Resent = { prefix: string, expires_at: string, sent_to: string, outbox_id: number, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;

export type AuditEntry = { id: number, at: string, actor_kind: string, 
/**
 * Clerk display name, account name, or "System".
 */
actor: string, 
/**
 * The PostgreSQL login that did it (the clerk's own, or a service's).
 */
login: string, action: string, antrag_nr: number | null, betrieb_id: number | null, details: JsonValue, };

export type AuditQuery = { antrag: number | null, betriebsnummer: string | null, 
/**
 * A clerk's user name.
 */
clerk: string | null, action: string | null, from: string | null, to: string | null, 
/**
 * Paging: entries older than this one.
 */
before_id: number | null, limit: number, };

export type Change = { action: string, antrag_nr: number | null, betrieb_id: number | null, };

export type DeskSettings = { database: DatabaseSettings, 
/**
 * The fields of `database` IT pinned (desk.toml or `KAMMERDESK_DB_…`): `host`, `port`,
 * `database`, `tls_mode`, `ca_file`. Shown read-only, „von der IT festgelegt“; never saved.
 */
pinned: Array<string>, 
/**
 * Where the pins come from: the file's path, or „Umgebungsvariablen“.
 */
pinned_by: string | null, };

export type DatabaseSettings = { host: string, port: number, database: string, tls_mode: TlsMode, 
/**
 * A PEM file with the chamber's own CA, trusted on top of the platform's trust store.
 */
ca_file: string | null, };

export type TlsMode = "disable" | "prefer" | "require" | "verify_full";

export type Dialect = "excel-de" | "rfc4180";

export type SaveOutcome = { "outcome": "written", path: string, rows: number, } | { "outcome": "cancelled", rows: number, } | { "outcome": "dismissed" };

export type ReportPart = "monthly" | "series";

export type Month = string;

export type MonthlyReport = { month: Month, total: Figures, 
/**
 * The total over the Anträge of Hauptsitze only, and of Filialen only: how much of the
 * work concerns Filialen. Counts of the two add up to the total, except „Mails
 * gescheitert“ for a mail without an Antrag, which concerns neither.
 */
hauptsitze: Figures, filialen: Figures, 
/**
 * Every Gewerk with at least one figure in the month, alphabetically; "ohne Gewerk" last.
 */
by_gewerk: Array<GewerkFigures>, 
/**
 * The last [`SERIES_MONTHS`] months up to and including `month`, oldest first.
 */
series: Array<MonthOutcomes>, };

export type GewerkFigures = { gewerk: string, 
/**
 * `requested` events in the month.
 */
received: number, 
/**
 * `code_confirmed` events: a correct code submitted in the portal.
 */
codes_confirmed: number, 
/**
 * `approved` events by the system: the portal approved on a correct code.
 */
approved_by_portal: number, 
/**
 * `approved` events by a clerk (after review, or without code with a reason).
 */
approved_by_clerk: number, withdrawn: number, rejected: number, expired: number, 
/**
 * Anträge sent before the month's end and not decided before it.
 */
open_at_month_end: number, 
/**
 * Codes issued in the month (first codes and resends).
 */
codes_sent: number, 
/**
 * Of those, codes that were not the first of their Antrag.
 */
codes_resent: number, 
/**
 * Code mails queued in the month whose delivery has finally failed.
 */
mails_failed: number, 
/**
 * Zuordnungen created in the month.
 */
zuordnungen: number, 
/**
 * From "gesendet am" to the Zuordnung, over the Zuordnungen created in the month.
 */
median_hours_to_zuordnung: number | null, p90_hours_to_zuordnung: number | null, 
/**
 * Betriebe whose first Zuordnung ever was created in the month.
 */
betriebe_newly_linked: number, };

export type Figures = { 
/**
 * `requested` events in the month.
 */
received: number, 
/**
 * `code_confirmed` events: a correct code submitted in the portal.
 */
codes_confirmed: number, 
/**
 * `approved` events by the system: the portal approved on a correct code.
 */
approved_by_portal: number, 
/**
 * `approved` events by a clerk (after review, or without code with a reason).
 */
approved_by_clerk: number, withdrawn: number, rejected: number, expired: number, 
/**
 * Anträge sent before the month's end and not decided before it.
 */
open_at_month_end: number, 
/**
 * Codes issued in the month (first codes and resends).
 */
codes_sent: number, 
/**
 * Of those, codes that were not the first of their Antrag.
 */
codes_resent: number, 
/**
 * Code mails queued in the month whose delivery has finally failed.
 */
mails_failed: number, 
/**
 * Zuordnungen created in the month.
 */
zuordnungen: number, 
/**
 * From "gesendet am" to the Zuordnung, over the Zuordnungen created in the month.
 */
median_hours_to_zuordnung: number | null, p90_hours_to_zuordnung: number | null, 
/**
 * Betriebe whose first Zuordnung ever was created in the month.
 */
betriebe_newly_linked: number, };

export type MonthOutcomes = { month: Month, received: number, approved_by_portal: number, approved_by_clerk: number, withdrawn: number, rejected: number, expired: number, };

export type Mode = "full" | "delta";

export type HandwerksrolleOptions = { mode: Mode, skip_invalid: boolean, 
/**
 * „Trotzdem übernehmen“: apply a full snapshot that removes more than allowed.
 */
force: boolean, };

export type ChangeKind = "new" | "changed" | "removed" | "invalid";

export type FieldChange = { field: string, label_de: string, old: string | null, new: string | null, };

export type HandwerksrolleChange = { kind: ChangeKind, kind_label: string, 
/**
 * The file line where the record starts (the header is line 1); `None` for a Betrieb
 * that a full snapshot no longer names.
 */
line: number | null, betriebsnummer: string, firmenname: string, fields: Array<FieldChange>, 
/**
 * Why an invalid line is invalid.
 */
reason_de: string | null, };

export type FileFacts = { file_name: string, sha256: string, encoding: string, separator: string, };

export type Summary = { mode: Mode, rows_in_file: number, created: number, changed: number, email_changed: number, removed: number, unchanged: number, invalid: number, 
/**
 * Betriebe not gelöscht before the import.
 */
active_before: number, removed_percent: number, max_removed_percent: number, 
/**
 * Why the import would be (dry run) refused; `None` when it can be applied.
 */
refusal_de: string | null, 
/**
 * Set once applied.
 */
import_id: number | null, codes_retired: number | null, antraege_closed: number | null, };

export type ImportReport = { file: FileFacts, summary: Summary, 
/**
 * False for a dry run.
 */
applied: boolean, };

export type ImportPreview = { report: ImportReport, 
/**
 * The first [`MAX_PREVIEW_CHANGES`] changes, in the file's order.
 */
changes: Array<HandwerksrolleChange>, 
/**
 * How many more there are beyond `changes`.
 */
changes_truncated: number, 
/**
 * The mapping file used (`KAMMERDESK_HANDWERKSROLLE_MAPPING`), `None` for the default columns.
 */
mapping: string | null, };

export type Progress = { "phase": "reading", rows: number, } | { "phase": "comparing", rows: number, } | { "phase": "applying" };

export type ImportProgress = { progress: Progress, 
/**
 * The file's lines after the header: the records to expect (a field with a line break
 * makes it a little more), for the bar's length.
 */
expected_rows: number, };

export type ImportRecord = { id: number, at: string, 
/**
 * The clerk's name, or the import service's login.
 */
by: string, file_name: string, file_sha256: string, 
/**
 * full or delta.
 */
mode: string, rows_in_file: number, created: number, changed: number, email_changed: number, removed: number, unchanged: number, skipped: number, codes_retired: number, antraege_closed: number, };

export type ReviewItem = { betrieb_id: number, betriebsnummer: string, firmenname: string, geloescht_am: string, active_zuordnungen: number, };

/**
 * The desk's commands (src-tauri/command_list.rs): what each takes and returns.
 */
export interface Commands { 
/**
 * The database server the desk is set up for and, once signed in, the clerk's connection. Before sign-in it probes the server, so the sign-in screen can explain why it is unreachable.
 */
connection_info: { args: Record<string, never>, result: ConnectionInfo }, 
/**
 * Über KammerDesk: version, build, server, login, log folder, the mail sender's last heartbeat, and `diagnostics`, the text for „Diagnose kopieren“ without secrets.
 */
about: { args: Record<string, never>, result: About }, 
/**
 * Signs the clerk in with their own database login; `remember` keeps the password in the operating system's keychain.
 */
sign_in: { args: { username: string, password: string, remember: boolean }, result: SignedIn }, 
/**
 * Whether the keychain holds a password for this login at the configured server.
 */
stored_password: { args: { username: string }, result: boolean }, 
/**
 * Signs out and closes the clerk's database connections.
 */
sign_out: { args: Record<string, never>, result: null }, 
/**
 * The signed-in clerk as made at sign-in, with `idle_sign_out_seconds` (the desk signs out after that long without input) and `chamber_name` (for printouts).
 */
current_clerk: { args: Record<string, never>, result: SignedIn | null }, 
/**
 * Administration: every KammerDesk login.
 */
list_clerks: { args: Record<string, never>, result: Array<ClerkInfo> }, 
/**
 * Administration: a new login with its role; without a password it signs in through the directory.
 */
add_clerk: { args: { username: string, display_name: string, role: Role, password: string | null }, result: number }, 
/**
 * Administration: another role for a login.
 */
set_clerk_role: { args: { username: string, role: Role }, result: null }, 
/**
 * Administration: locks a login and ends its open sessions.
 */
disable_clerk: { args: { username: string }, result: null }, 
/**
 * Administration: unlocks a login.
 */
enable_clerk: { args: { username: string }, result: null }, 
/**
 * Administration: a new password for a login; its open sessions end.
 */
set_clerk_password: { args: { username: string, password: string }, result: null }, 
/**
 * Best hits first: a Betriebsnummer or its beginning, or a name fragment, typo-tolerant.
 */
search_betriebe: { args: { query: string, limit: number }, result: Array<BetriebHit> }, 
/**
 * One Betrieb with its Zuordnungen, Anträge and Filialen.
 */
show_betrieb: { args: { betriebsnummer: string }, result: BetriebDetail }, 
/**
 * Ends a Zuordnung, with a Begründung.
 */
revoke_zuordnung: { args: { zuordnung_id: number, reason: string }, result: null }, 
/**
 * One page of the queue; `after` is the previous page's cursor.
 */
list_antraege: { args: { query: AntragQuery, after: string | null, limit: number }, result: AntragPage }, 
/**
 * The queue's count per status, also those with 0.
 */
count_antraege: { args: { query: AntragQuery }, result: Array<StatusCount> }, 
/**
 * One Antrag with its codes, history and the actions this clerk may take (with the German reason where not).
 */
show_antrag: { args: { nr: number }, result: AntragView }, 
/**
 * Confirms the Zuordnung; without the code entered a Begründung, and by the chamber's policy a second person.
 */
approve_antrag: { args: { nr: number, reason: string | null }, result: Approved }, 
/**
 * Withdraws the Antrag on the requester's behalf.
 */
withdraw_antrag: { args: { nr: number, reason: string }, result: null }, 
/**
 * Rejects the Antrag.
 */
reject_antrag: { args: { nr: number, reason: string }, result: null }, 
/**
 * Checks the code a caller reads out; does not use it up.
 */
check_code: { args: { nr: number, code: string }, result: CodeCheck }, 
/**
 * Sends a new code to the Betrieb's address on file; the previous one stops being valid.
 */
resend_code: { args: { nr: number, reason: string }, result: Resent }, 
/**
 * The audit log, newest first.
 */
list_audit: { args: { query: AuditQuery }, result: Array<AuditEntry> }, 
/**
 * The settings with what IT pinned (`pinned`, `pinned_by`).
 */
load_settings: { args: Record<string, never>, result: DeskSettings }, 
/**
 * Administration only: saves the connection settings (not what IT pinned); passwords stored for the previous server are forgotten.
 */
save_settings: { args: { settings: DeskSettings }, result: DeskSettings }, 
/**
 * Asks where to save, then streams every matching row (not only the loaded page); progress as `export-progress`.
 */
export_antraege: { args: { query: AntragQuery, dialect: Dialect }, result: SaveOutcome }, 
/**
 * Stops the running export; `true` when one was running.
 */
cancel_export: { args: Record<string, never>, result: boolean }, 
/**
 * The Monatsbericht of `month` (`YYYY-MM`).
 */
monthly_report: { args: { month: string }, result: MonthlyReport }, 
/**
 * Saves the month's figures or the 12-month series as CSV.
 */
export_report: { args: { month: string, dialect: Dialect, part: ReportPart }, result: SaveOutcome }, 
/**
 * Administration: the open dialog's file, `null` when closed (`KAMMERDESK_IMPORT_FILE` skips the dialog).
 */
handwerksrolle_choose_file: { args: Record<string, never>, result: string | null }, 
/**
 * Administration: the import as a dry run, rolled back; progress as `handwerksrolle-progress`.
 */
handwerksrolle_preview: { args: { path: string, options: HandwerksrolleOptions }, result: ImportPreview }, 
/**
 * Administration: the import in one transaction; `sha256` is the preview's, a file changed since is a `conflict`.
 */
handwerksrolle_apply: { args: { path: string, options: HandwerksrolleOptions, sha256: string }, result: ImportReport }, 
/**
 * The last 50 imports, newest first.
 */
handwerksrolle_imports: { args: Record<string, never>, result: Array<ImportRecord> }, 
/**
 * Gelöschte Betriebe that still have active Zuordnungen.
 */
handwerksrolle_review: { args: Record<string, never>, result: Array<ReviewItem> }, }

/**
 * The Antrag's status in the portal's words (`AntragStatus::label_de`).
 */
export const STATUS_LABELS: Readonly<Record<AntragStatus, string>> = {
  "awaiting_code": "Freigabeschlüssel notwendig",
  "in_review": "In Bearbeitung",
  "approved": "Zuordnung bestätigt",
  "withdrawn": "Zurückgezogen",
  "rejected": "Abgelehnt",
  "expired": "Abgelaufen",
};

/**
 * The clerks' roles (`Role::label_de`).
 */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  "hotline": "Hotline",
  "sachbearbeitung": "Sachbearbeitung",
  "admin": "Administration",
};

/**
 * The audit log's actions (`AuditAction::label_de`), in the order of the Protokoll's filter.
 */
export const AUDIT_ACTION_LABELS: Readonly<Record<AuditAction, string>> = {
  "requested": "Antrag gestellt",
  "code_mail_sent": "Code-E-Mail versendet",
  "code_mail_failed": "Code-E-Mail nicht zustellbar",
  "code_mail_deferred": "Code-E-Mail zurückgestellt",
  "code_checked": "Code geprüft",
  "code_wrong": "Falscher Bestätigungs-Code eingegeben",
  "code_confirmed": "Richtiger Bestätigungs-Code eingegeben",
  "code_resent": "Code erneut gesendet",
  "approved": "Zuordnung bestätigt",
  "approval_requested": "Bestätigung ohne Code angefragt (zweite Person nötig)",
  "withdrawn": "Antrag zurückgezogen",
  "rejected": "Antrag abgelehnt",
  "expired": "Antrag abgelaufen",
  "zuordnung_revoked": "Zuordnung aufgehoben",
  "export_written": "Export geschrieben",
  "account_registered": "Konto registriert",
  "account_confirmed": "Konto bestätigt",
  "clerk_added": "Sachbearbeiter:in angelegt",
  "clerk_disabled": "Sachbearbeiter:in gesperrt",
  "clerk_enabled": "Sachbearbeiter:in entsperrt",
  "clerk_role_changed": "Rolle geändert",
  "clerk_password_set": "Passwort gesetzt",
  "policy_changed": "Richtlinie geändert",
  "outbox_mail_read": "Ausgehende E-Mail eingesehen",
  "outbox_mail_requeued": "E-Mail erneut eingereiht",
  "betrieb_email_changed": "E-Mail-Adresse in der Handwerksrolle geändert",
  "betrieb_geloescht": "Betrieb in der Handwerksrolle gelöscht",
  "code_retired": "Bestätigungs-Code ungültig gemacht",
  "handwerksrolle_imported": "Handwerksrolle importiert",
};

/**
 * The queue's orders (`SortOrder::label_de`), in the order of its „Sortierung“.
 */
export const SORT_ORDER_LABELS: Readonly<Record<SortOrder, string>> = {
  "oldest_first": "Älteste zuerst",
  "newest_first": "Neueste zuerst",
  "betrieb_ascending": "Betriebsnummer aufsteigend",
  "betrieb_descending": "Betriebsnummer absteigend",
};

/**
 * A code check's verdict in a word (`CodeVerdict::label_de`).
 */
export const VERDICT_LABELS: Readonly<Record<CodeVerdict, string>> = {
  "valid": "gültig",
  "superseded": "nicht mehr aktuell",
  "expired": "abgelaufen",
  "locked": "gesperrt",
  "consumed": "bereits verwendet",
  "wrong": "falsch",
};

/**
 * The monthly report's figures in the CSV's column order, with its headings (`report::MONTHLY_HEADER`).
 */
export const FIGURE_LABELS: Readonly<Record<keyof Figures, string>> = {
  "received": "Anträge eingegangen",
  "codes_confirmed": "Codes bestätigt",
  "approved_by_portal": "bestätigt durch Code (Portal)",
  "approved_by_clerk": "bestätigt durch Sachbearbeitung",
  "withdrawn": "zurückgezogen",
  "rejected": "abgelehnt",
  "expired": "abgelaufen",
  "open_at_month_end": "offen am Monatsende",
  "codes_sent": "Codes gesendet",
  "codes_resent": "davon erneut gesendet",
  "mails_failed": "Mails gescheitert",
  "zuordnungen": "Zuordnungen angelegt",
  "median_hours_to_zuordnung": "Median Antrag bis Zuordnung (Stunden)",
  "p90_hours_to_zuordnung": "90. Perzentil Antrag bis Zuordnung (Stunden)",
  "betriebe_newly_linked": "Betriebe neu zugeordnet",
};

/**
 * The figures given in hours, one decimal (`report::Figure::Hours`); the others are counts.
 */
export const HOURS_FIGURES: readonly (keyof Figures)[] = ["median_hours_to_zuordnung", "p90_hours_to_zuordnung"];
