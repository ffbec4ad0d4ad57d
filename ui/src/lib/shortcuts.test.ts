import { describe, expect, it } from "vitest";

import { isTextField, SHORTCUTS, shortcutFor, type KeyInput } from "./shortcuts";

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
const outside = { inTextField: false, mac: false };
const inField = { inTextField: true, mac: false };

describe("shortcutFor", () => {
  it("knows the global shortcuts", () => {
    expect(shortcutFor(key("k", { ctrlKey: true }), inField)).toBe("search");
    expect(shortcutFor(key("K", { metaKey: true }), outside)).toBe("search");
    expect(shortcutFor(key("ArrowLeft", { altKey: true }), outside)).toBe("back");
    expect(shortcutFor(key("F5"), inField)).toBe("reload");
    expect(shortcutFor(key("F5", { ctrlKey: true }), outside)).toBe("reload");
    expect(shortcutFor(key("F1"), inField)).toBe("help");
    expect(shortcutFor(key("?"), outside)).toBe("help");
  });

  it("leaves „?“ to a text field and Option+← to a field on macOS", () => {
    expect(shortcutFor(key("?"), inField)).toBeNull();
    expect(shortcutFor(key("ArrowLeft", { altKey: true }), { inTextField: true, mac: true })).toBeNull();
    expect(shortcutFor(key("ArrowLeft", { altKey: true }), inField)).toBe("back");
  });

  it("ignores other keys and combinations", () => {
    expect(shortcutFor(key("ArrowLeft"), outside)).toBeNull();
    expect(shortcutFor(key("k"), outside)).toBeNull();
    expect(shortcutFor(key("k", { ctrlKey: true, altKey: true }), outside)).toBeNull();
    expect(shortcutFor(key("F5", { altKey: true }), outside)).toBeNull();
    expect(shortcutFor(key("a"), outside)).toBeNull();
  });
});

describe("SHORTCUTS", () => {
  it("lists every global action once, with keys and a German text", () => {
    const actions = SHORTCUTS.flatMap((s) => (s.action ? [s.action] : []));
    expect([...actions].sort()).toEqual(["back", "help", "reload", "search"]);
    for (const s of SHORTCUTS) {
      expect(s.keys.length).toBeGreaterThan(0);
      expect(s.what).not.toBe("");
      expect(s.where).not.toBe("");
    }
  });

  it("prints the keys the matcher acts on", () => {
    const keysOf = (action: string): readonly string[] => SHORTCUTS.find((s) => s.action === action)?.keys ?? [];
    expect(keysOf("search")).toContain("Strg+K");
    expect(keysOf("back")).toContain("Alt+←");
    expect(keysOf("reload")).toContain("F5");
    expect(keysOf("help")).toEqual(expect.arrayContaining(["F1", "?"]));
  });
});

describe("isTextField", () => {
  it("tells text-taking fields from other controls", () => {
    expect(isTextField({ tagName: "INPUT", type: "search" })).toBe(true);
    expect(isTextField({ tagName: "input" })).toBe(true);
    expect(isTextField({ tagName: "TEXTAREA" })).toBe(true);
    expect(isTextField({ tagName: "SELECT" })).toBe(true);
    expect(isTextField({ tagName: "DIV", isContentEditable: true })).toBe(true);
    expect(isTextField({ tagName: "INPUT", type: "checkbox" })).toBe(false);
    expect(isTextField({ tagName: "BUTTON" })).toBe(false);
    expect(isTextField(null)).toBe(false);
  });
});
