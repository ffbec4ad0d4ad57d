// The Monatsbericht's chart, computed here and only drawn by the component: per month a
// stacked bar of the outcomes, and a line of the Anträge received. All in SVG user units.

import { FIGURE_LABELS, type MonthOutcomes } from "./bindings";
import { formatCount } from "./format";
import { monthLabel, monthShort } from "./months";

export type Outcome = "approved_by_portal" | "approved_by_clerk" | "withdrawn" | "rejected" | "expired";

/** Bottom to top; the headings are the CSV's (FIGURE_LABELS, generated). */
export const OUTCOMES: readonly { key: Outcome; label: string }[] = (
  ["approved_by_portal", "approved_by_clerk", "withdrawn", "rejected", "expired"] as const
).map((key) => ({ key, label: FIGURE_LABELS[key] }));

export const RECEIVED_LABEL = FIGURE_LABELS.received;

export interface Segment {
  key: Outcome;
  value: number;
  y: number;
  height: number;
}

export interface MonthColumn {
  month: string;
  /** Under the bar: the short month name, and the year under January and the first month. */
  name: string;
  year: string | null;
  x: number;
  width: number;
  center: number;
  segments: Segment[];
  received: { value: number; y: number };
  /** Tooltip: the month's numbers in words. */
  title: string;
}

export interface Tick {
  value: number;
  y: number;
  label: string;
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  ticks: Tick[];
  columns: MonthColumn[];
  /** The received line through the bars' centres (`M x y L x y …`), empty without months. */
  receivedPath: string;
}

export interface ChartSize {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const DEFAULT_SIZE: ChartSize = { width: 760, height: 320, left: 56, right: 16, top: 16, bottom: 48 };

/** A round axis maximum ≥ `max` (1, 2, 2.5 or 5 × 10ⁿ per step) and its step, for about `count` steps. */
export function niceScale(max: number, count = 5): { max: number; step: number } {
  if (!(max > 0)) return { max: count, step: 1 };
  const rough = max / count;
  let step = 1;
  if (rough > 1) {
    const power = 10 ** Math.floor(Math.log10(rough));
    step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= rough && Number.isInteger(s)) ?? 10 * power;
  }
  return { max: Math.ceil(max / step) * step, step };
}

function total(m: MonthOutcomes): number {
  return OUTCOMES.reduce((sum, o) => sum + m[o.key], 0);
}

export function chartGeometry(series: readonly MonthOutcomes[], size: ChartSize = DEFAULT_SIZE): ChartGeometry {
  const plot = { left: size.left, top: size.top, right: size.width - size.right, bottom: size.height - size.bottom };
  const plotHeight = plot.bottom - plot.top;
  const highest = Math.max(0, ...series.map((m) => Math.max(total(m), m.received)));
  const scale = niceScale(highest);
  const y = (v: number): number => plot.bottom - (v / scale.max) * plotHeight;

  const ticks: Tick[] = [];
  for (let v = 0; v <= scale.max; v += scale.step) ticks.push({ value: v, y: y(v), label: formatCount(v) });

  const band = series.length === 0 ? 0 : (plot.right - plot.left) / series.length;
  const columns = series.map((m, i): MonthColumn => {
    const x = plot.left + i * band + band * 0.15;
    const width = band * 0.7;
    let base = 0;
    const segments = OUTCOMES.map(({ key }): Segment => {
      const value = m[key];
      const top = y(base + value);
      const segment = { key, value, y: top, height: y(base) - top };
      base += value;
      return segment;
    });
    const short = monthShort(m.month);
    const title = [
      `${monthLabel(m.month)}: ${formatCount(m.received)} eingegangen`,
      ...OUTCOMES.map((o) => `${formatCount(m[o.key])} ${o.label}`),
    ].join(", ");
    return {
      month: m.month,
      name: short.name,
      year: i === 0 || m.month.endsWith("-01") ? short.year : null,
      x,
      width,
      center: x + width / 2,
      segments,
      received: { value: m.received, y: y(m.received) },
      title,
    };
  });

  const receivedPath = columns
    .map((c, i) => `${i === 0 ? "M" : "L"}${round(c.center)} ${round(c.received.y)}`)
    .join(" ");

  return { width: size.width, height: size.height, plot, ticks, columns, receivedPath };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** The chart in a sentence, for `aria-label`. */
export function chartSummary(series: readonly MonthOutcomes[]): string {
  const first = series[0];
  const last = series[series.length - 1];
  if (!first || !last) return "Keine Zahlen für die letzten Monate.";
  const sum = (key: keyof Omit<MonthOutcomes, "month">): number => series.reduce((s, m) => s + m[key], 0);
  const portal = sum("approved_by_portal");
  const clerk = sum("approved_by_clerk");
  return (
    `Anträge nach Ergebnis, ${monthLabel(first.month)} bis ${monthLabel(last.month)}: ` +
    `${formatCount(sum("received"))} eingegangen, ${formatCount(portal + clerk)} bestätigt ` +
    `(${formatCount(portal)} durch Code im Portal, ${formatCount(clerk)} durch Sachbearbeitung), ` +
    `${formatCount(sum("withdrawn"))} zurückgezogen, ${formatCount(sum("rejected"))} abgelehnt, ` +
    `${formatCount(sum("expired"))} abgelaufen. Im letzten Monat ${formatCount(last.received)} eingegangen.`
  );
}
