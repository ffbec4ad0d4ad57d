// A screen that shows what others change: it loads again after a burst of changes that
// concern it (once, `wait` ms after the last of them), and at once on F5.

import type { Change } from "./bindings";
import { debounce } from "./debounce";
import { watchChanges } from "./events";
import { watchReload } from "./reload";

/**
 * Call in `onMount`; the result, called in the screen's cleanup, stops listening, unregisters
 * the F5 reload and forgets a load still waiting for the burst to end.
 */
export function followChanges(concerns: (change: Change) => boolean, load: () => void, wait: number): () => void {
  const changed = debounce(load, wait);
  const stopWatching = watchChanges((change) => {
    if (concerns(change)) changed();
  });
  const stopReload = watchReload(load);
  return () => {
    stopReload();
    stopWatching();
    changed.cancel();
  };
}
