// The desk's keyboard shortcuts, declared once: the shell acts on the global ones through
// `shortcutFor`, and the help overlay (F1 or ?) prints this very list, so the help cannot
// promise a key that does nothing or forget one that does.

/** What the shell does for a global shortcut. */
export type ShortcutAction = "search" | "back" | "reload" | "help";

export interface Shortcut {
  /** Alternative keys, as a German keyboard labels them. */
  keys: readonly string[];
  what: string;
  where: string;
  /** Set for the shortcuts the shell handles; the others belong to one screen or control. */
  action?: ShortcutAction;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: "search", keys: ["Strg+K"], what: "Zur Suche springen, das Suchfeld ist gewählt", where: "überall" },
  { action: "back", keys: ["Alt+←"], what: "Zurück zur vorigen Ansicht", where: "überall" },
  { action: "reload", keys: ["F5"], what: "Die Daten der Ansicht neu laden (Filter und Position bleiben)", where: "überall" },
  { action: "help", keys: ["F1", "?"], what: "Diese Übersicht der Tastenkürzel", where: "überall (? nicht in Eingabefeldern)" },
  { keys: ["Tab", "Umschalt+Tab"], what: "Zum nächsten oder vorigen Bedienelement", where: "überall" },
  { keys: ["↓", "↑"], what: "Treffer wählen", where: "Suche" },
  { keys: ["Eingabe"], what: "Den gewählten Treffer öffnen; bei »Nr. 178« oder »A178« direkt den Antrag", where: "Suche" },
  { keys: ["Esc"], what: "Das Suchfeld leeren", where: "Suche" },
  { keys: ["↓", "↑", "Bild↓", "Bild↑", "Pos1", "Ende"], what: "In der Liste bewegen", where: "Anträge" },
  { keys: ["Eingabe"], what: "Den Antrag öffnen", where: "Anträge, Betrieb" },
  { keys: ["Esc"], what: "Den Dialog schließen, ohne etwas zu ändern", where: "Dialoge" },
];

/** The part of a KeyboardEvent the decision needs (so tests can pass plain objects). */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export interface KeyContext {
  /** The focus is in a field that takes typed text (then „?“ is a character). */
  inTextField: boolean;
  /** On macOS Option+← moves by word in a text field and must stay that. */
  mac: boolean;
}

export function shortcutFor(event: KeyInput, context: KeyContext): ShortcutAction | null {
  const command = event.ctrlKey || event.metaKey;
  if (command && !event.altKey && event.key.toLowerCase() === "k") return "search";
  if (event.altKey && !command && event.key === "ArrowLeft" && !(context.mac && context.inTextField)) return "back";
  if (event.key === "F5" && !event.altKey) return "reload";
  if (event.key === "F1" && !command && !event.altKey) return "help";
  if (event.key === "?" && !command && !event.altKey && !context.inTextField) return "help";
  return null;
}

/** The part of an element that says whether it takes text. */
export interface FocusTarget {
  tagName: string;
  type?: string;
  isContentEditable?: boolean;
}

/** Inputs that take no typed text: „?“ on a checkbox or a button is still the help. */
const NON_TEXT_INPUTS = new Set(["button", "checkbox", "color", "file", "image", "radio", "range", "reset", "submit"]);

export function isTextField(target: FocusTarget | null): boolean {
  if (target === null) return false;
  if (target.isContentEditable === true) return true;
  const tag = target.tagName.toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  return tag === "INPUT" && !NON_TEXT_INPUTS.has((target.type ?? "text").toLowerCase());
}
