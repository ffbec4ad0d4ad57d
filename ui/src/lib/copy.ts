// What the copy buttons put on the clipboard. The hotline pastes numbers into tickets and
// mails, so a number is copied bare („178“, not „Antrag Nr. 178“) and an address as the
// block a letter needs.

/** The part of the Clipboard API the desk uses (tests pass their own). */
export interface TextClipboard {
  writeText(text: string): Promise<void>;
}

/**
 * `true` when the text is on the clipboard. The web view may refuse (no permission, no
 * focus); the caller then says so instead of pretending.
 */
export async function copyText(text: string, clipboard: TextClipboard | undefined = globalThis.navigator?.clipboard): Promise<boolean> {
  if (clipboard === undefined) return false;
  try {
    await clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** The Betrieb's postal address as on an envelope: Firmenname, Straße, PLZ Ort. */
export function addressBlock(b: { firmenname: string; strasse: string; plz: string; ort: string }): string {
  return [b.firmenname, b.strasse, `${b.plz} ${b.ort}`.trim()].map((line) => line.trim()).filter((line) => line !== "").join("\n");
}
