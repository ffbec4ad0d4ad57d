import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

import { call, KammerError, toKammerError, UNEXPECTED_MESSAGE } from "./ipc";

describe("toKammerError", () => {
  it("keeps kind and message of an ErrorBody from a command", () => {
    const error = toKammerError({ kind: "unavailable", message: "Die Datenbank ist nicht erreichbar." });
    expect(error).toBeInstanceOf(KammerError);
    expect(error).toBeInstanceOf(Error);
    expect(error.kind).toBe("unavailable");
    expect(error.message).toBe("Die Datenbank ist nicht erreichbar.");
    expect(error.detail).toBeUndefined();
  });

  it.each(["not_found", "validation", "conflict", "forbidden", "unavailable", "internal"] as const)(
    "accepts the kind %s",
    (kind) => {
      expect(toKammerError({ kind, message: "x" }).kind).toBe(kind);
    },
  );

  it("turns a plain string (e.g. a command refused by the capabilities) into internal", () => {
    const error = toKammerError("Command connection_info not allowed by ACL");
    expect(error.kind).toBe("internal");
    expect(error.message).toBe(UNEXPECTED_MESSAGE);
    expect(error.detail).toBe("Command connection_info not allowed by ACL");
  });

  it("does not trust an object with an unknown kind", () => {
    const error = toKammerError({ kind: "teapot", message: "<b>hallo</b>" });
    expect(error.kind).toBe("internal");
    expect(error.message).toBe(UNEXPECTED_MESSAGE);
    expect(error.detail).toContain("teapot");
  });

  it("maps a thrown Error and odd values to internal", () => {
    expect(toKammerError(new TypeError("boom")).detail).toBe("boom");
    expect(toKammerError(undefined).kind).toBe("internal");
    expect(toKammerError(null).kind).toBe("internal");
    expect(toKammerError({ kind: "conflict" }).kind).toBe("internal");
  });

  it("passes a KammerError through unchanged", () => {
    const original = new KammerError("conflict", "Schon bearbeitet.");
    expect(toKammerError(original)).toBe(original);
  });
});

describe("call", () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it("invokes the command and returns its result", async () => {
    const info = { database: "kammerdesk_demo", user: "postgres", server_version: "15.20", host: "127.0.0.1/32" };
    invoke.mockResolvedValue(info);
    await expect(call("connection_info")).resolves.toEqual(info);
    expect(invoke).toHaveBeenCalledWith("connection_info", undefined);
  });

  it("rejects with a typed KammerError", async () => {
    invoke.mockRejectedValue({ kind: "unavailable", message: "Die Datenbank ist nicht erreichbar." });
    const error: unknown = await call("connection_info").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KammerError);
    expect((error as KammerError).kind).toBe("unavailable");
  });
});
