// The window's title for the screen shown: „Antrag Nr. 178 – KammerDesk“. Screen readers
// announce it, and the task bar tells two desks apart at a glance.

import type { Route } from "./router.svelte";

const APP = "KammerDesk";

/** Each screen's name: the navigation's entries and the window title say the same. */
export const SCREEN_NAMES: Readonly<Record<Route["screen"], string>> = {
  suche: "Suche",
  betrieb: "Betrieb",
  antraege: "Anträge",
  antrag: "Antrag",
  protokoll: "Protokoll",
  monatsbericht: "Monatsbericht",
  handwerksrolle: "Handwerksrolle",
  zugaenge: "Zugänge",
  einstellungen: "Einstellungen",
};

/** `route` when a clerk is signed in; `null` on the sign-in screen. */
export function windowTitle(route: Route | null): string {
  if (route === null) return `Anmeldung – ${APP}`;
  switch (route.screen) {
    case "antrag":
      return `Antrag Nr. ${route.nr} – ${APP}`;
    case "betrieb":
      return `Betrieb ${route.betriebsnummer} – ${APP}`;
    case "protokoll":
      if (route.antrag !== undefined) return `Protokoll zu Antrag Nr. ${route.antrag} – ${APP}`;
      if (route.betriebsnummer !== undefined) return `Protokoll zu Betrieb ${route.betriebsnummer} – ${APP}`;
      return `Protokoll – ${APP}`;
    default:
      return `${SCREEN_NAMES[route.screen]} – ${APP}`;
  }
}
