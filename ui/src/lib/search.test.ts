import { describe, expect, it } from "vitest";

import { antragFirst, hitToOpen, moveSelection, normaliseQuery, planSearch, SequenceGuard } from "./search";

describe("SequenceGuard", () => {
  it("keeps only the newest answer", () => {
    const guard = new SequenceGuard();
    const first = guard.next();
    const second = guard.next();
    expect(guard.isCurrent(first)).toBe(false);
    expect(guard.isCurrent(second)).toBe(true);
  });

  it("discards a slow first answer arriving after a fast second one", async () => {
    const guard = new SequenceGuard();
    const shown: string[] = [];
    const ask = async (query: string, ms: number): Promise<void> => {
      const ticket = guard.next();
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (guard.isCurrent(ticket)) shown.push(query);
    };
    await Promise.all([ask("21", 30), ask("2121", 5)]);
    expect(shown).toEqual(["2121"]);
  });

  it("invalidate makes every outstanding request stale", () => {
    const guard = new SequenceGuard();
    const ticket = guard.next();
    guard.invalidate();
    expect(guard.isCurrent(ticket)).toBe(false);
  });
});

describe("moveSelection", () => {
  it("starts at the first hit going down and at the last going up", () => {
    expect(moveSelection(-1, 3, 1)).toBe(0);
    expect(moveSelection(-1, 3, -1)).toBe(2);
  });

  it("moves and wraps around", () => {
    expect(moveSelection(0, 3, 1)).toBe(1);
    expect(moveSelection(2, 3, 1)).toBe(0);
    expect(moveSelection(0, 3, -1)).toBe(2);
  });

  it("has nothing to select in an empty list", () => {
    expect(moveSelection(0, 0, 1)).toBe(-1);
  });

  it("recovers from an index beyond a list that shrank", () => {
    expect(moveSelection(7, 2, 1)).toBe(0);
  });
});

describe("hitToOpen", () => {
  it("opens the active hit, else the best", () => {
    expect(hitToOpen(["a", "b", "c"], 1)).toBe("b");
    expect(hitToOpen(["a", "b", "c"], -1)).toBe("a");
    expect(hitToOpen(["a"], 5)).toBe("a");
    expect(hitToOpen([], 0)).toBeNull();
  });
});

describe("normaliseQuery", () => {
  it("trims and collapses whitespace; blank is null", () => {
    expect(normaliseQuery("  Müller   Bau ")).toBe("Müller Bau");
    expect(normaliseQuery("   ")).toBeNull();
    expect(normaliseQuery("0212")).toBe("0212");
  });
});

describe("planSearch", () => {
  it("goes straight to the Antrag for „Nr. 178“ and „A178“", () => {
    expect(planSearch("Nr. 178")).toEqual({ kind: "antrag", nr: 178 });
    expect(planSearch("Nr.178")).toEqual({ kind: "antrag", nr: 178 });
    expect(planSearch("A178")).toEqual({ kind: "antrag", nr: 178 });
  });

  it("asks for both the Antrag and the Betriebe for bare digits", () => {
    expect(planSearch(" 178 ")).toEqual({ kind: "both", nr: 178, query: "178" });
  });

  it("searches only Betriebe for names and numbers with a leading zero", () => {
    expect(planSearch("Müller  Bau")).toEqual({ kind: "betriebe", query: "Müller Bau" });
    expect(planSearch("0212")).toEqual({ kind: "betriebe", query: "0212" });
    expect(planSearch("  ")).toBeNull();
  });
});

describe("antragFirst", () => {
  it("puts the Antrag first unless a Betrieb has exactly that number", () => {
    expect(antragFirst("178", [{ betriebsnummer: "1780000001" }])).toBe(true);
    expect(antragFirst("178", [])).toBe(true);
    expect(antragFirst("2121155381", [{ betriebsnummer: "2121155381" }])).toBe(false);
  });
});
