// The Monatsbericht's table: its columns in the words of the CSV export
// (kammer-core report/csv.rs MONTHLY_HEADER), and the figures in German notation.

import type { Figures, MonthlyReport } from "./bindings";
import { formatCount } from "./format";

export type FigureKey = keyof Figures;

export const FIGURE_COLUMNS: readonly { key: FigureKey; label: string; hours?: true }[] = [
  { key: "received", label: "Anträge eingegangen" },
  { key: "codes_confirmed", label: "Codes bestätigt" },
  { key: "approved_by_portal", label: "bestätigt durch Code (Portal)" },
  { key: "approved_by_clerk", label: "bestätigt durch Sachbearbeitung" },
  { key: "withdrawn", label: "zurückgezogen" },
  { key: "rejected", label: "abgelehnt" },
  { key: "expired", label: "abgelaufen" },
  { key: "open_at_month_end", label: "offen am Monatsende" },
  { key: "codes_sent", label: "Codes gesendet" },
  { key: "codes_resent", label: "davon erneut gesendet" },
  { key: "mails_failed", label: "Mails gescheitert" },
  { key: "zuordnungen", label: "Zuordnungen angelegt" },
  { key: "median_hours_to_zuordnung", label: "Median Antrag bis Zuordnung (Stunden)", hours: true },
  { key: "p90_hours_to_zuordnung", label: "90. Perzentil Antrag bis Zuordnung (Stunden)", hours: true },
  { key: "betriebe_newly_linked", label: "Betriebe neu zugeordnet" },
];

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
