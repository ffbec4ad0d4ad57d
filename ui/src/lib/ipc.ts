// The one door to the Rust side. Every command is listed in `Commands` (generated into
// bindings.ts from src-tauri/command_list.rs) with its arguments and result, so a typo or a
// wrong argument is a compile error, and every rejection arrives as a
// `KammerError` with a machine-readable kind and a German message fit for the clerk.

import { invoke } from "@tauri-apps/api/core";

import type { Commands, ErrorBody, ErrorKind } from "./bindings";

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
