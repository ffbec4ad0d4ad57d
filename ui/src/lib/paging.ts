// Keyset paging of the queue: pages of PAGE_SIZE after a cursor, and the reload of the rows
// already loaded (live refresh) without losing the clerk's place.

import type { AntragPage, AntragStatus, AntragSummary, StatusCount } from "./bindings";

export const PAGE_SIZE = 100;
/** The most `list_antraege` returns at once (kammer-core clamps the limit). */
export const MAX_LIMIT = 1000;

export type PageFetcher = (after: string | null, limit: number) => Promise<AntragPage>;

/** Rows of a further page appended; a row already shown (it moved meanwhile) is not repeated. */
export function appendPage(rows: readonly AntragSummary[], page: readonly AntragSummary[]): AntragSummary[] {
  const seen = new Set(rows.map((r) => r.nr));
  return [...rows, ...page.filter((r) => !seen.has(r.nr))];
}

/**
 * The first `count` rows again (at least one page), in as few requests as the limit allows,
 * with the cursor to continue after them.
 */
export async function reloadWindow(fetch: PageFetcher, count: number): Promise<AntragPage> {
  const wanted = Math.max(count, PAGE_SIZE);
  let rows: AntragSummary[] = [];
  let next: string | null = null;
  do {
    const page = await fetch(next, Math.min(MAX_LIMIT, wanted - rows.length));
    rows = appendPage(rows, page.rows);
    next = page.next;
  } while (next !== null && rows.length < wanted);
  return { rows, next };
}

/**
 * Which row has the focus after the rows changed: the same Antrag if it is still there,
 * else the row now at its old place (or the last one); -1 for an empty list.
 */
export function keepFocus(rows: readonly AntragSummary[], focusedNr: number | null, oldIndex: number): number {
  if (rows.length === 0) return -1;
  if (focusedNr !== null) {
    const index = rows.findIndex((r) => r.nr === focusedNr);
    if (index >= 0) return index;
  }
  return Math.min(Math.max(oldIndex, 0), rows.length - 1);
}

/** The number of Anträge the filter matches: the counts of the chosen statuses (none = all). */
export function totalOf(counts: readonly StatusCount[], statuses: readonly AntragStatus[]): number {
  return counts
    .filter((c) => statuses.length === 0 || statuses.includes(c.status))
    .reduce((sum, c) => sum + c.count, 0);
}

/** The row a key moves the focus to in a list of `length` rows; `null` for other keys. */
export function moveFocus(key: string, index: number, length: number, pageStep = 10): number | null {
  if (length === 0) return null;
  const last = length - 1;
  switch (key) {
    case "ArrowDown":
      return Math.min(index + 1, last);
    case "ArrowUp":
      return Math.max(index - 1, 0);
    case "PageDown":
      return Math.min(index + pageStep, last);
    case "PageUp":
      return Math.max(index - pageStep, 0);
    case "Home":
      return 0;
    case "End":
      return last;
    default:
      return null;
  }
}

/** Changes that cannot alter the queue's rows or counts (no reload for them). */
const NOT_IN_QUEUE: ReadonlySet<string> = new Set([
  "code_checked",
  "export_written",
  "account_registered",
  "account_confirmed",
  "clerk_added",
  "clerk_disabled",
  "clerk_password_set",
  "policy_changed",
  "outbox_mail_read",
]);

export function affectsQueue(change: { action: string }): boolean {
  return !NOT_IN_QUEUE.has(change.action);
}
