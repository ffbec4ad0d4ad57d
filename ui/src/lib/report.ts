// The Monatsbericht's table: its columns in the words of the CSV export (generated from
// kammer-core's report::MONTHLY_HEADER), and the figures in German notation.

import { FIGURE_LABELS, HOURS_FIGURES, type Figures, type MonthlyReport } from "./bindings";
import { formatCount } from "./format";

export type FigureKey = keyof Figures;

/** The figures given in hours (one decimal; HOURS_FIGURES, generated); the others are counts. */
const HOURS: ReadonlySet<FigureKey> = new Set<FigureKey>(HOURS_FIGURES);

/** The table's columns: the core's order and headings (FIGURE_LABELS, generated). */
export const FIGURE_COLUMNS: readonly { key: FigureKey; label: string; hours?: true }[] = (
  Object.keys(FIGURE_LABELS) as FigureKey[]
).map((key) => (HOURS.has(key) ? { key, label: FIGURE_LABELS[key], hours: true } : { key, label: FIGURE_LABELS[key] }));

/** „Hauptsitz/Filiale“ of a row over every Betrieb (report/csv.rs ALL_SITES). */
export const ALL_SITES = "alle";

/**
 * The rows „Gesamt“, as the CSV has them: over all Betriebe, then over the Hauptsitze and
 * the Filialen only — how much of the work concerns Filialen.
 */
export function totalRows(report: MonthlyReport): readonly { site: string; figures: Figures }[] {
  return [
    { site: ALL_SITES, figures: report.total },
    { site: "Hauptsitz", figures: report.hauptsitze },
    { site: "Filiale", figures: report.filialen },
  ];
}

const hours = new Intl.NumberFormat("de-DE", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A figure as the table shows it: `1.234`, `12,5` hours, "–" where there is none. */
export function formatFigure(figures: Figures, key: FigureKey): string {
  const value = figures[key];
  if (value === null) return "–";
  return key === "median_hours_to_zuordnung" || key === "p90_hours_to_zuordnung" ? hours.format(value) : formatCount(value);
}
