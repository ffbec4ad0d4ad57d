// Printing a screen (Monatsbericht, Antrag) on paper or to PDF. The page itself is the
// print stylesheet in app.css; this is the line that says who printed it and when, because
// a printed Antrag lies on a desk long after the screen changed.

import { formatDateTime } from "./format";

/** The header line every printout carries: the chamber (its policy's name) and the app. */
export function printTitle(chamber: string | null): string {
  const app = "KammerDesk – Kontozuordnungen";
  return chamber && chamber.trim() !== "" ? `${chamber.trim()} · ${app}` : `${app} der Handwerkskammer`;
}

/** „Gedruckt am 04.12.2026, 23:13:27 von S. Müller“ (German time, like every date on the desk). */
export function printedLine(at: Date, clerk: string | null): string {
  const when = `Gedruckt am ${formatDateTime(at.toISOString())}`;
  return clerk ? `${when} von ${clerk}` : when;
}
