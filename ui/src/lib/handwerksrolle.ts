// The words and rules of the „Handwerksrolle“ screen, free of Svelte so they can be tested:
// the counts of an import, its progress, what a changed field looked like before and after,
// and when „Trotzdem übernehmen“ is the way forward.

import type {
  FieldChange,
  HandwerksrolleChange,
  HandwerksrolleOptions,
  ImportPreview,
  ImportProgress,
  ImportRecord,
  ImportReport,
  Mode,
  Summary,
} from "./bindings";
import { formatCount } from "./format";

export const MODE_LABELS: Readonly<Record<Mode, string>> = {
  full: "Vollständiger Stand",
  delta: "Nur Änderungen",
};

/** `full` → „Vollständiger Stand“; a mode the desk does not know yet as it is. */
export function modeLabel(mode: string): string {
  return MODE_LABELS[mode as Mode] ?? mode;
}

/** One field of a changed line: „E-Mail: alt@x.de → neu@x.de“, an empty value „(leer)“. */
export function fieldChangeText(field: FieldChange): string {
  return `${field.label_de}: ${field.old ?? "(leer)"} → ${field.new ?? "(leer)"}`;
}

/** „Zeile 12“; „–“ for a Betrieb that a full snapshot no longer names (it has no line). */
export function lineText(change: Pick<HandwerksrolleChange, "line">): string {
  return change.line === null ? "–" : `Zeile ${change.line}`;
}

/**
 * What the table shows in its last column: the reason of an invalid line, the fields of a
 * changed one, and for a Betrieb missing from a full snapshot that it is missing.
 */
export function changeDetailLines(change: HandwerksrolleChange): string[] {
  const lines: string[] = [];
  if (change.reason_de !== null) lines.push(change.reason_de);
  if (change.kind === "removed" && change.line === null) lines.push("Nicht mehr in der Datei.");
  for (const field of change.fields) lines.push(fieldChangeText(field));
  return lines;
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The counts in one line: „3 Zeilen: 1 neu · 1 geändert (E-Mail-Adresse: 1) · 0 gelöscht …“. */
export function countsText(summary: Summary): string {
  const removed =
    summary.mode === "full" && summary.removed > 0
      ? ` (${percent(summary.removed_percent)} % der Betriebe, erlaubt ${percent(summary.max_removed_percent)} %)`
      : "";
  return (
    `${plural(summary.rows_in_file, "Zeile", "Zeilen")}: ${formatCount(summary.created)} neu · ` +
    `${formatCount(summary.changed)} geändert (E-Mail-Adresse: ${formatCount(summary.email_changed)}) · ` +
    `${formatCount(summary.removed)} gelöscht${removed} · ${formatCount(summary.unchanged)} unverändert · ` +
    `${formatCount(summary.invalid)} ungültig`
  );
}

const decimal = new Intl.NumberFormat("de-DE", { maximumFractionDigits: 2 });

function percent(n: number): string {
  return decimal.format(n);
}

/** Nothing new, changed, removed or invalid: the file matches the database. */
export function nothingToDo(summary: Summary): boolean {
  return summary.created + summary.changed + summary.removed + summary.invalid === 0;
}

/**
 * „Trotzdem übernehmen“ is offered only when the one thing in the way is a full snapshot that
 * removes more than allowed: invalid lines (unless skipped) are refused first and must be
 * fixed or skipped, never forced.
 */
export function onlyTooManyRemoved(summary: Summary, options: HandwerksrolleOptions): boolean {
  return (
    summary.refusal_de !== null &&
    summary.mode === "full" &&
    summary.removed_percent > summary.max_removed_percent &&
    (summary.invalid === 0 || options.skip_invalid)
  );
}

/** What the dry run means, under the counts. */
export function previewVerdict(preview: ImportPreview): string {
  const s = preview.report.summary;
  if (nothingToDo(s)) {
    return "Keine Änderungen: Die Datei entspricht dem Stand der Handwerksrolle in KammerDesk. Übernehmen protokolliert nur den Import.";
  }
  if (s.refusal_de !== null) return `Die Datei würde so nicht übernommen. ${s.refusal_de}`;
  const skipped = s.invalid > 0 ? ` ${plural(s.invalid, "ungültige Zeile wird", "ungültige Zeilen werden")} übersprungen.` : "";
  return `Probelauf: Noch wurde nichts übernommen. Prüfen Sie die Änderungen und übernehmen Sie die Datei.${skipped}`;
}

/** The success notice after „Übernehmen“. */
export function appliedText(report: ImportReport): string {
  const s = report.summary;
  const nr = s.import_id !== null ? ` (Import Nr. ${s.import_id})` : "";
  if (nothingToDo(s)) {
    return `Handwerksrolle eingelesen${nr}: Keine Änderungen, die Datei entspricht dem Stand in KammerDesk. Der Import ist protokolliert.`;
  }
  const parts = [
    `${formatCount(s.created)} neu`,
    `${formatCount(s.changed)} geändert`,
    `${formatCount(s.removed)} gelöscht`,
  ];
  let text = `Handwerksrolle übernommen${nr}: ${parts.join(", ")}.`;
  const codes = s.codes_retired ?? 0;
  const closed = s.antraege_closed ?? 0;
  if (codes > 0) text += ` ${plural(codes, "Bestätigungs-Code", "Bestätigungs-Codes")} ungültig gemacht (E-Mail-Adresse geändert).`;
  if (closed > 0) text += ` ${plural(closed, "offener Antrag", "offene Anträge")} geschlossen (Betrieb gelöscht).`;
  if (s.invalid > 0) text += ` ${plural(s.invalid, "ungültige Zeile", "ungültige Zeilen")} übersprungen.`;
  return text;
}

/** The counts of a past import for the list. */
export function recordCountsText(r: ImportRecord): string {
  const skipped = r.skipped > 0 ? ` · ${formatCount(r.skipped)} übersprungen` : "";
  return (
    `${formatCount(r.created)} neu · ${formatCount(r.changed)} geändert (E-Mail-Adresse: ${formatCount(r.email_changed)}) · ` +
    `${formatCount(r.removed)} gelöscht · ${formatCount(r.unchanged)} unverändert${skipped}`
  );
}

export interface ProgressView {
  /** 0…1 for a determinate bar; `null` while the database works (the bar runs without end). */
  fraction: number | null;
  text: string;
}

/** The progress bar's state for one `handwerksrolle-progress` event. */
export function progressView(event: ImportProgress): ProgressView {
  const p = event.progress;
  switch (p.phase) {
    case "reading": {
      const expected = event.expected_rows;
      const fraction = expected > 0 ? Math.min(p.rows / expected, 1) : null;
      const of = expected > 0 ? ` von ca. ${formatCount(expected)}` : "";
      return { fraction, text: `${formatCount(p.rows)}${of} Zeilen gelesen …` };
    }
    case "comparing":
      return { fraction: null, text: `${plural(p.rows, "Zeile", "Zeilen")} gelesen; Abgleich mit den Betrieben in KammerDesk …` };
    case "applying":
      return { fraction: null, text: "Die Änderungen werden übernommen …" };
  }
}

/** Before the first event: the file is being read and checked (SHA-256, Zeichensatz, Kopfzeile). */
export const STARTING: ProgressView = { fraction: null, text: "Die Datei wird gelesen und geprüft …" };

/** `/home/x/Export 2026.csv` or `C:\Export\hwr.csv` → the file name the clerk recognises. */
export function fileNameOf(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
