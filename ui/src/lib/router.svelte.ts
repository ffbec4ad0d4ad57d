// Which screen the desk shows. No URLs: the desk is one window, and "Zurück" returns to the
// screen the clerk came from, with that screen's own state (filters, scroll) kept by it.

export type Route =
  | { screen: "suche" }
  | { screen: "betrieb"; betriebsnummer: string }
  | { screen: "antraege" }
  | { screen: "antrag"; nr: number }
  | { screen: "protokoll"; antrag?: number; betriebsnummer?: string }
  | { screen: "monatsbericht" }
  | { screen: "handwerksrolle" }
  | { screen: "zugaenge" }
  | { screen: "einstellungen" };

const HISTORY_LIMIT = 50;

class Router {
  current = $state<Route>({ screen: "suche" });
  #history: Route[] = [];

  navigate(route: Route): void {
    this.#history.push(this.current);
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    this.current = route;
  }

  get canGoBack(): boolean {
    return this.#history.length > 0;
  }

  back(): void {
    const previous = this.#history.pop();
    if (previous) this.current = previous;
  }

  /** After sign-out the next clerk starts fresh. */
  reset(): void {
    this.#history = [];
    this.current = { screen: "suche" };
  }
}

export const router = new Router();
