import { describe, expect, it } from "vitest";

import { buildAuditQuery, type AuditFilters } from "./protokoll";

const empty: AuditFilters = { clerk: "", action: "", from: "", to: "", antrag: "", betrieb: "" };

describe("buildAuditQuery", () => {
  it("turns blank filters into nulls", () => {
    const result = buildAuditQuery(empty);
    expect(result).toEqual({
      ok: true,
      query: {
        antrag: null,
        betriebsnummer: null,
        clerk: null,
        action: null,
        from: null,
        to: null,
        before_id: null,
        limit: 50,
      },
    });
  });

  it("reads German dates, numbers and keeps leading zeros of a Betriebsnummer", () => {
    const result = buildAuditQuery(
      { clerk: " mmeier ", action: "approved", from: "1.1.2024", to: "31.01.24", antrag: "178", betrieb: "0212115538" },
      900,
      20,
    );
    expect(result.ok && result.query).toEqual({
      antrag: 178,
      betriebsnummer: "0212115538",
      clerk: "mmeier",
      action: "approved",
      from: "2024-01-01",
      to: "2024-01-31",
      before_id: 900,
      limit: 20,
    });
  });

  it("says in German which date cannot be read", () => {
    const result = buildAuditQuery({ ...empty, from: "31.02.2024" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.field).toBe("from");
      expect(result.message).toContain("TT.MM.JJJJ");
    }
  });

  it("refuses a period that ends before it begins", () => {
    const result = buildAuditQuery({ ...empty, from: "02.01.2024", to: "01.01.2024" });
    expect(result.ok).toBe(false);
  });

  it("refuses letters in the Antragsnummer and the Betriebsnummer", () => {
    expect(buildAuditQuery({ ...empty, antrag: "17a" }).ok).toBe(false);
    expect(buildAuditQuery({ ...empty, betrieb: "21x" }).ok).toBe(false);
    expect(buildAuditQuery({ ...empty, antrag: "Nr. 178" }).ok).toBe(true);
  });
});
