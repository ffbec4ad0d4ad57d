import { describe, expect, it } from "vitest";
import { SORT_COLUMNS, SORT_ORDERS, isSortOrder, nextOrder, sortDirection } from "./sort-order";

describe("the queue's sortable column heads", () => {
  it("cover every order the core knows, each once", () => {
    const offered = SORT_COLUMNS.flatMap((c) => [c.ascending, c.descending]);
    expect([...offered].sort()).toEqual([...SORT_ORDERS].sort());
  });

  it("toggle a sorted column and start another one ascending", () => {
    const column = (id: string) => SORT_COLUMNS.find((c) => c.id === id)!;
    const [sent, betrieb] = [column("sort-sent-at"), column("sort-betrieb")];
    expect(nextOrder(sent, "oldest_first")).toBe("newest_first");
    expect(nextOrder(sent, "newest_first")).toBe("oldest_first");
    expect(nextOrder(betrieb, "newest_first")).toBe("betrieb_ascending");
    expect(nextOrder(betrieb, "betrieb_ascending")).toBe("betrieb_descending");
    expect(sortDirection(sent, "betrieb_ascending")).toBeNull();
    expect(sortDirection(betrieb, "betrieb_descending")).toBe("descending");
  });

  it("accept only known orders from stored preferences", () => {
    expect(isSortOrder("betrieb_descending")).toBe(true);
    expect(isSortOrder("by_name")).toBe(false);
    expect(isSortOrder(3)).toBe(false);
  });
});
