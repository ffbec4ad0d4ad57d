// German dates and numbers as the chamber writes them, always in German time and German
// notation, whatever language the operating system runs in (WebKit otherwise follows LANG).

const ZONE = "Europe/Berlin";

const dateTime = new Intl.DateTimeFormat("de-DE", {
  timeZone: ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

const date = new Intl.DateTimeFormat("de-DE", {
  timeZone: ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});

const integer = new Intl.NumberFormat("de-DE", { maximumFractionDigits: 0 });

/** `2024-01-12T06:23:17Z` → `12.01.2024, 07:23:17` (as in the portal's header). */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** `2024-01-12T06:23:17Z` → `12.01.2024`. */
export function formatDate(iso: string): string {
  return date.format(new Date(iso));
}

/** `12345` → `12.345`. */
export function formatCount(n: number): string {
  return integer.format(n);
}

/**
 * What a clerk types into a date field (`12.1.2024`, `12.01.24`, `2024-01-12`) → the calendar
 * day `2024-01-12` the commands take; `null` for an impossible or unreadable date. Two-digit
 * years are 20xx: the register holds no Anträge from before 2000.
 */
export function parseGermanDate(text: string): string | null {
  const trimmed = text.trim();
  let day: number, month: number, year: number;
  const german = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(trimmed);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (german) {
    day = Number(german[1]);
    month = Number(german[2]);
    const y = german[3] ?? "";
    year = y.length === 2 ? 2000 + Number(y) : Number(y);
  } else if (iso) {
    year = Number(iso[1]);
    month = Number(iso[2]);
    day = Number(iso[3]);
  } else {
    return null;
  }
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return null;
  }
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
