// The shapes the Rust side sends over IPC, mirrored by hand for now from kammer_core
// (db::DatabaseInfo, error::ErrorBody). When the desk grows, generate this file from the Rust
// types instead (the house rule: shared types are not written twice).

/** `kammer_core::ErrorKind`, serialised in snake_case. */
export type ErrorKind =
  | "not_found"
  | "validation"
  | "conflict"
  | "forbidden"
  | "unavailable"
  | "internal";

/** `kammer_core::error::ErrorBody`: what every command rejects with. */
export interface ErrorBody {
  kind: ErrorKind;
  message: string;
}

/** `kammer_core::db::DatabaseInfo`. */
export interface DatabaseInfo {
  database: string;
  user: string;
  server_version: string;
  host: string;
}
