import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Change } from "./bindings";

let emit: ((change: Change) => void) | null = null;
const unlisten = vi.fn();
vi.mock("@tauri-apps/api/event", () => ({
  listen: async (_event: string, handler: (event: { payload: Change }) => void) => {
    emit = (change) => handler({ payload: change });
    return unlisten;
  },
}));

const { followChanges } = await import("./live");
const { reloadScreen } = await import("./reload");

function change(antrag_nr: number | null): Change {
  return { action: "approved", antrag_nr, betrieb_id: null };
}

describe("followChanges", () => {
  /** What each test started, stopped after it even when it failed half-way. */
  const running: (() => void)[] = [];
  function follow(concerns: (change: Change) => boolean, load: () => void): () => void {
    const stop = followChanges(concerns, load, 250);
    running.push(stop);
    return stop;
  }

  beforeEach(() => {
    vi.useFakeTimers();
    emit = null;
    unlisten.mockClear();
  });

  afterEach(() => {
    for (const stop of running.splice(0)) stop();
    vi.useRealTimers();
  });

  it("loads once after a burst of changes that concern the screen, and ignores the others", async () => {
    const load = vi.fn();
    follow((c) => c.antrag_nr === 178, load);
    await vi.waitFor(() => expect(emit).not.toBeNull());
    emit?.(change(178));
    emit?.(change(179));
    vi.advanceTimersByTime(200);
    emit?.(change(178));
    vi.advanceTimersByTime(200);
    expect(load).not.toHaveBeenCalled();
    vi.advanceTimersByTime(50);
    expect(load).toHaveBeenCalledTimes(1);
    emit?.(change(179));
    vi.advanceTimersByTime(1000);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("loads at once on F5", () => {
    const load = vi.fn();
    follow(() => true, load);
    expect(reloadScreen()).toBe(true);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("stops listening, unregisters F5 and forgets a pending load", async () => {
    const load = vi.fn();
    const stop = follow(() => true, load);
    await vi.waitFor(() => expect(emit).not.toBeNull());
    const unlistened = unlisten.mock.calls.length;
    emit?.(change(178));
    stop();
    vi.advanceTimersByTime(1000);
    expect(load).not.toHaveBeenCalled();
    expect(unlisten).toHaveBeenCalledTimes(unlistened + 1);
    expect(reloadScreen()).toBe(false);
  });
});
