import { describe, expect, it } from "vitest";

import { windowTitle } from "./window-title";

describe("windowTitle", () => {
  it("names the Antrag and the Betrieb shown", () => {
    expect(windowTitle({ screen: "antrag", nr: 178 })).toBe("Antrag Nr. 178 – KammerDesk");
    expect(windowTitle({ screen: "betrieb", betriebsnummer: "2121155381" })).toBe("Betrieb 2121155381 – KammerDesk");
  });

  it("names every other screen in German", () => {
    expect(windowTitle({ screen: "antraege" })).toBe("Anträge – KammerDesk");
    expect(windowTitle({ screen: "zugaenge" })).toBe("Zugänge – KammerDesk");
    expect(windowTitle({ screen: "protokoll", antrag: 178 })).toBe("Protokoll zu Antrag Nr. 178 – KammerDesk");
  });

  it("says Anmeldung before sign-in", () => {
    expect(windowTitle(null)).toBe("Anmeldung – KammerDesk");
  });
});
