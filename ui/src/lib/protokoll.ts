// The Protokoll's filters as the clerk typed them → the `AuditQuery` of `list_audit`, or the
// German sentence saying which field cannot be read.

import type { AuditQuery } from "./bindings";
import { PERIOD_REVERSED, readDay } from "./period";

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
  const from = readDay(filters.from);
  if (from.error !== null) return { ok: false, field: "from", message: from.error };
  const to = readDay(filters.to);
  if (to.error !== null) return { ok: false, field: "to", message: to.error };
  if (from.day !== null && to.day !== null && from.day > to.day)
    return { ok: false, field: "to", message: PERIOD_REVERSED };

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
      from: from.day,
      to: to.day,
      before_id: beforeId,
      limit,
    },
  };
}
