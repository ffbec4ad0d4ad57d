import { describe, expect, it } from "vitest";

import { loadPrefs, parsePrefs, prefsKey, savePrefs, type KeyValueStore, type QueuePrefs } from "./queue-prefs";
import { memoryStore } from "./test-support";

const mine: QueuePrefs = { statuses: ["in_review"], fromText: "01.11.2026", toText: "", order: "newest_first" };

describe("queue prefs", () => {
  it("gives each clerk their own", () => {
    const store = memoryStore();
    savePrefs(store, "sb.mueller", mine);
    expect(loadPrefs(store, "sb.mueller")).toEqual(mine);
    expect(loadPrefs(store, "hotline.schulz")).toBeNull();
    expect(prefsKey("sb.mueller")).not.toBe(prefsKey("hotline.schulz"));
  });

  it("ignores unreadable, foreign and older entries", () => {
    for (const bad of [
      "",
      "{",
      "null",
      "[]",
      '"text"',
      '{"statuses":["in_review"],"fromText":"","toText":""}',
      '{"statuses":["lost"],"fromText":"","toText":"","order":"oldest_first"}',
      '{"statuses":"in_review","fromText":"","toText":"","order":"oldest_first"}',
      '{"statuses":[],"fromText":3,"toText":"","order":"oldest_first"}',
      '{"statuses":[],"fromText":"","toText":"","order":"by_name"}',
      JSON.stringify({ statuses: [], fromText: "x".repeat(41), toText: "", order: "oldest_first" }),
    ]) {
      expect(parsePrefs(bad), bad).toBeNull();
    }
    expect(parsePrefs(null)).toBeNull();
  });

  it("puts the statuses in the filter's order, each once", () => {
    const json = JSON.stringify({ statuses: ["expired", "awaiting_code", "expired"], fromText: "", toText: "", order: "oldest_first" });
    expect(parsePrefs(json)?.statuses).toEqual(["awaiting_code", "expired"]);
  });

  it("survives a storage that throws", () => {
    const hostile: KeyValueStore = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    expect(() => savePrefs(hostile, "sb.mueller", mine)).not.toThrow();
    expect(loadPrefs(hostile, "sb.mueller")).toBeNull();
    expect(loadPrefs(null, "sb.mueller")).toBeNull();
  });
});
