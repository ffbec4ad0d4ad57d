import { describe, expect, it } from "vitest";

import { addressBlock, copyText } from "./copy";

describe("copyText", () => {
  it("puts the text on the clipboard", async () => {
    let board = "";
    const ok = await copyText("178", { writeText: async (text) => void (board = text) });
    expect(ok).toBe(true);
    expect(board).toBe("178");
  });

  it("reports a refusal instead of throwing", async () => {
    expect(await copyText("178", { writeText: () => Promise.reject(new DOMException("denied", "NotAllowedError")) })).toBe(false);
    expect(await copyText("178", undefined)).toBe(false);
  });
});

describe("addressBlock", () => {
  it("writes the address as on an envelope", () => {
    expect(addressBlock({ firmenname: "Testbetrieb GmbH", strasse: "Hauptstr. 1", plz: "10115", ort: "Berlin" })).toBe(
      "Testbetrieb GmbH\nHauptstr. 1\n10115 Berlin",
    );
  });

  it("leaves out empty lines", () => {
    expect(addressBlock({ firmenname: "Testbetrieb", strasse: " ", plz: "", ort: "Berlin" })).toBe("Testbetrieb\nBerlin");
  });
});
