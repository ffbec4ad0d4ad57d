import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { AntragQuery } from "./bindings";
import { memoryStore, pageOf } from "./test-support";

const calls: { command: string; args: unknown }[] = [];
let handler: (command: string, args: any) => Promise<unknown> = async () => null;

vi.mock("./ipc", () => ({
  call: (command: string, args: unknown) => {
    calls.push({ command, args });
    return handler(command, args);
  },
  toKammerError: (r: unknown) => r,
}));
vi.mock("./events", () => ({ onExportProgress: async () => () => undefined }));
vi.mock("./notices.svelte", () => ({ notices: { failed: vi.fn(), push: vi.fn() } }));

const { queue, searchedNumber } = await import("./queue.svelte");
const { readDay } = await import("./period");

/** A server over Anträge 1..total; `delay` makes answers overtake each other. */
function serve(total: number, delay: (q: AntragQuery) => number = () => 0) {
  handler = async (command, args) => {
    if (command === "count_antraege") return [{ status: "awaiting_code", label: "", count: total }];
    const { after, limit, query } = args as { after: string | null; limit: number; query: AntragQuery };
    await new Promise((r) => setTimeout(r, delay(query)));
    return pageOf(total, after, limit);
  };
}

describe("readDay", () => {
  it("reads German dates and explains an unreadable one", () => {
    expect(readDay("")).toEqual({ day: null, error: null });
    expect(readDay("12.1.2024")).toEqual({ day: "2024-01-12", error: null });
    expect(readDay("31.02.2024").error).toMatch(/^„31\.02\.2024“ ist kein gültiges Datum\. Bitte ein Datum im Format TT\.MM\.JJJJ/);
  });
});

