import { describe, expect, it } from "vitest";

import { readAntragNr } from "./antrag-nr";

describe("readAntragNr", () => {
  it("reads the explicit forms the hotline hears and pastes", () => {
    for (const text of ["Nr. 178", "Nr.178", "nr 178", "NR178", "A178", "a 178", "#178", "Antrag Nr. 178", "Antrag 178", "  Nr. 178  ", "Nr.\u00a0178"]) {
      expect(readAntragNr(text), text).toEqual({ nr: 178, explicit: true });
    }
  });

  it("reads the portal's header pasted whole", () => {
    expect(readAntragNr("Antrag Nr. 178, gesendet am 12.01.2024, 07:23:17")).toEqual({ nr: 178, explicit: true });
  });

  it("takes bare digits as a number that may also be a Betriebsnummer", () => {
    expect(readAntragNr("178")).toEqual({ nr: 178, explicit: false });
    expect(readAntragNr("2121155381")).toEqual({ nr: 2121155381, explicit: false });
  });

  it("leaves Betriebsnummern with a leading zero, names and nonsense alone", () => {
    for (const text of ["", "   ", "0212", "0", "Nr. 0", "A", "Nr.", "178a", "17 8", "-3", "Müller Bau", "Anton 178", "Nr. 178, Müller", "1234567890123"]) {
      expect(readAntragNr(text), text).toBeNull();
    }
  });

  it("accepts leading zeros when the text says it is an Antrag", () => {
    expect(readAntragNr("Nr. 0178")).toEqual({ nr: 178, explicit: true });
  });
});
