// The Antrag screen's sentences: a code's state, its mail's delivery, the verdict of
// "Code prüfen", and what happened when another clerk (or the portal) acted first.
// Worded from the Antrag's whole state, so a code retired by a decision is never called
// "ersetzt durch einen neueren Code" (kammer-core marks both as superseded).

import type { AntragStatus, AntragSummary, AuditEntry, CodeCheck, CodeInfo, Delivery, JsonValue } from "./bindings";
import { formatDateTime } from "./format";
import { STATUS_LABELS } from "./status";

/** The Antrag's codes newest first (as show_antrag sends them, but not relied upon). */
export function newestFirst(codes: readonly CodeInfo[]): CodeInfo[] {
  return [...codes].sort((a, b) => (a.issued_at === b.issued_at ? b.id - a.id : a.issued_at < b.issued_at ? 1 : -1));
}

function hasNewer(code: CodeInfo, codes: readonly CodeInfo[]): boolean {
  return codes.some((c) => c.id !== code.id && (c.issued_at > code.issued_at || (c.issued_at === code.issued_at && c.id > code.id)));
}

const RETIRED_BY: Partial<Record<AntragStatus, string>> = {
  approved: "nicht mehr nötig: Zuordnung bestätigt",
  withdrawn: "ungültig: Antrag zurückgezogen",
  rejected: "ungültig: Antrag abgelehnt",
  expired: "ungültig: Antrag abgelaufen",
};

/** A code's state in words, e.g. "gültig bis 26.01.2024, 07:23:17". */
export function codeStateText(code: CodeInfo, codes: readonly CodeInfo[], status: AntragStatus): string {
  switch (code.state) {
    case "valid":
      return `gültig bis ${formatDateTime(code.expires_at)}`;
    case "locked":
      return `gesperrt nach ${code.wrong_attempts} Fehlversuchen – ein neuer Code muss gesendet werden`;
    case "expired":
      return `abgelaufen am ${formatDateTime(code.expires_at)}`;
    case "consumed":
      return code.consumed_at
        ? `verwendet: im Portal richtig eingegeben am ${formatDateTime(code.consumed_at)}`
        : "verwendet: im Portal richtig eingegeben";
    case "superseded":
    case "retired": {
      const when = code.superseded_at ? ` (${formatDateTime(code.superseded_at)})` : "";
      // The import of the Handwerksrolle retired it: it went to an address the Betrieb no longer has.
      if (code.retire_reason === "address_changed") {
        return `ungültig, weil sich die E-Mail-Adresse in der Handwerksrolle geändert hat${when}`;
      }
      if (code.state === "superseded" && hasNewer(code, codes)) return `ersetzt durch einen neueren Code${when}`;
      return `${RETIRED_BY[status] ?? "ungültig, weil über den Antrag entschieden wurde"}${when}`;
    }
  }
}

export interface DeliveryText {
  /** queued, sent, failed, cancelled (for `data-delivery`). */
  status: string;
  label: string;
  /** The mail server's reply or error, when there is one. */
  detail: string | null;
}

export function deliveryText(
  delivery: Delivery | null,
  code: CodeInfo,
  codes: readonly CodeInfo[],
  status: AntragStatus,
): DeliveryText {
  if (delivery === null) return { status: "none", label: "keine E-Mail zu diesem Code", detail: null };
  switch (delivery.status) {
    case "sent":
      return {
        status: "sent",
        label: delivery.label_de,
        detail: delivery.smtp_reply ? `Antwort des Mailservers: ${delivery.smtp_reply}` : null,
      };
    case "failed":
      return {
        status: "failed",
        label: `Versand fehlgeschlagen nach ${delivery.attempts} ${delivery.attempts === 1 ? "Versuch" : "Versuchen"}`,
        detail: delivery.last_error ?? delivery.smtp_reply,
      };
    case "queued":
      return {
        status: "queued",
        label: delivery.label_de,
        detail: delivery.last_error ? `Letzter Fehler: ${delivery.last_error}` : null,
      };
    case "cancelled": {
      const why =
        delivery.cancel_reason === "address_changed"
          ? "E-Mail-Adresse in der Handwerksrolle geändert"
          : hasNewer(code, codes)
        ? "Code vorher ersetzt"
        : status === "approved"
          ? "Zuordnung vorher bestätigt"
          : status === "withdrawn"
            ? "Antrag vorher zurückgezogen"
            : status === "rejected"
              ? "Antrag vorher abgelehnt"
              : status === "expired"
                ? "Antrag vorher abgelaufen"
                : "abgebrochen";
      return { status: "cancelled", label: `nicht versendet (${why})`, detail: null };
    }
    default:
      return { status: delivery.status, label: delivery.label_de, detail: delivery.last_error };
  }
}

