// The logic behind the Suche, free of Svelte so it can be tested: a guard that drops answers
// to questions nobody asks any more, the keyboard selection in the hit list, and whether a
// query names an Antrag.

import { readAntragNr } from "./antrag-nr";

/**
 * Numbers each request; only the answer to the newest one counts. An answer that arrives after
 * a newer request was started (the clerk typed on) is stale and must be discarded.
 */
export class SequenceGuard {
  #latest = 0;

  /** Start a request; keep the ticket and ask `isCurrent(ticket)` when its answer arrives. */
  next(): number {
    return ++this.#latest;
  }

  isCurrent(ticket: number): boolean {
    return ticket === this.#latest;
  }

  /** Make every outstanding request stale (the field was cleared, the screen went away). */
  invalidate(): void {
    this.#latest++;
  }
}

/**
 * ArrowDown/ArrowUp in a list of `count` hits: from nothing selected (-1) down goes to the first,
 * up to the last; at either end the selection wraps around.
 */
export function moveSelection(active: number, count: number, delta: 1 | -1): number {
  if (count <= 0) return -1;
  if (active < 0 || active >= count) return delta === 1 ? 0 : count - 1;
  return (active + delta + count) % count;
}

/** The hit Enter opens: the active one, else the best (the first; hits arrive best first). */
export function hitToOpen<T>(hits: readonly T[], active: number): T | null {
  if (hits.length === 0) return null;
  return hits[active >= 0 && active < hits.length ? active : 0] ?? null;
}

/** What is worth asking the database: a trimmed query, or `null` for an empty field. */
export function normaliseQuery(text: string): string | null {
  const trimmed = text.trim().replace(/\s+/g, " ");
  return trimmed === "" ? null : trimmed;
}

/**
 * What to ask for a query. „Nr. 178“ names an Antrag and nothing else; bare digits („178“)
 * may be an Antrag or the beginning of a Betriebsnummer, so both are asked; anything else is
 * a Betrieb's name or number.
 */
export type SearchPlan =
  | { kind: "antrag"; nr: number }
  | { kind: "both"; nr: number; query: string }
  | { kind: "betriebe"; query: string };

export function planSearch(text: string): SearchPlan | null {
  const query = normaliseQuery(text);
  if (query === null) return null;
  const antrag = readAntragNr(query);
  if (antrag === null) return { kind: "betriebe", query };
  return antrag.explicit ? { kind: "antrag", nr: antrag.nr } : { kind: "both", nr: antrag.nr, query };
}

/**
 * Whether the Antrag goes before the Betriebe in the hits (and so opens on Enter): yes, unless
 * a Betrieb has exactly the typed number — then the clerk typed a whole Betriebsnummer.
 */
export function antragFirst(query: string, betriebe: readonly { betriebsnummer: string }[]): boolean {
  return !betriebe.some((b) => b.betriebsnummer === query);
}
