import { describe, expect, it } from "vitest";

import { describeConnection } from "./connection";

describe("describeConnection", () => {
  it("names database, host without netmask, short version and user", () => {
    expect(
      describeConnection({
        database: "kammerdesk_demo",
        user: "postgres",
        server_version: "15.20 (Debian 15.20-0+deb12u1)",
        host: "127.0.0.1/32",
      }),
    ).toBe("Verbunden mit Datenbank »kammerdesk_demo« auf 127.0.0.1 (PostgreSQL 15.20) als postgres");
  });

  it("strips an IPv6 netmask and words a socket connection", () => {
    const base = { database: "d", user: "u", server_version: "16.4" };
    expect(describeConnection({ ...base, host: "::1/128" })).toContain("auf ::1 (PostgreSQL 16.4)");
    expect(describeConnection({ ...base, host: "lokaler Socket" })).toContain("über den lokalen Socket");
  });
});
