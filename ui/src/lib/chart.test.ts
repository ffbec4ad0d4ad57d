import { describe, expect, it } from "vitest";

import type { MonthOutcomes } from "./bindings";
import { DEFAULT_SIZE, OUTCOMES, chartGeometry, chartSummary, niceScale } from "./chart";

function month(m: string, received: number, portal: number, clerk = 0, withdrawn = 0, rejected = 0, expired = 0): MonthOutcomes {
  return { month: m, received, approved_by_portal: portal, approved_by_clerk: clerk, withdrawn, rejected, expired };
}

describe("niceScale", () => {
  it("rounds the axis up to whole, round steps", () => {
    expect(niceScale(0)).toEqual({ max: 5, step: 1 });
    expect(niceScale(3)).toEqual({ max: 3, step: 1 });
    expect(niceScale(47)).toEqual({ max: 50, step: 10 });
    expect(niceScale(12)).toEqual({ max: 15, step: 5 });
    expect(niceScale(1234)).toEqual({ max: 1250, step: 250 });
  });
});

describe("chartGeometry", () => {
  const series = [month("2025-12", 40, 20, 5, 2, 1, 2), month("2026-01", 50, 30, 10, 0, 0, 0), month("2026-02", 0, 0)];
  const g = chartGeometry(series);
  const { plot } = g;

  it("gives each month an equal band inside the plot", () => {
    expect(g.columns).toHaveLength(3);
    const band = (plot.right - plot.left) / 3;
    g.columns.forEach((c, i) => {
      expect(c.x).toBeCloseTo(plot.left + i * band + band * 0.15);
      expect(c.width).toBeCloseTo(band * 0.7);
      expect(c.x + c.width).toBeLessThanOrEqual(plot.right);
    });
  });

  it("stacks the outcomes from the axis up, in scale", () => {
    const first = g.columns[0];
    if (!first) throw new Error("no column");
    expect(first.segments.map((s) => s.key)).toEqual(OUTCOMES.map((o) => o.key));
    const bottom = first.segments[0];
    if (!bottom) throw new Error("no segment");
    expect(bottom.y + bottom.height).toBeCloseTo(plot.bottom);
    for (let i = 1; i < first.segments.length; i++) {
      const below = first.segments[i - 1];
      const here = first.segments[i];
      if (!below || !here) throw new Error("segment missing");
      expect(here.y + here.height).toBeCloseTo(below.y);
    }
    // Scale 0..50: 30 outcomes in January = 30/50 of the plot's height.
    const jan = g.columns[1];
    if (!jan) throw new Error("no column");
    const stack = jan.segments.reduce((s, x) => s + x.height, 0);
    expect(stack).toBeCloseTo((40 / 50) * (plot.bottom - plot.top));
    expect(jan.received.y).toBeCloseTo(plot.top);
  });

  it("draws an empty month at the axis", () => {
    const feb = g.columns[2];
    if (!feb) throw new Error("no column");
    expect(feb.segments.every((s) => s.height === 0)).toBe(true);
    expect(feb.received.y).toBeCloseTo(plot.bottom);
  });

  it("labels the axis in German numbers and the months by name, the year where it begins", () => {
    expect(g.ticks.map((t) => t.label)).toEqual(["0", "10", "20", "30", "40", "50"]);
    expect(g.ticks[0]?.y).toBeCloseTo(plot.bottom);
    expect(g.columns.map((c) => [c.name, c.year])).toEqual([
      ["Dez", "2025"],
      ["Jan", "2026"],
      ["Feb", null],
    ]);
  });

  it("draws the received line through the bars' centres", () => {
    expect(g.receivedPath.startsWith("M")).toBe(true);
    expect(g.receivedPath.split("L")).toHaveLength(3);
  });

  it("copes with no months at all", () => {
    const empty = chartGeometry([]);
    expect(empty.columns).toEqual([]);
    expect(empty.receivedPath).toBe("");
    expect(empty.width).toBe(DEFAULT_SIZE.width);
  });
});

describe("chartSummary", () => {
  it("says the period and the sums in German", () => {
    expect(chartSummary([month("2025-12", 1000, 700, 200, 50, 20, 30), month("2026-01", 500, 300)])).toBe(
      "Anträge nach Ergebnis, Dezember 2025 bis Januar 2026: 1.500 eingegangen, 1.200 bestätigt " +
        "(1.000 durch Code im Portal, 200 durch Sachbearbeitung), 50 zurückgezogen, 20 abgelehnt, 30 abgelaufen. " +
        "Im letzten Monat 500 eingegangen.",
    );
  });

  it("says when there is nothing", () => {
    expect(chartSummary([])).toBe("Keine Zahlen für die letzten Monate.");
  });
});
