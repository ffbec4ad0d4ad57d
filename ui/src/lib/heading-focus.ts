// On navigation the focus moves to the new screen's heading, so a screen reader announces
// where the clerk is and Tab starts in the screen. A screen may replace its heading once its
// data has loaded (the loading one goes, the real one comes), which drops the focus to the
// page: for a short while after arriving, a lost focus goes to the heading again. The first
// key or click of the clerk ends that, as does a screen that takes the focus itself (the
// Suche's field).

const SETTLE_MS = 3000;

/** Starts watching `main` after a navigation; returns the function that stops it. */
export function focusHeadingOnArrival(main: HTMLElement): () => void {
  const lost = (): boolean => document.activeElement === null || document.activeElement === document.body;
  const focusHeading = (): void => {
    const heading = main.querySelector<HTMLElement>("h1");
    if (heading === null) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  };
  if (!main.contains(document.activeElement) || lost()) focusHeading();
  const observer = new MutationObserver(() => {
    if (lost()) focusHeading();
  });
  observer.observe(main, { childList: true, subtree: true });
  const stop = (): void => {
    observer.disconnect();
    clearTimeout(timer);
    window.removeEventListener("keydown", stop, true);
    window.removeEventListener("pointerdown", stop, true);
  };
  const timer = setTimeout(stop, SETTLE_MS);
  window.addEventListener("keydown", stop, true);
  window.addEventListener("pointerdown", stop, true);
  return stop;
}