describe("queue", () => {
  beforeEach(() => {
    queue.reset();
    calls.length = 0;
  });

  afterEach(() => {
    queue.store = null;
  });

  /** sb.mueller signed in, with a fresh store to remember their filters in. */
  function signedInWithStore(): ReturnType<typeof memoryStore> {
    serve(1);
    const store = memoryStore();
    queue.store = store;
    queue.forClerk("sb.mueller");
    return store;
  }

  it("starts with the open Anträge, oldest first, and loads page after page", async () => {
    serve(250);
    await queue.load();
    const first = calls.find((c) => c.command === "list_antraege")?.args as { query: AntragQuery; after: null; limit: number };
    expect(first.query).toEqual({
      statuses: ["awaiting_code", "in_review"],
      from: null,
      to: null,
      betriebsnummer: null,
      search: null,
      order: "oldest_first",
    });
    expect(queue.rows).toHaveLength(100);
    await queue.more();
    await queue.more();
    expect(queue.rows).toHaveLength(250);
    expect(queue.next).toBeNull();
    await queue.more();
    expect(calls.filter((c) => c.command === "list_antraege")).toHaveLength(3);
  });

  it("does not ask the server with an unreadable or reversed period", async () => {
    serve(10);
    queue.fromText = "32.01.2024";
    await queue.load();
    expect(calls).toHaveLength(0);
    expect(queue.fromError).not.toBeNull();
    queue.fromText = "12.01.2024";
    queue.toText = "11.01.2024";
    await queue.load();
    expect(calls).toHaveLength(0);
    expect(queue.toError).toBe("Das Ende des Zeitraums liegt vor seinem Anfang.");
    queue.toText = "12.01.2024";
    await queue.load();
    expect((calls[0]?.args as { query: AntragQuery }).query).toMatchObject({ from: "2024-01-12", to: "2024-01-12" });
  });

  it("refreshes as many rows as were loaded", async () => {
    serve(1000);
    await queue.load();
    await queue.more();
    await queue.more();
    calls.length = 0;
    await queue.refresh();
    expect(queue.rows).toHaveLength(300);
    expect(queue.next).toBe("300");
    expect(calls.filter((c) => c.command === "list_antraege").map((c) => (c.args as { limit: number }).limit)).toEqual([300]);
  });

  it("shows the rows before the counts, and the counts of the newest filter only", async () => {
    serve(120);
    let release: () => void = () => undefined;
    const base = handler;
    handler = async (command, args) => {
      if (command === "count_antraege") {
        await new Promise<void>((r) => (release = r));
        return [{ status: "awaiting_code", label: "", count: (args as { query: AntragQuery }).query.order === "newest_first" ? 2 : 1 }];
      }
      return base(command, args);
    };
    const first = queue.load();
    await vi.waitFor(() => expect(queue.rows).toHaveLength(100));
    expect(queue.loading).toBe(false);
    expect(queue.countsPending).toBe(true);
    const releaseFirst = release;
    queue.order = "newest_first";
    const second = queue.load();
    await vi.waitFor(() => expect(queue.applied?.order).toBe("newest_first"));
    release();
    releaseFirst();
    await Promise.all([first, second]);
    expect(queue.countsPending).toBe(false);
    expect(queue.counts).toEqual([{ status: "awaiting_code", label: "", count: 2 }]);
  });

  it("runs a live refresh that comes during a load after it, for the new filter", async () => {
    serve(50);
    await queue.load();
    const base = handler;
    let releasePage: () => void = () => undefined;
    let blocked = false;
    handler = async (command, args) => {
      const { query } = args as { query: AntragQuery };
      if (command === "count_antraege") return [{ status: "awaiting_code", label: "", count: query.order === "newest_first" ? 2 : 1 }];
      if (query.order === "newest_first" && !blocked) {
        blocked = true;
        await new Promise<void>((r) => (releasePage = r));
      }
      return base(command, args);
    };
    queue.order = "newest_first";
    const loading = queue.load();
    await vi.waitFor(() => expect(queue.counts).toEqual([{ status: "awaiting_code", label: "", count: 2 }]));
    calls.length = 0;
    await queue.refresh();
    releasePage();
    await loading;
    expect(queue.applied?.order).toBe("newest_first");
    expect(queue.counts).toEqual([{ status: "awaiting_code", label: "", count: 2 }]);
    // The refresh was not dropped: it ran after the load, for the new filter.
    const refreshed = calls.filter((c) => c.command === "list_antraege").map((c) => (c.args as { query: AntragQuery }).query.order);
    expect(refreshed).toEqual(["newest_first"]);
  });

  it("drops the answer for a filter the clerk has already changed", async () => {
    serve(500, (q) => (q.order === "oldest_first" ? 30 : 0));
    const slow = queue.load();
    queue.order = "newest_first";
    const fast = queue.load();
    await Promise.all([slow, fast]);
    expect(queue.applied?.order).toBe("newest_first");
  });

  it("does not let the status filter hide an Antrag searched for by number", async () => {
    serve(1);
    queue.statuses = ["awaiting_code"];
    for (const [typed, sent] of [
      ["178", "178"],
      ["Nr. 178", "178"],
      ["A178", "178"],
    ] as const) {
      calls.length = 0;
      queue.search = typed;
      await queue.load();
      const query = (calls.find((c) => c.command === "list_antraege")?.args as { query: AntragQuery }).query;
      expect(query, typed).toMatchObject({ statuses: [], search: sent });
    }
    // The clerk's own choice is kept for when the search is cleared.
    expect(queue.statuses).toEqual(["awaiting_code"]);
    calls.length = 0;
    queue.search = "Bäckerei";
    await queue.load();
    expect((calls[0]?.args as { query: AntragQuery }).query).toMatchObject({ statuses: ["awaiting_code"], search: "Bäckerei" });
  });

  it("keeps the status filter for a Betriebsnummer with a leading zero and for names", () => {
    expect(searchedNumber("0212")).toBeNull();
    expect(searchedNumber("Müller")).toBeNull();
    expect(searchedNumber(" Nr.178 ")).toBe(178);
  });

  it("remembers the filters and the sort per clerk, not the search", async () => {
    signedInWithStore();
    queue.statuses = ["in_review", "approved"];
    queue.fromText = "01.11.2026";
    queue.order = "newest_first";
    queue.search = "Bäckerei";
    await queue.load();

    // Sign-out, then another clerk: the defaults.
    queue.reset();
    queue.forClerk("hotline.schulz");
    expect(queue.statuses).toEqual(["awaiting_code", "in_review"]);
    expect(queue.order).toBe("oldest_first");
    expect(queue.fromText).toBe("");

    // The first clerk again: theirs, without the search.
    queue.reset();
    queue.forClerk("sb.mueller");
    expect(queue.statuses).toEqual(["in_review", "approved"]);
    expect(queue.fromText).toBe("01.11.2026");
    expect(queue.order).toBe("newest_first");
    expect(queue.search).toBe("");

    // A reconnect of the same clerk keeps what the screen holds.
    queue.statuses = ["expired"];
    queue.forClerk("sb.mueller");
    expect(queue.statuses).toEqual(["expired"]);
  });

  it("does not remember a filter with an unreadable date", async () => {
    const store = signedInWithStore();
    queue.fromText = "32.13.2026";
    await queue.load();
    expect(store.data.size).toBe(0);
  });

  it("„Filter zurücksetzen“ brings back the open Anträge, oldest first, and remembers that", async () => {
    const store = signedInWithStore();
    queue.statuses = ["expired"];
    queue.toText = "nonsense";
    queue.search = "178";
    queue.order = "newest_first";
    await queue.load();
    queue.resetFilters();
    expect(queue.toError).toBeNull();
    await queue.load();
    expect(queue.applied).toEqual({ statuses: ["awaiting_code", "in_review"], from: null, to: null, betriebsnummer: null, search: null, order: "oldest_first" });
    expect(JSON.parse(store.data.get("kammerdesk.queue.v1:sb.mueller") ?? "null")).toEqual({
      statuses: ["awaiting_code", "in_review"],
      fromText: "",
      toText: "",
      order: "oldest_first",
    });
  });
});
