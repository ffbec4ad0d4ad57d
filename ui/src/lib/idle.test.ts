import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { idleMessage, watchIdle } from "./idle";

describe("idle sign-out", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("says after how long, in German", () => {
    expect(idleMessage(900)).toBe("Sie wurden nach 15 Minuten ohne Eingabe abgemeldet.");
    expect(idleMessage(60)).toBe("Sie wurden nach einer Minute ohne Eingabe abgemeldet.");
    expect(idleMessage(3)).toBe("Sie wurden nach 3 Sekunden ohne Eingabe abgemeldet.");
  });

  it("fires once after the time without input, and input starts it again", () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    const stop = watchIdle(target, 60, onIdle);
    vi.advanceTimersByTime(50_000);
    target.dispatchEvent(new Event("keydown"));
    vi.advanceTimersByTime(50_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(11_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(120_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    stop();
  });

  it("stops watching when told", () => {
    const target = new EventTarget();
    const onIdle = vi.fn();
    watchIdle(target, 1, onIdle)();
    vi.advanceTimersByTime(5_000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
