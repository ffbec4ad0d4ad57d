// The one door to the Rust side. Every command is listed in `Commands` with its arguments and
// result, so a typo or a wrong argument is a compile error, and every rejection arrives as a
// `KammerError` with a machine-readable kind and a German message fit for the clerk.

import { invoke } from "@tauri-apps/api/core";

import type {
  About,
  Approved,
  AntragPage,
  AntragQuery,
  AntragView,
  AuditEntry,
  AuditQuery,
  BetriebDetail,
  BetriebHit,
  ClerkInfo,
  CodeCheck,
  ConnectionInfo,
  DeskSettings,
  Dialect,
  ErrorBody,
  ErrorKind,
  HandwerksrolleOptions,
  ImportPreview,
  ImportRecord,
  ImportReport,
  MonthlyReport,
  ReportPart,
  Resent,
  ReviewItem,
  Role,
  SaveOutcome,
  SignedIn,
  StatusCount,
} from "./bindings";

/** The commands of src-tauri/commands (docs/desk-ipc.md). Keep in sync with build.rs and the capabilities. */
export interface Commands {
  connection_info: { args: NoArgs; result: ConnectionInfo };
  about: { args: NoArgs; result: About };
  sign_in: { args: { username: string; password: string; remember: boolean }; result: SignedIn };
  stored_password: { args: { username: string }; result: boolean };
  sign_out: { args: NoArgs; result: null };
  current_clerk: { args: NoArgs; result: SignedIn | null };
  list_clerks: { args: NoArgs; result: ClerkInfo[] };
  add_clerk: {
    args: { username: string; display_name: string; role: Role; password: string | null };
    result: number;
  };
  set_clerk_role: { args: { username: string; role: Role }; result: null };
  disable_clerk: { args: { username: string }; result: null };
  enable_clerk: { args: { username: string }; result: null };
  set_clerk_password: { args: { username: string; password: string }; result: null };
  search_betriebe: { args: { query: string; limit: number }; result: BetriebHit[] };
  show_betrieb: { args: { betriebsnummer: string }; result: BetriebDetail };
  revoke_zuordnung: { args: { zuordnung_id: number; reason: string }; result: null };
  list_antraege: {
    args: { query: AntragQuery; after: string | null; limit: number };
    result: AntragPage;
  };
  count_antraege: { args: { query: AntragQuery }; result: StatusCount[] };
  show_antrag: { args: { nr: number }; result: AntragView };
  check_code: { args: { nr: number; code: string }; result: CodeCheck };
  resend_code: { args: { nr: number; reason: string }; result: Resent };
  approve_antrag: { args: { nr: number; reason: string | null }; result: Approved };
  withdraw_antrag: { args: { nr: number; reason: string }; result: null };
  reject_antrag: { args: { nr: number; reason: string }; result: null };
  list_audit: { args: { query: AuditQuery }; result: AuditEntry[] };
  export_antraege: { args: { query: AntragQuery; dialect: Dialect }; result: SaveOutcome };
  cancel_export: { args: NoArgs; result: boolean };
  monthly_report: { args: { month: string }; result: MonthlyReport };
  export_report: {
    args: { month: string; dialect: Dialect; part: ReportPart };
    result: SaveOutcome;
  };
  handwerksrolle_choose_file: { args: NoArgs; result: string | null };
  handwerksrolle_preview: { args: { path: string; options: HandwerksrolleOptions }; result: ImportPreview };
  handwerksrolle_apply: {
    args: { path: string; options: HandwerksrolleOptions; sha256: string };
    result: ImportReport;
  };
  handwerksrolle_imports: { args: NoArgs; result: ImportRecord[] };
  handwerksrolle_review: { args: NoArgs; result: ReviewItem[] };
  load_settings: { args: NoArgs; result: DeskSettings };
  save_settings: { args: { settings: DeskSettings }; result: DeskSettings };
}

type NoArgs = Record<string, never>;
type CommandName = keyof Commands;
type ArgsOf<C extends CommandName> = Commands[C]["args"] extends NoArgs
  ? []
  : [args: Commands[C]["args"]];

const KINDS: ReadonlySet<string> = new Set<ErrorKind>([
  "not_found",
  "validation",
  "conflict",
  "forbidden",
  "unavailable",
  "internal",
]);

/** Shown when the rejection did not come from a command (e.g. refused by the capabilities). */
export const UNEXPECTED_MESSAGE =
  "Die Anwendung hat einen unerwarteten Fehler gemeldet. Bitte melden Sie ihn der IT.";

export class KammerError extends Error {
  override readonly name = "KammerError";
  readonly kind: ErrorKind;
  /** The raw rejection when it was not an `ErrorBody`: for the log, never for the clerk. */
  readonly detail: string | undefined;

  constructor(kind: ErrorKind, message: string, detail?: string) {
    super(message);
    this.kind = kind;
    this.detail = detail;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const { kind, message } = value as Record<string, unknown>;
  return typeof kind === "string" && KINDS.has(kind) && typeof message === "string";
}

/** Maps whatever a command rejected with to a `KammerError`. */
export function toKammerError(reason: unknown): KammerError {
  if (reason instanceof KammerError) return reason;
  if (isErrorBody(reason)) return new KammerError(reason.kind, reason.message);
  const detail =
    reason instanceof Error ? reason.message : typeof reason === "string" ? reason : JSON.stringify(reason);
  return new KammerError("internal", UNEXPECTED_MESSAGE, detail);
}

export async function call<C extends CommandName>(
  command: C,
  ...args: ArgsOf<C>
): Promise<Commands[C]["result"]> {
  try {
    return await invoke<Commands[C]["result"]>(command, args[0]);
  } catch (reason) {
    const error = toKammerError(reason);
    if (error.detail !== undefined) console.error(`IPC ${command}: ${error.detail}`);
    throw error;
  }
}
