import { describe, expect, it } from "vitest";

import { lastMonths, monthLabel, monthOf, monthShort } from "./months";

describe("months", () => {
  it("takes the month in German time", () => {
    // 31.12.2025, 23:30 UTC is already January 2026 in Berlin.
    expect(monthOf(new Date("2025-12-31T23:30:00Z"))).toBe("2026-01");
    expect(monthOf(new Date("2026-11-28T12:00:00Z"))).toBe("2026-11");
  });

  it("lists the last 24 months, newest first, across years", () => {
    const months = lastMonths(new Date("2026-02-10T12:00:00Z"), 24);
    expect(months).toHaveLength(24);
    expect(months[0]).toBe("2026-02");
    expect(months[1]).toBe("2026-01");
    expect(months[2]).toBe("2025-12");
    expect(months[23]).toBe("2024-03");
  });

  it("names months in German", () => {
    expect(monthLabel("2026-03")).toBe("März 2026");
    expect(monthShort("2025-12")).toEqual({ name: "Dez", year: "2025" });
  });
});
