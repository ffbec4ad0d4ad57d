import { describe, expect, it } from "vitest";

import { AUDIT_ACTIONS, auditActionLabel, auditDetailLines } from "./audit-actions";

describe("auditActionLabel", () => {
  it("names the state machine's actions in German", () => {
    expect(auditActionLabel("requested")).toBe("Antrag gestellt");
    expect(auditActionLabel("approved")).toBe("Zuordnung bestätigt");
    expect(auditActionLabel("code_resent")).toBe("Code erneut gesendet");
    expect(auditActionLabel("code_mail_failed")).toBe("Code-E-Mail nicht zustellbar");
  });

  it("shows an unknown action as it is", () => {
    expect(auditActionLabel("something_new")).toBe("something_new");
  });

  it("lists every labelled action once", () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    expect(AUDIT_ACTIONS).toContain("zuordnung_revoked");
  });
});

describe("auditDetailLines", () => {
  it("shows the reason of a decision", () => {
    expect(auditDetailLines({ action: "rejected", details: { from: "in_review", reason: "Kein Mitarbeiter" } })).toEqual([
      "Begründung: Kein Mitarbeiter",
    ]);
  });

  it("says when a clerk approved without a code", () => {
    expect(
      auditDetailLines({ action: "approved", details: { from: "awaiting_code", reason: "Telefonisch bestätigt", without_code: true } }),
    ).toEqual(["Ohne Bestätigungs-Code", "Begründung: Telefonisch bestätigt"]);
  });

  it("shows the recipient and prefix of a resent code, and the mail server's reply", () => {
    expect(auditDetailLines({ action: "code_resent", details: { reason: "Anruf", prefix: "479c88", sent_to: "info@test.de" } })).toEqual([
      "Neuer Code an info@test.de (beginnt mit 479c88)",
      "Begründung: Anruf",
    ]);
    expect(auditDetailLines({ action: "code_mail_failed", details: { recipient: "a@b.de", reply: "550 no such user", attempts: 1 } })).toEqual([
      "An a@b.de",
      "Antwort des Mailservers: 550 no such user",
    ]);
  });

  it("translates a check's verdict and the expiry reason", () => {
    expect(auditDetailLines({ action: "code_checked", details: { verdict: "wrong" } })).toEqual(["Ergebnis: falsch"]);
    expect(auditDetailLines({ action: "expired", details: { reason: "code_not_used_in_time" } })).toEqual([
      "Code nicht rechtzeitig verwendet",
    ]);
  });

  it("copes with details that are not an object", () => {
    expect(auditDetailLines({ action: "approved", details: null })).toEqual([]);
  });
});
