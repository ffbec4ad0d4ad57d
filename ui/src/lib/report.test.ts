import { describe, expect, it } from "vitest";

import type { Figures, MonthlyReport } from "./bindings";
import { FIGURE_COLUMNS, formatFigure, totalRows } from "./report";

const figures: Figures = {
  received: 1234,
  codes_confirmed: 1,
  approved_by_portal: 2,
  approved_by_clerk: 3,
  withdrawn: 4,
  rejected: 5,
  expired: 6,
  open_at_month_end: 7,
  codes_sent: 8,
  codes_resent: 9,
  mails_failed: 10,
  zuordnungen: 11,
  median_hours_to_zuordnung: 12.25,
  p90_hours_to_zuordnung: null,
  betriebe_newly_linked: 13,
};

describe("report table", () => {
  it("has a column for every figure", () => {
    expect(FIGURE_COLUMNS.map((c) => c.key).sort()).toEqual(Object.keys(figures).sort());
  });

  it("writes German numbers, hours with one decimal, and a dash for none", () => {
    expect(formatFigure(figures, "received")).toBe("1.234");
    expect(formatFigure(figures, "median_hours_to_zuordnung")).toBe("12,3");
    expect(formatFigure(figures, "p90_hours_to_zuordnung")).toBe("–");
  });
});

describe("total rows", () => {
  it("are all Betriebe, then Hauptsitze and Filialen, in the CSV's words", () => {
    const report: MonthlyReport = {
      month: "2026-11",
      total: figures,
      hauptsitze: { ...figures, received: 1000 },
      filialen: { ...figures, received: 234 },
      by_gewerk: [],
      series: [],
    };
    expect(totalRows(report).map((r) => [r.site, r.figures.received])).toEqual([
      ["alle", 1234],
      ["Hauptsitz", 1000],
      ["Filiale", 234],
    ]);
  });
});
