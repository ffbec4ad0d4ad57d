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

  it("names the Handwerksrolle's actions in German", () => {
    expect(auditActionLabel("betrieb_email_changed")).toBe("E-Mail-Adresse in der Handwerksrolle geändert");
    expect(auditActionLabel("betrieb_geloescht")).toBe("Betrieb in der Handwerksrolle gelöscht");
    expect(auditActionLabel("code_retired")).toBe("Bestätigungs-Code ungültig gemacht");
    expect(auditActionLabel("handwerksrolle_imported")).toBe("Handwerksrolle importiert");
    for (const action of ["betrieb_email_changed", "betrieb_geloescht", "code_retired", "handwerksrolle_imported"]) {
      expect(AUDIT_ACTIONS).toContain(action);
    }
  });

  it("shows what an import changed", () => {
    expect(
      auditDetailLines({ action: "betrieb_email_changed", details: { from: "alt@test.de", to: "neu@test.de", import_id: 3 } }),
    ).toEqual(["alt@test.de → neu@test.de", "Import Nr. 3"]);
    expect(
      auditDetailLines({ action: "betrieb_geloescht", details: { geloescht_am: "2026-12-04", import_id: 3, active_zuordnungen: 2 } }),
    ).toEqual(["Gelöscht am 04.12.2026", "2 aktive Zuordnungen zu prüfen", "Import Nr. 3"]);
    expect(
      auditDetailLines({
        action: "code_retired",
        details: { reason: "address_changed", sent_to: "alt@test.de", new_email: "neu@test.de", import_id: 3 },
      }),
    ).toEqual(["E-Mail-Adresse in der Handwerksrolle geändert: Code war an alt@test.de, neue Adresse neu@test.de", "Import Nr. 3"]);
    expect(
      auditDetailLines({ action: "expired", details: { reason: "betrieb_geloescht", geloescht_am: "2026-12-04" } }),
    ).toEqual(["Gelöscht am 04.12.2026"]);
    expect(
      auditDetailLines({
        action: "handwerksrolle_imported",
        details: { file_name: "hwr.csv", mode: "delta", created: 1, changed: 2, removed: 0, invalid: 0, file_sha256: "ab12" },
      }),
    ).toEqual(["Datei hwr.csv (Änderungen)", "1 neu, 2 geändert, 0 gelöscht, 0 ungültig", "SHA-256 ab12"]);
  });

  it("copes with details that are not an object", () => {
    expect(auditDetailLines({ action: "approved", details: null })).toEqual([]);
  });
});
