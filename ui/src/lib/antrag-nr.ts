// An Antrag number in what a clerk types or pastes. The hotline hears „Antrag Nr. 178“ on the
// phone and finds „Antrag Nr. 178, gesendet am …“ in mails, so the Suche and the queue accept
// the forms people actually use. kammer-core's `AntragNr::parse` stays the last word.

/** `explicit`: the text says it is an Antrag („Nr. 178“, „A178“); bare digits may also be a Betriebsnummer. */
export interface AntragNrInput {
  nr: number;
  explicit: boolean;
}

/** Longer digit strings are Betriebsnummern, and beyond this a JS number stops being exact. */
const MAX_DIGITS = 12;

// „Antrag Nr. 178“, „Antrag 178“, „Nr. 178“, „Nr.178“, „nr 178“, „A178“, „A 178“, „#178“, and
// the portal's header pasted whole („Antrag Nr. 178, gesendet am 12.01.2024, 07:23:17“).
const EXPLICIT = /^(?:antrag\s*(?:nr\.?)?|nr\.?|a|#)\s*(\d+)(?:\s*,.*)?$/isu;
const DIGITS = /^\d+$/u;

/** The Antrag number in `text`, or `null` when the text is not (only) one. */
export function readAntragNr(text: string): AntragNrInput | null {
  const trimmed = text.trim();
  const explicit = EXPLICIT.exec(trimmed);
  // A comma tail is only the portal's header when the text starts with „Antrag“.
  if (explicit && (!trimmed.includes(",") || /^antrag/iu.test(trimmed))) {
    const nr = toNr(explicit[1] ?? "");
    return nr === null ? null : { nr, explicit: true };
  }
  // A leading zero marks a Betriebsnummer (text of digits); Antrag numbers never have one.
  if (DIGITS.test(trimmed) && !trimmed.startsWith("0")) {
    const nr = toNr(trimmed);
    return nr === null ? null : { nr, explicit: false };
  }
  return null;
}

function toNr(digits: string): number | null {
  const significant = digits.replace(/^0+/u, "");
  if (significant === "" || significant.length > MAX_DIGITS) return null;
  return Number(significant);
}
