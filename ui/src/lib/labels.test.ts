import { describe, expect, it } from "vitest";

import {
  AUDIT_ACTION_LABELS,
  FIGURE_LABELS,
  ROLE_LABELS,
  SORT_ORDER_LABELS,
  STATUS_LABELS,
  VERDICT_LABELS,
} from "./bindings";
import { AUDIT_ACTIONS, auditActionLabel } from "./audit-actions";
import { STATUSES } from "./status";

// The label maps are generated from kammer-core (src-tauri/bindings.rs fails when they are
// stale); this checks what the screens rely on: every value labelled, in German words.
describe("the labels from the core", () => {
  const maps = { STATUS_LABELS, ROLE_LABELS, AUDIT_ACTION_LABELS, VERDICT_LABELS, SORT_ORDER_LABELS, FIGURE_LABELS };

  it.each(Object.entries(maps))("%s labels every value with words, not a code name", (_, map) => {
    const labels = Object.values(map);
    expect(labels.length).toBeGreaterThan(2);
    for (const label of labels) {
      expect(label.trim()).not.toBe("");
      expect(label).not.toMatch(/_/);
    }
  });

  it("lists the statuses in the core's order, each once", () => {
    expect(STATUSES).toEqual(["awaiting_code", "in_review", "approved", "withdrawn", "rejected", "expired"]);
    expect(STATUS_LABELS.awaiting_code).toBe("Freigabeschlüssel notwendig");
  });

  it("shows every audit action of the Protokoll's filter by its label, not its name", () => {
    for (const action of AUDIT_ACTIONS) expect(auditActionLabel(action)).not.toBe(action);
    expect(auditActionLabel("handwerksrolle_imported")).toBe("Handwerksrolle importiert");
    expect(AUDIT_ACTIONS).toContain("code_retired");
  });

  it("names the roles as the chamber does", () => {
    expect(ROLE_LABELS).toEqual({ hotline: "Hotline", sachbearbeitung: "Sachbearbeitung", admin: "Administration" });
  });
});
