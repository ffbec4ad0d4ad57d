// The queue's filters and sort, remembered per clerk on this machine: a clerk who always
// works „In Bearbeitung“, newest first, finds it so after the next sign-in. Keyed by the
// database login, so on a shared desk another clerk starts from their own (or the default).
// The search text is not kept: it is a question of the moment and may hold a person's name.

import type { AntragStatus, SortOrder } from "./bindings";
import { isSortOrder } from "./sort-order";
import { STATUSES, isAntragStatus } from "./status";

export interface QueuePrefs {
  statuses: AntragStatus[];
  fromText: string;
  toText: string;
  order: SortOrder;
}

/** The part of `localStorage` used here (tests pass a Map-backed one). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Bump the version when the shape changes: older entries are then simply not read. */
const PREFIX = "kammerdesk.queue.v1:";
/** A period field holds a date; anything longer was not written by this desk. */
const MAX_TEXT = 40;

export function prefsKey(username: string): string {
  return PREFIX + username;
}

/** The stored filters, or `null` for none, unreadable JSON or a shape this desk did not write. */
export function parsePrefs(json: string | null): QueuePrefs | null {
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const { statuses, fromText, toText, order } = value as Record<string, unknown>;
  if (!Array.isArray(statuses) || !statuses.every((s) => typeof s === "string" && isAntragStatus(s))) return null;
  if (typeof fromText !== "string" || typeof toText !== "string") return null;
  if (fromText.length > MAX_TEXT || toText.length > MAX_TEXT) return null;
  if (!isSortOrder(order)) return null;
  return {
    // In the filter's own order, each once.
    statuses: STATUSES.filter((s) => (statuses as string[]).includes(s)),
    fromText,
    toText,
    order,
  };
}

export function loadPrefs(store: KeyValueStore | null, username: string): QueuePrefs | null {
  if (store === null) return null;
  try {
    return parsePrefs(store.getItem(prefsKey(username)));
  } catch {
    return null;
  }
}

/** Best effort: a full or refused storage costs the memory, never the queue. */
export function savePrefs(store: KeyValueStore | null, username: string, prefs: QueuePrefs): void {
  if (store === null) return;
  try {
    store.setItem(prefsKey(username), JSON.stringify(prefs));
  } catch {
    // Quota exceeded or storage disabled: nothing to remember with.
  }
}

/** The web view's `localStorage`, or `null` where reading it throws or there is none (tests). */
export function browserStore(): KeyValueStore | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
