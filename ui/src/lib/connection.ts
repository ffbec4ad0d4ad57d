// Turns the connection facts into the sentence the clerk reads in the status line.

import type { ConnectionInfo, DatabaseInfo, ServerInfo } from "./bindings";

/** What the core reports for a connection over a Unix socket instead of TCP. */
const LOCAL_SOCKET = "lokaler Socket";

/** PostgreSQL prints addresses as `inet` text, with a netmask: `127.0.0.1/32`. */
function hostPhrase(host: string): string {
  if (host === LOCAL_SOCKET) return "über den lokalen Socket";
  return `auf ${host.replace(/\/(32|128)$/, "")}`;
}

/** `15.20 (Debian 15.20-0+deb12u1)` → `15.20`: the packager's suffix is noise for a clerk. */
function shortVersion(serverVersion: string): string {
  return serverVersion.trim().split(/\s+/)[0] ?? serverVersion;
}

export function describeConnection(info: DatabaseInfo): string {
  return (
    `Verbunden mit Datenbank »${info.database}« ${hostPhrase(info.host)} ` +
    `(PostgreSQL ${shortVersion(info.server_version)}) als ${info.user}`
  );
}

/** Before sign-in: where the desk will sign the clerk in (no connection is open yet). */
export function describeServer(server: ServerInfo): string {
  return `Datenbank »${server.database}« auf ${server.host}:${server.port}`;
}

/** The status line: the clerk's own connection once signed in, else the server. */
export function describeStatus(info: ConnectionInfo): string {
  return info.signed_in !== null ? describeConnection(info.signed_in) : describeServer(info.server);
}
