import { describe, expect, it } from "vitest";

import { formatCount, formatDate, formatDateTime, parseGermanDate } from "./format";

describe("formatDateTime", () => {
  it("writes the how-to's header time (Antrag Nr. 178) in German winter time", () => {
    expect(formatDateTime("2024-01-12T06:23:17Z")).toBe("12.01.2024, 07:23:17");
  });

  it("follows summer time", () => {
    expect(formatDateTime("2024-07-01T10:00:00Z")).toBe("01.07.2024, 12:00:00");
  });

  it("puts a late UTC evening on the next German day", () => {
    expect(formatDate("2024-03-31T22:30:00Z")).toBe("01.04.2024");
  });
});

describe("formatCount", () => {
  it("groups thousands with a dot", () => {
    expect(formatCount(100000)).toBe("100.000");
  });
});

describe("parseGermanDate", () => {
  it.each([
    ["12.01.2024", "2024-01-12"],
    ["1.2.2024", "2024-02-01"],
    ["12.01.24", "2024-01-12"],
    [" 2024-01-12 ", "2024-01-12"],
    ["29.02.2024", "2024-02-29"],
  ])("reads %s", (text, day) => {
    expect(parseGermanDate(text)).toBe(day);
  });

  it.each(["", "31.02.2024", "29.02.2023", "12/01/2024", "12.13.2024", "morgen"])(
    "refuses %s",
    (text) => {
      expect(parseGermanDate(text)).toBeNull();
    },
  );
});
