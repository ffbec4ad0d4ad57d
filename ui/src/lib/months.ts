// The chamber's months (German local time), for the Monatsbericht's choice and the chart.

export const MONTH_NAMES = [
  "Januar",
  "Februar",
  "März",
  "April",
  "Mai",
  "Juni",
  "Juli",
  "August",
  "September",
  "Oktober",
  "November",
  "Dezember",
] as const;

export const MONTH_SHORT = ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"] as const;

const berlin = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit" });

/** The month `now` falls in, in Berlin: `2026-11`. */
export function monthOf(now: Date): string {
  const parts = berlin.formatToParts(now);
  const year = parts.find((p) => p.type === "year")?.value ?? "1970";
  const month = parts.find((p) => p.type === "month")?.value ?? "01";
  return `${year}-${month}`;
}

function split(month: string): { year: number; month: number } {
  const [y, m] = month.split("-");
  return { year: Number(y), month: Number(m) };
}

/** `2026-11` → "November 2026". */
export function monthLabel(month: string): string {
  const { year, month: m } = split(month);
  return `${MONTH_NAMES[m - 1] ?? "?"} ${year}`;
}

/** `2026-11` → "Nov 2026"; `short` drops the year. */
export function monthShort(month: string): { name: string; year: string } {
  const { year, month: m } = split(month);
  return { name: MONTH_SHORT[m - 1] ?? "?", year: String(year) };
}

/** The `n` months up to and including the one of `now`, newest first. */
export function lastMonths(now: Date, n: number): string[] {
  const { year, month } = split(monthOf(now));
  const months: string[] = [];
  for (let i = 0; i < n; i++) {
    const index = year * 12 + (month - 1) - i;
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`);
  }
  return months;
}
