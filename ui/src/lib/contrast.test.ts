import { describe, expect, it } from "vitest";

import css from "../app.css?raw";
import { colourVariables, contrast, luminance } from "./contrast";

/** The light scheme is the first `:root` block; the dark one sits in the media query. */
function schemes(): { light: Map<string, string>; dark: Map<string, string> } {
  const light = /:root\s*\{([^}]*)\}/u.exec(css)?.[1] ?? "";
  const dark = /@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{([^}]*)\}/u.exec(css)?.[1] ?? "";
  return { light: colourVariables(light), dark: colourVariables(dark) };
}

// Text colour on background, as the screens pair them.
const TEXT_PAIRS: [string, string][] = [
  ["text", "page"],
  ["text", "surface"],
  ["muted", "surface"],
  ["muted", "page"],
  ["accent", "surface"],
  ["accent", "page"],
  ["on-accent", "accent"],
  ["on-accent", "accent-hover"],
  ["focus", "surface"],
  ["ok", "surface"],
  ["ok", "ok-surface"],
  ["error", "surface"],
  ["error", "error-surface"],
  ["text", "error-surface"],
  ["text", "warn-surface"],
  ["text", "selected"],
  ["text", "ok-surface"],
];

describe("contrast", () => {
  it("computes the WCAG figures", () => {
    expect(luminance("#fff")).toBeCloseTo(1);
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });

  for (const [name, scheme] of Object.entries(schemes())) {
    it(`keeps every text pair of the ${name} scheme at AA (4.5:1)`, () => {
      expect(scheme.size).toBeGreaterThan(10);
      for (const [fg, bg] of TEXT_PAIRS) {
        const a = scheme.get(fg);
        const b = scheme.get(bg);
        expect(a, `--${fg} in ${name}`).toBeDefined();
        expect(b, `--${bg} in ${name}`).toBeDefined();
        expect(contrast(a ?? "", b ?? ""), `--${fg} on --${bg} (${name})`).toBeGreaterThanOrEqual(4.5);
      }
    });

    it(`keeps the focus ring and the warning border visible in the ${name} scheme (3:1)`, () => {
      for (const [fg, bg] of [["focus", "page"], ["focus", "surface"], ["warn", "surface"]] as const) {
        expect(contrast(scheme.get(fg) ?? "", scheme.get(bg) ?? ""), `--${fg} on --${bg} (${name})`).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it("gives the dark scheme a value for every colour of the light one", () => {
    const { light, dark } = schemes();
    expect([...dark.keys()].sort()).toEqual([...light.keys()].sort());
  });

  it("prints every colour in black and white, whatever the screen's scheme", () => {
    const { light } = schemes();
    const print = colourVariables(/@media print\s*\{\s*:root\s*\{([^}]*)\}/u.exec(css)?.[1] ?? "");
    expect([...print.keys()].sort()).toEqual([...light.keys()].sort());
    for (const [fg, bg] of TEXT_PAIRS) {
      expect(contrast(print.get(fg) ?? "", print.get(bg) ?? ""), `--${fg} on --${bg} (print)`).toBeGreaterThanOrEqual(7);
    }
  });
});
