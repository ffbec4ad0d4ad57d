import { describe, expect, it } from "vitest";

import { antraegeWord, exportNotice } from "./exports";

describe("exportNotice", () => {
  it("says how many rows went where", () => {
    expect(exportNotice({ outcome: "written", path: "/home/x/antraege.csv", rows: 1234 }, antraegeWord)).toEqual({
      kind: "success",
      message: "1.234 Anträge exportiert nach /home/x/antraege.csv",
    });
    expect(exportNotice({ outcome: "written", path: "/a.csv", rows: 1 }, antraegeWord)?.message).toBe(
      "1 Antrag exportiert nach /a.csv",
    );
  });

  it("says after how many rows it was cancelled", () => {
    expect(exportNotice({ outcome: "cancelled", rows: 5000 }, antraegeWord)?.message).toMatch(
      /^Export abgebrochen nach 5\.000 Zeilen/,
    );
  });

  it("says nothing when the save dialog was closed", () => {
    expect(exportNotice({ outcome: "dismissed" }, antraegeWord)).toBeNull();
  });
});
