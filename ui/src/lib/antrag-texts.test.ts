import { describe, expect, it } from "vitest";

import type { AntragSummary, AuditEntry, CodeCheck, CodeInfo, Delivery } from "./bindings";
import { codeStateText, conflictText, deliveryText, newestFirst, verdictText } from "./antrag-texts";
import { antragSummary } from "./test-support";

function code(id: number, issued_at: string, over: Partial<CodeInfo> = {}): CodeInfo {
  return {
    id,
    prefix: "479c88",
    sent_to: "info@testbetrieb.de",
    issued_at,
    expires_at: "2024-01-26T06:23:17Z",
    consumed_at: null,
    superseded_at: null,
    wrong_attempts: 0,
    state: "valid",
    state_label: "gültig",
    issued_by: null,
    issue_reason: null,
    retire_reason: null,
    delivery: null,
    ...over,
  };
}

const first = code(1, "2024-01-12T06:23:17Z", { state: "superseded", superseded_at: "2024-01-13T08:00:00Z" });
const second = code(2, "2024-01-13T08:00:00Z");

describe("newestFirst", () => {
  it("orders by issue time, newest first", () => {
    expect(newestFirst([first, second]).map((c) => c.id)).toEqual([2, 1]);
  });
});

describe("codeStateText", () => {
  it("says until when a valid code holds", () => {
    expect(codeStateText(second, [first, second], "awaiting_code")).toBe("gültig bis 26.01.2024, 07:23:17");
  });

  it("calls a code replaced only when a newer one exists", () => {
    expect(codeStateText(first, [first, second], "awaiting_code")).toBe(
      "ersetzt durch einen neueren Code (13.01.2024, 09:00:00)",
    );
  });

  it("names the decision that retired the last code", () => {
    const retired = code(2, "2024-01-13T08:00:00Z", { state: "retired", superseded_at: "2024-01-14T08:00:00Z" });
    expect(codeStateText(retired, [first, retired], "approved")).toBe(
      "nicht mehr nötig: Zuordnung bestätigt (14.01.2024, 09:00:00)",
    );
    expect(codeStateText(retired, [retired], "rejected")).toMatch(/^ungültig: Antrag abgelehnt/);
    expect(codeStateText(retired, [retired], "withdrawn")).toMatch(/^ungültig: Antrag zurückgezogen/);
    // An older core marked it superseded: still not "replaced" without a newer code.
    const old = { ...retired, state: "superseded" as const };
    expect(codeStateText(old, [old], "approved")).toMatch(/^nicht mehr nötig: Zuordnung bestätigt/);
  });

  it("says when the Handwerksrolle's new address made a code invalid", () => {
    const moved = code(2, "2024-01-13T08:00:00Z", {
      state: "superseded",
      superseded_at: "2026-12-04T09:00:00Z",
      retire_reason: "address_changed",
    });
    expect(codeStateText(moved, [first, moved], "awaiting_code")).toBe(
      "ungültig, weil sich die E-Mail-Adresse in der Handwerksrolle geändert hat (04.12.2026, 10:00:00)",
    );
  });

  it("words consumed, locked and expired codes", () => {
    expect(codeStateText(code(3, "2024-01-12T06:23:17Z", { state: "consumed", consumed_at: "2024-01-12T07:00:00Z" }), [], "in_review")).toBe(
      "verwendet: im Portal richtig eingegeben am 12.01.2024, 08:00:00",
    );
    expect(codeStateText(code(3, "2024-01-12T06:23:17Z", { state: "locked", wrong_attempts: 5 }), [], "awaiting_code")).toMatch(
      /^gesperrt nach 5 Fehlversuchen/,
    );
    expect(codeStateText(code(3, "2024-01-12T06:23:17Z", { state: "expired" }), [], "expired")).toBe(
      "abgelaufen am 26.01.2024, 07:23:17",
    );
  });
});

