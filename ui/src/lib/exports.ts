// What the clerk is told after an export: the notice for each SaveOutcome.

import type { SaveOutcome } from "./bindings";
import { formatCount } from "./format";
import type { NoticeKind } from "./notices.svelte";

export interface OutcomeNotice {
  kind: NoticeKind;
  message: string;
}

/** `what(rows)` names the rows, e.g. `n === 1 ? "Antrag" : "Anträge"`; `null` for a dismissed dialog. */
export function exportNotice(outcome: SaveOutcome, what: (rows: number) => string): OutcomeNotice | null {
  switch (outcome.outcome) {
    case "written":
      return {
        kind: "success",
        message: `${formatCount(outcome.rows)} ${what(outcome.rows)} exportiert nach ${outcome.path}`,
      };
    case "cancelled":
      return {
        kind: "info",
        message: `Export abgebrochen nach ${formatCount(outcome.rows)} ${outcome.rows === 1 ? "Zeile" : "Zeilen"}; es wurde keine Datei geschrieben.`,
      };
    case "dismissed":
      return null;
  }
}

export const antraegeWord = (n: number): string => (n === 1 ? "Antrag" : "Anträge");
export const zeilenWord = (n: number): string => (n === 1 ? "Zeile" : "Zeilen");