const CLOSED_VERDICT: Partial<Record<AntragStatus, string>> = {
  approved: "Dieser Code wird nicht mehr gebraucht: die Zuordnung ist bereits bestätigt.",
  withdrawn: "Dieser Code gilt nicht mehr: der Antrag wurde zurückgezogen.",
  rejected: "Dieser Code gilt nicht mehr: der Antrag wurde abgelehnt.",
  expired: "Dieser Code gilt nicht mehr: der Antrag ist abgelaufen.",
};

/** The sentence the hotline reads out after "Code prüfen". */
export function verdictText(check: CodeCheck): string {
  switch (check.verdict) {
    case "valid":
    case "wrong":
    case "expired":
    case "locked":
      return check.message;
    case "consumed":
      return `Dieser Code wurde bereits verwendet: er wurde im Portal richtig eingegeben. Der Antrag steht jetzt auf „${STATUS_LABELS[check.antrag_status]}“.`;
    case "superseded": {
      const closed = CLOSED_VERDICT[check.antrag_status];
      if (closed) return closed;
      const hint =
        check.current_prefix && !check.message.includes(check.current_prefix)
          ? ` Der aktuelle Code beginnt mit ${check.current_prefix}.`
          : "";
      return check.message + hint;
    }
  }
}

function detail(details: JsonValue, key: string): string | null {
  if (typeof details !== "object" || details === null || Array.isArray(details)) return null;
  const value = details[key];
  return typeof value === "string" ? value : null;
}

function lastOf(history: readonly AuditEntry[], actions: readonly string[]): AuditEntry | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (entry && actions.includes(entry.action)) return entry;
  }
  return undefined;
}

/**
 * What happened meanwhile, read from the reloaded Antrag, when an action met a conflict:
 * "Der Antrag wurde inzwischen von Erika Beispiel abgelehnt (12.01.2024, 09:00:00)."
 */
export function conflictText(summary: AntragSummary, history: readonly AuditEntry[]): string {
  const now = `Status jetzt: „${summary.status_label}“.`;
  const at = (e: AuditEntry | undefined, fallback: string | null): string => {
    const when = e?.at ?? fallback;
    return when ? ` (${formatDateTime(when)})` : "";
  };
  const who = (e: AuditEntry | undefined): string | null => {
    if (e && e.actor_kind === "clerk") return e.actor;
    return e ? null : summary.decided_by;
  };
  switch (summary.status) {
    case "approved": {
      const e = lastOf(history, ["approved"]);
      if (e && e.actor_kind !== "clerk")
        return `Die Zuordnung wurde inzwischen im Portal mit dem richtigen Code bestätigt${at(e, summary.decided_at)}. ${now}`;
      const by = who(e);
      return `Der Antrag wurde inzwischen${by ? ` von ${by}` : ""} bestätigt${at(e, summary.decided_at)}. ${now}`;
    }
    case "withdrawn": {
      const e = lastOf(history, ["withdrawn"]);
      if (e && detail(e.details, "by") === "requester")
        return `Der Antrag wurde inzwischen von Antragsteller:in im Portal zurückgezogen${at(e, summary.decided_at)}. ${now}`;
      const by = who(e);
      return `Der Antrag wurde inzwischen${by ? ` von ${by}` : ""} zurückgezogen${at(e, summary.decided_at)}. ${now}`;
    }
    case "rejected": {
      const e = lastOf(history, ["rejected"]);
      const by = who(e);
      return `Der Antrag wurde inzwischen${by ? ` von ${by}` : ""} abgelehnt${at(e, summary.decided_at)}. ${now}`;
    }
    case "expired": {
      const e = lastOf(history, ["expired"]);
      return `Der Antrag ist inzwischen abgelaufen${at(e, summary.decided_at)}: der Code wurde nicht rechtzeitig verwendet. ${now}`;
    }
    case "in_review": {
      const e = lastOf(history, ["code_confirmed"]);
      return `Inzwischen wurde im Portal der richtige Bestätigungs-Code eingegeben${at(e, null)}. ${now}`;
    }
    case "awaiting_code": {
      const e = lastOf(history, ["code_resent"]);
      if (e) {
        const by = e.actor_kind === "clerk" ? `${e.actor} hat` : "Antragsteller:in hat";
        return `Inzwischen: ${by} einen neuen Code gesendet${at(e, null)}. ${now}`;
      }
      return `Der Antrag wurde inzwischen geändert. ${now}`;
    }
  }
}
