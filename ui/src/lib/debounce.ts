// Many calls in a burst → one call, `wait` ms after the last of them.

export interface Debounced {
  (): void;
  /** Forget a pending call (the screen went away). */
  cancel(): void;
  /** Run a pending call now. */
  flush(): void;
}

export function debounce(fn: () => void, wait: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = (): void => {
    timer = null;
    fn();
  };
  const debounced = (() => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(run, wait);
  }) as Debounced;
  debounced.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  debounced.flush = () => {
    if (timer === null) return;
    clearTimeout(timer);
    run();
  };
  return debounced;
}
