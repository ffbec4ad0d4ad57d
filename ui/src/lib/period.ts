// The period filter of the Anträge and of the Protokoll: one pair of labels, one way to read
// a German date, one message when it cannot be read. Both ends are calendar days in Germany,
// „bis“ inclusive, as kammer-core's `GermanDay` reads them.

import { parseGermanDate } from "./format";

export const PERIOD_LABELS = {
  from: "Von (TT.MM.JJJJ)",
  to: "Bis einschließlich (TT.MM.JJJJ)",
} as const;

export const DATE_HINT = "Bitte ein Datum im Format TT.MM.JJJJ eingeben, z. B. 12.01.2024.";

/** A period field's text → the day for the query, or the German message why not. */
export function readDay(text: string): { day: string | null; error: string | null } {
  if (text.trim() === "") return { day: null, error: null };
  const day = parseGermanDate(text);
  return day === null ? { day: null, error: `„${text.trim()}“ ist kein gültiges Datum. ${DATE_HINT}` } : { day, error: null };
}

export const PERIOD_REVERSED = "Das Ende des Zeitraums liegt vor seinem Anfang.";
