import { describe, expect, it } from "vitest";

import { reloadScreen, watchReload } from "./reload";

describe("reloadScreen", () => {
  it("asks the screen shown last, and the one before once it went away", () => {
    const asked: string[] = [];
    const stopFirst = watchReload(() => asked.push("queue"));
    const stopSecond = watchReload(() => asked.push("antrag"));
    expect(reloadScreen()).toBe(true);
    stopSecond();
    expect(reloadScreen()).toBe(true);
    stopFirst();
    expect(asked).toEqual(["antrag", "queue"]);
  });

  it("says so when no screen can reload", () => {
    expect(reloadScreen()).toBe(false);
  });

  it("unregisters only its own reloader, even when the same screen mounted twice", () => {
    const asked: number[] = [];
    const one = (): void => void asked.push(1);
    const two = (): void => void asked.push(2);
    const stopOne = watchReload(one);
    const stopTwo = watchReload(two);
    stopOne();
    reloadScreen();
    stopTwo();
    expect(asked).toEqual([2]);
    expect(reloadScreen()).toBe(false);
  });
});
