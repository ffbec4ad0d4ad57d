// The Protokoll's filters as the clerk typed them → the `AuditQuery` of `list_audit`, or the
// German sentence saying which field cannot be read.

import type { AuditQuery } from "./bindings";
import { parseGermanDate } from "./format";

export const AUDIT_PAGE = 50;

export interface AuditFilters {
  clerk: string;
  action: string;
  from: string;
  to: string;
  antrag: string;
  betrieb: string;
}

export type AuditFilterResult =
  | { ok: true; query: AuditQuery }
  | { ok: false; field: keyof AuditFilters; message: string };

function blankToNull(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

export function buildAuditQuery(
  filters: AuditFilters,
  beforeId: number | null = null,
  limit: number = AUDIT_PAGE,
): AuditFilterResult {
  let from: string | null = null;
  let to: string | null = null;
  if (blankToNull(filters.from) !== null) {
    from = parseGermanDate(filters.from);
    if (from === null)
      return {
        ok: false,
        field: "from",
        message: `»${filters.from.trim()}« ist kein gültiges Datum. Bitte als TT.MM.JJJJ eingeben, z. B. 12.01.2024.`,
      };
  }
  if (blankToNull(filters.to) !== null) {
    to = parseGermanDate(filters.to);
    if (to === null)
      return {
        ok: false,
        field: "to",
        message: `»${filters.to.trim()}« ist kein gültiges Datum. Bitte als TT.MM.JJJJ eingeben, z. B. 31.01.2024.`,
      };
  }
  if (from !== null && to !== null && from > to)
    return { ok: false, field: "to", message: "Das Ende des Zeitraums liegt vor seinem Anfang." };

  let antrag: number | null = null;
  const antragText = blankToNull(filters.antrag);
  if (antragText !== null) {
    const digits = antragText.replace(/^nr\.?\s*/i, "");
    if (!/^\d{1,15}$/.test(digits))
      return { ok: false, field: "antrag", message: "Die Antragsnummer besteht nur aus Ziffern." };
    antrag = Number(digits);
  }

  const betrieb = blankToNull(filters.betrieb);
  if (betrieb !== null && !/^\d+$/.test(betrieb))
    return { ok: false, field: "betrieb", message: "Die Betriebsnummer besteht nur aus Ziffern." };

  return {
    ok: true,
    query: {
      antrag,
      betriebsnummer: betrieb,
      clerk: blankToNull(filters.clerk),
      action: blankToNull(filters.action),
      from,
      to,
      before_id: beforeId,
      limit,
    },
  };
}
