// The audit log's entries in the desk's German, for the Antrag's timeline and the Protokoll.
// The action names and their labels are kammer-core's `AuditAction` (generated into
// bindings.ts, the only list; the database admits no other action).

import { AUDIT_ACTION_LABELS, STATUS_LABELS, VERDICT_LABELS } from "./bindings";
import type { AuditAction, AuditEntry, JsonValue } from "./bindings";

/** Every known action, in the core's order: the options of a filter. */
export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as readonly AuditAction[];

const LABELS: Readonly<Record<string, string>> = AUDIT_ACTION_LABELS;
const VERDICTS: Readonly<Record<string, string>> = VERDICT_LABELS;
const FROM: Readonly<Record<string, string>> = STATUS_LABELS;

/** `approved` → "Zuordnung bestätigt"; an action of a newer release as it is. */
export function auditActionLabel(action: string): string {
  return LABELS[action] ?? action;
}



function text(details: JsonValue, key: string): string | null {
  if (typeof details !== "object" || details === null || Array.isArray(details)) return null;
  const value = details[key];
  if (typeof value === "string" && value.trim() !== "") return value;
  if (typeof value === "number") return String(value);
  return null;
}

function flag(details: JsonValue, key: string): boolean {
  if (typeof details !== "object" || details === null || Array.isArray(details)) return false;
  return details[key] === true;
}

/** „Gelöscht am 04.12.2026“ from a `geloescht_am` calendar day. */
function geloeschtText(details: JsonValue): string {
  const day = text(details, "geloescht_am");
  const german = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null;
  return german ? `Gelöscht am ${german[3]}.${german[2]}.${german[1]}` : "Betrieb in der Handwerksrolle gelöscht";
}

function pushImport(lines: string[], details: JsonValue): void {
  const id = text(details, "import_id");
  if (id) lines.push(`Import Nr. ${id}`);
}

/**
 * The details worth a line under the action: reason, verdict, recipient, server reply …
 * Never the code itself (the log holds none); an empty list when there is nothing to say.
 */
export function auditDetailLines(entry: Pick<AuditEntry, "action" | "details">): string[] {
  const { action, details } = entry;
  const lines: string[] = [];
  const reason = text(details, "reason");
  switch (action) {
    case "requested": {
      const prefix = text(details, "prefix");
      const sentTo = text(details, "sent_to");
      if (sentTo) lines.push(`Code an ${sentTo}${prefix ? ` (beginnt mit ${prefix})` : ""}`);
      break;
    }
    case "code_resent": {
      const prefix = text(details, "prefix");
      const sentTo = text(details, "sent_to");
      if (sentTo) lines.push(`Neuer Code an ${sentTo}${prefix ? ` (beginnt mit ${prefix})` : ""}`);
      if (reason) lines.push(`Begründung: ${reason}`);
      break;
    }
    case "code_checked": {
      const verdict = text(details, "verdict");
      if (verdict) lines.push(`Ergebnis: ${VERDICTS[verdict] ?? verdict}`);
      break;
    }
    case "code_wrong": {
      const attempts = text(details, "attempts");
      if (attempts) lines.push(`Fehlversuche: ${attempts}`);
      break;
    }
    case "code_mail_sent":
    case "code_mail_failed": {
      const recipient = text(details, "recipient");
      const reply = text(details, "reply");
      if (recipient) lines.push(`An ${recipient}`);
      if (reply) lines.push(`Antwort des Mailservers: ${reply}`);
      break;
    }
    case "approved": {
      if (flag(details, "without_code")) lines.push("Ohne Bestätigungs-Code");
      if (reason) lines.push(`Begründung: ${reason}`);
      break;
    }
    case "withdrawn": {
      const by = text(details, "by");
      if (by === "requester") lines.push("Von Antragsteller:in im Portal");
      const from = text(details, "from");
      if (from && FROM[from]) lines.push(`Vorher: ${FROM[from]}`);
      if (reason) lines.push(`Begründung: ${reason}`);
      break;
    }
    case "expired": {
      if (reason === "code_not_used_in_time") lines.push("Code nicht rechtzeitig verwendet");
      else if (reason === "betrieb_geloescht") lines.push(geloeschtText(details));
      else if (reason) lines.push(`Begründung: ${reason}`);
      break;
    }
    case "betrieb_email_changed": {
      const from = text(details, "from");
      const to = text(details, "to");
      lines.push(`${from ?? "(leer)"} → ${to ?? "(leer)"}`);
      pushImport(lines, details);
      break;
    }
    case "betrieb_geloescht": {
      lines.push(geloeschtText(details));
      const active = text(details, "active_zuordnungen");
      if (active && active !== "0") {
        lines.push(`${active === "1" ? "1 aktive Zuordnung" : `${active} aktive Zuordnungen`} zu prüfen`);
      }
      pushImport(lines, details);
      break;
    }
    case "code_retired": {
      const sentTo = text(details, "sent_to");
      const newEmail = text(details, "new_email");
      if (reason === "address_changed") {
        lines.push(
          `E-Mail-Adresse in der Handwerksrolle geändert${sentTo ? `: Code war an ${sentTo}` : ""}${newEmail ? `, neue Adresse ${newEmail}` : ""}`,
        );
      } else if (reason) {
        lines.push(`Begründung: ${reason}`);
      }
      pushImport(lines, details);
      break;
    }
    case "handwerksrolle_imported": {
      const file = text(details, "file_name");
      const mode = text(details, "mode");
      if (file) lines.push(`Datei ${file}${mode === "full" ? " (vollständiger Stand)" : mode === "delta" ? " (Änderungen)" : ""}`);
      const counts = ["created", "changed", "removed", "invalid"].map((k) => text(details, k) ?? "0");
      lines.push(`${counts[0]} neu, ${counts[1]} geändert, ${counts[2]} gelöscht, ${counts[3]} ungültig`);
      const sha = text(details, "file_sha256");
      if (sha) lines.push(`SHA-256 ${sha}`);
      break;
    }
    default:
      if (reason) lines.push(`Begründung: ${reason}`);
  }
  return lines;
}
