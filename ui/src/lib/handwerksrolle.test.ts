import { describe, expect, it } from "vitest";

import type { HandwerksrolleChange, ImportPreview, ImportReport, Summary } from "./bindings";
import {
  appliedText,
  changeDetailLines,
  countsText,
  fileNameOf,
  lineText,
  modeLabel,
  onlyTooManyRemoved,
  previewVerdict,
  progressView,
  recordCountsText,
} from "./handwerksrolle";

function summary(over: Partial<Summary> = {}): Summary {
  return {
    mode: "delta",
    rows_in_file: 3,
    created: 1,
    changed: 2,
    email_changed: 1,
    removed: 0,
    unchanged: 0,
    invalid: 0,
    active_before: 1000,
    removed_percent: 0,
    max_removed_percent: 5,
    refusal_de: null,
    import_id: null,
    codes_retired: null,
    antraege_closed: null,
    ...over,
  };
}

function report(s: Summary, applied = false): ImportReport {
  return {
    file: { file_name: "hwr.csv", sha256: "ab".repeat(32), encoding: "UTF-8", separator: ";" },
    summary: s,
    applied,
  };
}

function preview(s: Summary): ImportPreview {
  return { report: report(s), changes: [], changes_truncated: 0, mapping: null };
}

const emailChange: HandwerksrolleChange = {
  kind: "changed",
  kind_label: "geändert",
  line: 2,
  betriebsnummer: "2121155381",
  firmenname: "Testbetrieb",
  fields: [{ field: "email", label_de: "E-Mail", old: "alt@test.de", new: "neu@test.de" }],
  reason_de: null,
};

describe("the diff table", () => {
  it("shows old → new per field, and an empty value as (leer)", () => {
    expect(changeDetailLines(emailChange)).toEqual(["E-Mail: alt@test.de → neu@test.de"]);
    expect(
      changeDetailLines({
        ...emailChange,
        fields: [{ field: "hauptsitz", label_de: "Hauptsitz", old: "1000", new: null }],
      }),
    ).toEqual(["Hauptsitz: 1000 → (leer)"]);
  });

  it("gives the reason of an invalid line", () => {
    const invalid = { ...emailChange, kind: "invalid" as const, fields: [], reason_de: "Der Firmenname fehlt." };
    expect(changeDetailLines(invalid)).toEqual(["Der Firmenname fehlt."]);
  });

  it("says when a full snapshot no longer names a Betrieb", () => {
    const gone = { ...emailChange, kind: "removed" as const, line: null, fields: [] };
    expect(lineText(gone)).toBe("–");
    expect(changeDetailLines(gone)).toEqual(["Nicht mehr in der Datei."]);
    expect(lineText(emailChange)).toBe("Zeile 2");
  });
});

