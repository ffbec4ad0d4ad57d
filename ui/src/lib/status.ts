// The Antrag's status in the portal's words (kammer-core AntragStatus::label_de); the
// commands send the label along, this is for the filters before the first answer.

import type { AntragStatus } from "./bindings";

export const STATUSES: readonly AntragStatus[] = [
  "awaiting_code",
  "in_review",
  "approved",
  "withdrawn",
  "rejected",
  "expired",
];

export const STATUS_LABELS: Readonly<Record<AntragStatus, string>> = {
  awaiting_code: "Freigabeschlüssel notwendig",
  in_review: "In Bearbeitung",
  approved: "Zuordnung bestätigt",
  withdrawn: "Zurückgezogen",
  rejected: "Abgelehnt",
  expired: "Abgelaufen",
};

/** The open ones: what the queue shows first. */
export const OPEN_STATUSES: readonly AntragStatus[] = ["awaiting_code", "in_review"];

export function isAntragStatus(value: string): value is AntragStatus {
  return (STATUSES as readonly string[]).includes(value);
}
