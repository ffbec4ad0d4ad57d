// The Antrag's status in the portal's words: kammer-core's `AntragStatus::label_de`,
// generated into bindings.ts. The commands send the label along; this is for the filters
// before the first answer.

import { STATUS_LABELS } from "./bindings";
import type { AntragStatus } from "./bindings";

export { STATUS_LABELS };

export const STATUSES = Object.keys(STATUS_LABELS) as readonly AntragStatus[];

/** The open ones: what the queue shows first. */
export const OPEN_STATUSES: readonly AntragStatus[] = ["awaiting_code", "in_review"];

export function isAntragStatus(value: string): value is AntragStatus {
  return (STATUSES as readonly string[]).includes(value);
}
