import { describe, expect, it, vi } from "vitest";

import type { AntragPage, StatusCount } from "./bindings";
import { MAX_LIMIT, PAGE_SIZE, appendPage, keepFocus, moveFocus, reloadWindow, totalOf } from "./paging";
import { antragSummary as row, pageOf } from "./test-support";

/** A fake `list_antraege` over Anträge 1..total, cursors being the last nr. */
function server(total: number) {
  return vi.fn(async (after: string | null, limit: number): Promise<AntragPage> => pageOf(total, after, limit));
}

describe("appendPage", () => {
  it("does not repeat a row that moved into the next page", () => {
    expect(appendPage([row(1), row(2)], [row(2), row(3)]).map((r) => r.nr)).toEqual([1, 2, 3]);
  });
});

describe("reloadWindow", () => {
  it("reloads at least one page", async () => {
    const fetch = server(500);
    const page = await reloadWindow(fetch, 0);
    expect(page.rows).toHaveLength(PAGE_SIZE);
    expect(page.next).toBe(String(PAGE_SIZE));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("reloads as many rows as were loaded, in requests of the largest limit", async () => {
    const fetch = server(5000);
    const page = await reloadWindow(fetch, 2300);
    expect(page.rows).toHaveLength(2300);
    expect(fetch.mock.calls.map((c) => c[1])).toEqual([MAX_LIMIT, MAX_LIMIT, 300]);
    expect(page.next).toBe("2300");
  });

  it("stops at the end of the list", async () => {
    const fetch = server(150);
    const page = await reloadWindow(fetch, 300);
    expect(page.rows).toHaveLength(150);
    expect(page.next).toBeNull();
  });
});

describe("keepFocus", () => {
  it("follows the focused Antrag to its new place", () => {
    expect(keepFocus([row(5), row(7), row(9)], 9, 0)).toBe(2);
  });

  it("stays at the old place when the Antrag left the list", () => {
    expect(keepFocus([row(5), row(9)], 7, 1)).toBe(1);
    expect(keepFocus([row(5)], 7, 4)).toBe(0);
    expect(keepFocus([], 7, 4)).toBe(-1);
  });
});

describe("totalOf", () => {
  const counts: StatusCount[] = [
    { status: "awaiting_code", label: "", count: 10 },
    { status: "in_review", label: "", count: 3 },
    { status: "approved", label: "", count: 100 },
  ];

  it("adds the chosen statuses", () => {
    expect(totalOf(counts, ["awaiting_code", "in_review"])).toBe(13);
  });

  it("adds all when none is chosen", () => {
    expect(totalOf(counts, [])).toBe(113);
  });
});

describe("moveFocus", () => {
  it("moves by one, by a page and to the ends, within the list", () => {
    expect(moveFocus("ArrowDown", 0, 3)).toBe(1);
    expect(moveFocus("ArrowDown", 2, 3)).toBe(2);
    expect(moveFocus("ArrowUp", 0, 3)).toBe(0);
    expect(moveFocus("PageDown", 5, 100)).toBe(15);
    expect(moveFocus("PageUp", 5, 100)).toBe(0);
    expect(moveFocus("Home", 50, 100)).toBe(0);
    expect(moveFocus("End", 50, 100)).toBe(99);
  });

  it("ignores other keys and empty lists", () => {
    expect(moveFocus("a", 0, 3)).toBeNull();
    expect(moveFocus("ArrowDown", 0, 0)).toBeNull();
  });
});

describe("affectsQueue", () => {
  it("reloads for decisions, new Anträge, mails and the expiry job, not for look-ups", async () => {
    const { affectsQueue } = await import("./paging");
    expect(affectsQueue({ action: "approved" })).toBe(true);
    expect(affectsQueue({ action: "requested" })).toBe(true);
    expect(affectsQueue({ action: "expired" })).toBe(true);
    expect(affectsQueue({ action: "code_mail_sent" })).toBe(true);
    expect(affectsQueue({ action: "code_checked" })).toBe(false);
    expect(affectsQueue({ action: "export_written" })).toBe(false);
  });
});
