import { describe, expect, it } from "vitest";

import { describeConnection, describeStatus } from "./connection";

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

describe("describeStatus", () => {
  const server = { host: "db.hwk.example", port: 5432, database: "kammerdesk", tls_warning: null };

  it("names only the server before anyone has signed in", () => {
    expect(describeStatus({ server, signed_in: null })).toBe("Datenbank »kammerdesk« auf db.hwk.example:5432");
  });

  it("names the clerk's own login once signed in", () => {
    const signed_in = { database: "kammerdesk", user: "sb.mueller", server_version: "15.20", host: "10.0.0.5/32" };
    expect(describeStatus({ server, signed_in })).toBe(
      "Verbunden mit Datenbank »kammerdesk« auf 10.0.0.5 (PostgreSQL 15.20) als sb.mueller",
    );
  });
});
