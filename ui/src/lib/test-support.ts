// Fixtures the Vitest tests share (no test of its own, so Vitest does not collect it; only
// tests import it, so it never reaches the build): an Antrag of the queue, a page of the
// queue's keyset paging, and an in-memory stand-in for localStorage.

import type { AntragPage, AntragSummary } from "./bindings";
import type { KeyValueStore } from "./queue-prefs";

/** Antrag `nr` as the queue lists it: Testbetrieb 2121155381, waiting for the code. */
export function antragSummary(nr: number, over: Partial<AntragSummary> = {}): AntragSummary {
  return {
    nr,
    sent_at: "2024-01-12T06:23:17Z",
    status: "awaiting_code",
    status_label: "Freigabeschlüssel notwendig",
    betrieb_id: 1,
    betriebsnummer: "2121155381",
    firmenname: "Testbetrieb",
    hauptsitz: null,
    requester_name: "Max Muster",
    requester_email: "max@example.de",
    codes_sent: 1,
    last_code_sent_at: null,
    delivery_status: null,
    delivery_cancel_reason: null,
    awaiting_second_approval: false,
    decided_at: null,
    decided_by: null,
    decision_reason: null,
    ...over,
  };
}

/** One page of `list_antraege` over Anträge 1..total, the cursor being the last nr. */
export function pageOf(total: number, after: string | null, limit: number): AntragPage {
  const start = after === null ? 1 : Number(after) + 1;
  const end = Math.min(total, start + limit - 1);
  const rows: AntragSummary[] = [];
  for (let nr = start; nr <= end; nr++) rows.push(antragSummary(nr));
  return { rows, next: end < total ? String(end) : null };
}

/** A `KeyValueStore` in memory, with its entries to look at. */
export function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}
