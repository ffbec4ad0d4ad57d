// Idle sign-out: after the time IT set in desk.toml (`idle_sign_out_minutes`, default 15;
// `SignedIn.idle_sign_out_seconds`) without a key, a click, a touch or a mouse movement, the
// desk signs out and forgets the screen, as „Abmelden“ does.

const INPUT_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"] as const;

/** „Sie wurden nach 15 Minuten ohne Eingabe abgemeldet.“ */
export function idleMessage(seconds: number): string {
  const span =
    seconds % 60 === 0
      ? seconds === 60
        ? "einer Minute"
        : `${seconds / 60} Minuten`
      : seconds === 1
        ? "einer Sekunde"
        : `${seconds} Sekunden`;
  return `Sie wurden nach ${span} ohne Eingabe abgemeldet.`;
}

/**
 * Calls `onIdle` once when `target` has seen no input for `seconds`. Returns the function that
 * stops watching (on sign-out, or when the component goes).
 */
export function watchIdle(target: EventTarget, seconds: number, onIdle: () => void): () => void {
  let last = Date.now();
  let fired = false;
  const touched = (): void => {
    last = Date.now();
  };
  for (const name of INPUT_EVENTS) target.addEventListener(name, touched, { passive: true, capture: true });
  const check = (): void => {
    if (!fired && Date.now() - last >= seconds * 1000) {
      fired = true;
      stop();
      onIdle();
    }
  };
  // Checked every second (or faster for very short test timeouts): a timer alone would drift
  // while the machine sleeps; comparing clocks does not.
  const timer = setInterval(check, Math.min(1000, seconds * 250));
  function stop(): void {
    clearInterval(timer);
    for (const name of INPUT_EVENTS) target.removeEventListener(name, touched, { capture: true });
  }
  return stop;
}
