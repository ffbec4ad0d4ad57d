import { describe, expect, it, vi } from "vitest";

import type { SignedIn } from "./bindings";
import { memoryStore } from "./test-support";

vi.mock("./ipc", () => ({ call: async () => null, toKammerError: (r: unknown) => r }));
vi.mock("./events", () => ({ onExportProgress: async () => () => undefined }));

const { forgetClerk, session } = await import("./session.svelte");
const { queue } = await import("./queue.svelte");
const { router } = await import("./router.svelte");
const { notices } = await import("./notices.svelte");

/** A clerk of the Sachbearbeitung as `sign_in` answers, without permissions. */
function clerk(username: string): SignedIn {
  return {
    username,
    display_name: username,
    role_label: "Sachbearbeitung",
    permissions: [],
    refusals: {},
    may_change_settings: false,
    idle_sign_out_seconds: 900,
    chamber_name: "Handwerkskammer Musterstadt",
  };
}

describe("forgetClerk", () => {
  it("leaves nothing of the previous clerk's work for the next one", () => {
    session.clerk = { ...clerk("sb.mueller"), display_name: "S. Müller", permissions: ["approve"] };
    router.navigate({ screen: "antraege" });
    router.navigate({ screen: "antrag", nr: 178 });
    queue.search = "Bäckerei";
    queue.statuses = ["approved"];
    queue.fromText = "01.11.2026";
    queue.scrollTop = 4200;
    queue.focusedNr = 178;
    notices.push("info", "Zuordnung bestätigt.");

    forgetClerk();

    expect(session.clerk).toBeNull();
    expect(session.can("approve")).toBe(false);
    expect(router.current).toEqual({ screen: "suche" });
    expect(router.canGoBack).toBe(false);
    expect(queue.search).toBe("");
    expect(queue.statuses).toEqual(["awaiting_code", "in_review"]);
    expect(queue.fromText).toBe("");
    expect(queue.rows).toEqual([]);
    expect(queue.scrollTop).toBe(0);
    expect(queue.focusedNr).toBeNull();
    expect(notices.items).toEqual([]);
  });
});

describe("adoptClerk", () => {
  it("gives the signed-in clerk their own queue filters, and the next clerk theirs", async () => {
    const { adoptClerk } = await import("./session.svelte");
    const store = memoryStore();
    queue.store = store;
    store.data.set("kammerdesk.queue.v1:sb.mueller", JSON.stringify({ statuses: ["approved"], fromText: "", toText: "", order: "newest_first" }));
    adoptClerk(clerk("sb.mueller"));
    expect(queue.statuses).toEqual(["approved"]);
    expect(queue.order).toBe("newest_first");
    forgetClerk();
    adoptClerk(clerk("admin"));
    expect(queue.statuses).toEqual(["awaiting_code", "in_review"]);
    expect(queue.order).toBe("oldest_first");
    queue.store = null;
  });
});
