// WCAG 2.1 contrast, so the colour schemes in app.css can be checked by a test rather than
// by eye: the dark scheme is new and nobody on the team works in it every day.

/** `#rgb` or `#rrggbb` → its relative luminance (WCAG 2.1, 1.4.3). */
export function luminance(hex: string): number {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/iu.exec(hex.trim());
  if (!match) throw new Error(`not a hex colour: ${hex}`);
  const digits = match[1] ?? "";
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join("") : digits;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const channel = parseInt(full.slice(i, i + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, 1 to 21; AA asks 4.5 for text, 3 for large text and controls. */
export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The `--name: #hex;` custom properties of one CSS block's text. */
export function colourVariables(block: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of block.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{3,6})\s*;/giu)) {
    found.set(m[1] ?? "", m[2] ?? "");
  }
  return found;
}