describe("counts and verdicts", () => {
  it("counts in German, with the share removed for a full snapshot", () => {
    expect(countsText(summary())).toBe(
      "3 Zeilen: 1 neu · 2 geändert (E-Mail-Adresse: 1) · 0 gelöscht · 0 unverändert · 0 ungültig",
    );
    expect(countsText(summary({ mode: "full", rows_in_file: 12000, removed: 80, removed_percent: 6.25 }))).toContain(
      "12.000 Zeilen",
    );
    expect(countsText(summary({ mode: "full", removed: 80, removed_percent: 6.25 }))).toContain(
      "80 gelöscht (6,25 % der Betriebe, erlaubt 5 %)",
    );
  });

  it("offers „Trotzdem übernehmen“ only when too many removals are the one refusal", () => {
    const tooMany = summary({ mode: "full", removed: 80, removed_percent: 8, refusal_de: "zu viele" });
    expect(onlyTooManyRemoved(tooMany, { mode: "full", skip_invalid: false, force: false })).toBe(true);
    const withInvalid = { ...tooMany, invalid: 2 };
    expect(onlyTooManyRemoved(withInvalid, { mode: "full", skip_invalid: false, force: false })).toBe(false);
    expect(onlyTooManyRemoved(withInvalid, { mode: "full", skip_invalid: true, force: false })).toBe(true);
    expect(onlyTooManyRemoved(summary({ refusal_de: "ungültig", invalid: 1 }), { mode: "delta", skip_invalid: false, force: false })).toBe(
      false,
    );
    expect(onlyTooManyRemoved(summary(), { mode: "delta", skip_invalid: false, force: false })).toBe(false);
  });

  it("says what the dry run means", () => {
    expect(previewVerdict(preview(summary()))).toMatch(/^Probelauf: Noch wurde nichts übernommen/);
    expect(previewVerdict(preview(summary({ refusal_de: "Die Datei wurde nicht übernommen: 1 Zeile ist ungültig." })))).toBe(
      "Die Datei würde so nicht übernommen. Die Datei wurde nicht übernommen: 1 Zeile ist ungültig.",
    );
    expect(previewVerdict(preview(summary({ created: 0, changed: 0, email_changed: 0, unchanged: 3 })))).toMatch(
      /^Keine Änderungen/,
    );
    expect(previewVerdict(preview(summary({ invalid: 2 })))).toContain("2 ungültige Zeilen werden übersprungen.");
  });

  it("confirms an applied import with what it set off", () => {
    const applied = summary({ import_id: 7, codes_retired: 1, antraege_closed: 0 });
    expect(appliedText(report(applied, true))).toBe(
      "Handwerksrolle übernommen (Import Nr. 7): 1 neu, 2 geändert, 0 gelöscht. 1 Bestätigungs-Code ungültig gemacht (E-Mail-Adresse geändert).",
    );
    const same = summary({ created: 0, changed: 0, email_changed: 0, unchanged: 3, import_id: 8 });
    expect(appliedText(report(same, true))).toMatch(/^Handwerksrolle eingelesen \(Import Nr\. 8\): Keine Änderungen/);
    const closing = summary({ import_id: 9, removed: 2, antraege_closed: 3, invalid: 1 });
    expect(appliedText(report(closing, true))).toContain("3 offene Anträge geschlossen (Betrieb gelöscht). 1 ungültige Zeile übersprungen.");
  });

  it("names modes and past imports", () => {
    expect(modeLabel("full")).toBe("Vollständiger Stand");
    expect(modeLabel("delta")).toBe("Nur Änderungen");
    expect(modeLabel("neu")).toBe("neu");
    const record = {
      id: 1,
      at: "2026-12-04T10:00:00Z",
      by: "Administration",
      file_name: "hwr.csv",
      file_sha256: "ab",
      mode: "delta",
      rows_in_file: 3,
      created: 1,
      changed: 1,
      email_changed: 1,
      removed: 0,
      unchanged: 1,
      skipped: 0,
      codes_retired: 1,
      antraege_closed: 0,
    };
    expect(recordCountsText(record)).toBe("1 neu · 1 geändert (E-Mail-Adresse: 1) · 0 gelöscht · 1 unverändert");
    expect(recordCountsText({ ...record, skipped: 2 })).toContain("· 2 übersprungen");
  });
});

describe("progress", () => {
  it("fills the bar while reading, and runs without end while the database works", () => {
    expect(progressView({ progress: { phase: "reading", rows: 2500 }, expected_rows: 10000 })).toEqual({
      fraction: 0.25,
      text: "2.500 von ca. 10.000 Zeilen gelesen …",
    });
    // A field with a line break makes more lines than records: never past full.
    expect(progressView({ progress: { phase: "reading", rows: 11 }, expected_rows: 10 }).fraction).toBe(1);
    expect(progressView({ progress: { phase: "reading", rows: 5 }, expected_rows: 0 }).fraction).toBeNull();
    expect(progressView({ progress: { phase: "comparing", rows: 1 }, expected_rows: 1 })).toEqual({
      fraction: null,
      text: "1 Zeile gelesen; Abgleich mit den Betrieben in KammerDesk …",
    });
    expect(progressView({ progress: { phase: "applying" }, expected_rows: 1 }).text).toBe(
      "Die Änderungen werden übernommen …",
    );
  });
});

describe("fileNameOf", () => {
  it("takes the last part of a Linux or Windows path", () => {
    expect(fileNameOf("/home/sb/Export 2026.csv")).toBe("Export 2026.csv");
    expect(fileNameOf("C:\\Export\\hwr.csv")).toBe("hwr.csv");
    expect(fileNameOf("hwr.csv")).toBe("hwr.csv");
  });
});
