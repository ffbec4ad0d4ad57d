// Non-blocking notices: errors from commands, conflicts, confirmations of what was done.
// Errors and conflicts stay until the clerk closes them; the rest fade after a while.

import { toKammerError } from "./ipc";

export type NoticeKind = "success" | "info" | "conflict" | "error";

export interface Notice {
  id: number;
  kind: NoticeKind;
  message: string;
}

const FADE_MS = 8000;

class Notices {
  items = $state<Notice[]>([]);
  #next = 1;

  push(kind: NoticeKind, message: string): number {
    const id = this.#next++;
    this.items.push({ id, kind, message });
    if (kind === "success" || kind === "info") setTimeout(() => this.dismiss(id), FADE_MS);
    return id;
  }

  /** A rejected command: its German message, as a conflict or an error by its kind. */
  failed(reason: unknown): void {
    const error = toKammerError(reason);
    this.push(error.kind === "conflict" ? "conflict" : "error", error.message);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }

  clear(): void {
    this.items = [];
  }
}

export const notices = new Notices();
