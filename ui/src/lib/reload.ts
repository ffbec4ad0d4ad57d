// F5 reloads the data of the screen the clerk looks at, not the web view: a reloaded page
// would lose the screen, its filters and the scroll position (and in Tauri the whole
// front end). Each screen says how it reloads while it is shown; the shell only asks.

type Reloader = () => void;

const reloaders: Reloader[] = [];

/**
 * Registers how the shown screen reloads; call in `onMount` and return the result, so the
 * screen's cleanup unregisters it. The newest registration wins (the screen just shown).
 */
export function watchReload(reload: Reloader): () => void {
  reloaders.push(reload);
  return () => {
    const index = reloaders.lastIndexOf(reload);
    if (index >= 0) reloaders.splice(index, 1);
  };
}

/** Reloads the shown screen; `false` when it has nothing to reload. */
export function reloadScreen(): boolean {
  const reload = reloaders.at(-1);
  if (reload === undefined) return false;
  reload();
  return true;
}
