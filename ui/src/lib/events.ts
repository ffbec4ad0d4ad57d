// The desk's events (docs/desk-ipc.md), typed: a change committed by anyone, and the
// progress of the running export and of the running import of the Handwerksrolle.

import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { Change, ImportProgress } from "./bindings";

export const CHANGED_EVENT = "kammer-changed";
export const EXPORT_PROGRESS_EVENT = "export-progress";
export const IMPORT_PROGRESS_EVENT = "handwerksrolle-progress";

function onChange(handler: (change: Change) => void): Promise<UnlistenFn> {
  return listen<Change>(CHANGED_EVENT, (event) => handler(event.payload));
}

export function onExportProgress(handler: (rows: number) => void): Promise<UnlistenFn> {
  return listen<number>(EXPORT_PROGRESS_EVENT, (event) => handler(event.payload));
}

function onImportProgress(handler: (progress: ImportProgress) => void): Promise<UnlistenFn> {
  return listen<ImportProgress>(IMPORT_PROGRESS_EVENT, (event) => handler(event.payload));
}

/**
 * An event for a screen: returns at once a function that stops listening, also when the
 * screen goes away before the listener is registered (it is then removed as soon as it is).
 */
function forScreen<T>(listenTo: (handler: (payload: T) => void) => Promise<UnlistenFn>, handler: (payload: T) => void): () => void {
  let unlisten: UnlistenFn | null = null;
  let gone = false;
  listenTo(handler)
    .then((stop) => {
      if (gone) stop();
      else unlisten = stop;
    })
    .catch(() => undefined);
  return () => {
    gone = true;
    unlisten?.();
  };
}

/** `onChange` for a screen (see `forScreen`). */
export function watchChanges(handler: (change: Change) => void): () => void {
  return forScreen(onChange, handler);
}

/** `onImportProgress` for a screen (see `forScreen`). */
export function watchImportProgress(handler: (progress: ImportProgress) => void): () => void {
  return forScreen(onImportProgress, handler);
}
