// The queue's orders as its column heads offer them. The orders themselves and their names
// come from the core (SortOrder, SORT_ORDER_LABELS in bindings.ts); this file only says which
// head toggles which pair.
import { SORT_ORDER_LABELS, type SortOrder } from "./bindings";

export { SORT_ORDER_LABELS };

/** Every order, as the „Sortierung“ lists them. */
export const SORT_ORDERS = Object.keys(SORT_ORDER_LABELS) as SortOrder[];

export function isSortOrder(value: unknown): value is SortOrder {
  return typeof value === "string" && (SORT_ORDERS as string[]).includes(value);
}

/** A column head that sorts: its element id, its text, and its two orders. */
export interface SortColumn {
  id: string;
  label: string;
  ascending: SortOrder;
  descending: SortOrder;
}

export const SORT_COLUMNS: readonly SortColumn[] = [
  { id: "sort-sent-at", label: "Gesendet am", ascending: "oldest_first", descending: "newest_first" },
  { id: "sort-betrieb", label: "Betrieb", ascending: "betrieb_ascending", descending: "betrieb_descending" },
];

/** `aria-sort` of `column` while the queue is in `order`; `null` when it does not sort by it. */
export function sortDirection(column: SortColumn, order: SortOrder): "ascending" | "descending" | null {
  if (order === column.ascending) return "ascending";
  if (order === column.descending) return "descending";
  return null;
}

/** A click on `column`: its other direction when it sorts already, else ascending. */
export function nextOrder(column: SortColumn, order: SortOrder): SortOrder {
  return order === column.ascending ? column.descending : column.ascending;
}