describe("deliveryText", () => {
  const base: Delivery = {
    outbox_id: 7,
    status: "sent",
    cancel_reason: null,
    label_de: "versendet am 12.01.2024, 07:23 Uhr",
    attempts: 1,
    last_error: null,
    smtp_reply: "250 2.0.0 Ok: queued as ABC",
    sent_at: "2024-01-12T06:23:20Z",
    next_attempt_at: "2024-01-12T06:23:17Z",
  };

  it("shows the server's reply to a sent mail", () => {
    expect(deliveryText(base, second, [second], "awaiting_code")).toEqual({
      status: "sent",
      label: "versendet am 12.01.2024, 07:23 Uhr",
      detail: "Antwort des Mailservers: 250 2.0.0 Ok: queued as ABC",
    });
  });

  it("shows why a mail failed", () => {
    const failed = { ...base, status: "failed", attempts: 1, smtp_reply: null, last_error: "550 5.1.1 User unknown" };
    expect(deliveryText(failed, second, [second], "awaiting_code")).toEqual({
      status: "failed",
      label: "Versand fehlgeschlagen nach 1 Versuch",
      detail: "550 5.1.1 User unknown",
    });
  });

  it("says why a mail was not sent", () => {
    const cancelled = { ...base, status: "cancelled" };
    expect(deliveryText(cancelled, first, [first, second], "awaiting_code").label).toBe("nicht versendet (Code vorher ersetzt)");
    expect(deliveryText(cancelled, second, [first, second], "approved").label).toBe("nicht versendet (Zuordnung vorher bestätigt)");
    const moved = { ...cancelled, cancel_reason: "address_changed" };
    expect(deliveryText(moved, second, [first, second], "awaiting_code").label).toBe(
      "nicht versendet (E-Mail-Adresse in der Handwerksrolle geändert)",
    );
  });

  it("says when there is no mail", () => {
    expect(deliveryText(null, second, [second], "awaiting_code").status).toBe("none");
  });
});

describe("verdictText", () => {
  const check = (over: Partial<CodeCheck>): CodeCheck => ({
    verdict: "valid",
    message: "Der Code ist der aktuelle Code von Antrag Nr. 178 und gültig bis 26.01.2024, 07:23:17.",
    current_prefix: "479c88",
    antrag_status: "awaiting_code",
    ...over,
  });

  it("reads out the core's sentence where it fits", () => {
    expect(verdictText(check({}))).toMatch(/^Der Code ist der aktuelle Code/);
    expect(verdictText(check({ verdict: "wrong", message: "Dieser Code gehört nicht zu Antrag Nr. 178. Der gültige Code beginnt mit 479c88." }))).toBe(
      "Dieser Code gehört nicht zu Antrag Nr. 178. Der gültige Code beginnt mit 479c88.",
    );
  });

  it("adds the live code's prefix to a replaced code", () => {
    expect(verdictText(check({ verdict: "superseded", message: "Dieser Code wurde durch einen neueren ersetzt." }))).toBe(
      "Dieser Code wurde durch einen neueren ersetzt. Der aktuelle Code beginnt mit 479c88.",
    );
  });

  it("does not call a code retired by a decision replaced", () => {
    expect(verdictText(check({ verdict: "superseded", message: "ersetzt", current_prefix: null, antrag_status: "approved" }))).toBe(
      "Dieser Code wird nicht mehr gebraucht: die Zuordnung ist bereits bestätigt.",
    );
  });

  it("says where a used code went", () => {
    expect(verdictText(check({ verdict: "consumed", antrag_status: "in_review" }))).toMatch(/„In Bearbeitung“/);
  });
});

describe("conflictText", () => {
  const summary = (over: Partial<AntragSummary>): AntragSummary =>
    antragSummary(178, {
      status: "approved",
      status_label: "Zuordnung bestätigt",
      decided_at: "2024-01-12T08:00:00Z",
      decided_by: "Erika Beispiel",
      ...over,
    });
  const event = (action: string, actor_kind: string, actor: string, details: AuditEntry["details"] = {}): AuditEntry => ({
    id: 9,
    at: "2024-01-12T08:00:00Z",
    actor_kind,
    actor,
    login: "sb.mueller",
    action,
    antrag_nr: 178,
    betrieb_id: 1,
    details,
  });

  it("names the clerk who approved first", () => {
    expect(conflictText(summary({}), [event("requested", "account", "Max Muster"), event("approved", "clerk", "Erika Beispiel")])).toBe(
      "Der Antrag wurde inzwischen von Erika Beispiel bestätigt (12.01.2024, 09:00:00). Status jetzt: „Zuordnung bestätigt“.",
    );
  });

  it("tells an approval by the portal from one by a clerk", () => {
    expect(conflictText(summary({ decided_by: null }), [event("approved", "system", "System")])).toMatch(
      /^Die Zuordnung wurde inzwischen im Portal mit dem richtigen Code bestätigt/,
    );
  });

  it("says who withdrew or rejected", () => {
    expect(
      conflictText(summary({ status: "withdrawn", status_label: "Zurückgezogen" }), [event("withdrawn", "account", "Max Muster", { by: "requester" })]),
    ).toMatch(/^Der Antrag wurde inzwischen von Antragsteller:in im Portal zurückgezogen/);
    expect(conflictText(summary({ status: "rejected", status_label: "Abgelehnt" }), [event("rejected", "clerk", "Otto Prüfer")])).toMatch(
      /^Der Antrag wurde inzwischen von Otto Prüfer abgelehnt/,
    );
  });

  it("falls back to the summary's decider without a matching event", () => {
    expect(conflictText(summary({}), [])).toMatch(/^Der Antrag wurde inzwischen von Erika Beispiel bestätigt/);
  });
});
