import { describe, expect, it } from "vitest";

import { printTitle, printedLine } from "./print";

describe("printedLine", () => {
  it("says when (German time) and by whom", () => {
    const at = new Date("2026-12-04T22:13:27Z");
    expect(printedLine(at, "S. Müller")).toBe("Gedruckt am 04.12.2026, 23:13:27 von S. Müller");
    expect(printedLine(at, null)).toBe("Gedruckt am 04.12.2026, 23:13:27");
  });

  it("names the chamber as its policy does", () => {
    expect(printTitle("Handwerkskammer Dortmund")).toBe("Handwerkskammer Dortmund · KammerDesk – Kontozuordnungen");
    expect(printTitle(null)).toBe("KammerDesk – Kontozuordnungen der Handwerkskammer");
    expect(printTitle("  ")).toBe("KammerDesk – Kontozuordnungen der Handwerkskammer");
  });
});
