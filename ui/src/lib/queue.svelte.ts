// The queue's state (filters, loaded rows, scroll position, focused row, running export)
// lives here, outside the screen, so that it is all still there when the clerk opens an
// Antrag and comes back with "Zurück". The filters and the sort are also remembered per
// clerk on this machine (lib/queue-prefs.ts).

import { readAntragNr } from "./antrag-nr";
import type { AntragQuery, AntragStatus, AntragSummary, Dialect, SortOrder, StatusCount } from "./bindings";
import { onExportProgress } from "./events";
import { antraegeWord, exportNotice } from "./exports";
import { call } from "./ipc";
import { notices } from "./notices.svelte";
import { PAGE_SIZE, appendPage, reloadWindow } from "./paging";
import { browserStore, loadPrefs, savePrefs, type KeyValueStore } from "./queue-prefs";
import { PERIOD_REVERSED, readDay } from "./period";
import { OPEN_STATUSES } from "./status";

/**
 * The Antrag number the search names, if it does. A clerk who searches for a number wants
 * that Antrag whatever its status, so the status filter does not apply to such a search
 * (the screen says so). „Nr. 178“ is sent as „178“, which the core matches against the
 * Antrag Nr. (and the beginning of a Betriebsnummer).
 */
export function searchedNumber(search: string): number | null {
  return readAntragNr(search)?.nr ?? null;
}

class Queue {
  statuses = $state<AntragStatus[]>([...OPEN_STATUSES]);
  fromText = $state("");
  toText = $state("");
  search = $state("");
  order = $state<SortOrder>("oldest_first");
  fromError = $state<string | null>(null);
  toError = $state<string | null>(null);

  rows = $state.raw<AntragSummary[]>([]);
  next = $state<string | null>(null);
  counts = $state.raw<StatusCount[]>([]);
  /** The counts for the applied filter are still being counted (the rows show already). */
  countsPending = $state(false);
  /** The filter the shown rows and counts belong to. */
  applied = $state.raw<AntragQuery | null>(null);
  loading = $state(false);
  loadingMore = $state(false);

  dialect = $state<Dialect>("excel-de");
  /** Rows written so far by the running export, `null` when none runs. */
  exportRows = $state<number | null>(null);

  // Where the clerk was: restored when the screen comes back. Not reactive on purpose.
  scrollTop = 0;
  focusedNr: number | null = null;
  focusIndex = 0;

  /** Bumped whenever the rows are replaced or extended: an answer for an older version is stale. */
  #version = 0;
  /** Bumped whenever counts are asked for: only the newest answer is shown. */
  #countsVersion = 0;
  /** Something changed while a load was in flight, perhaps after its query ran. */
  #refreshAfterLoad = false;
  /** Whose filters these are (remembered under that login); `null` before sign-in. */
  #owner: string | null = null;
  /** Where the filters are remembered; tests put their own here. */
  store: KeyValueStore | null = browserStore();

  /** A clerk signed in: their remembered filters and sort (once; a reconnect keeps the screen's). */
  forClerk(username: string): void {
    if (this.#owner === username) return;
    this.reset();
    this.#owner = username;
    const prefs = loadPrefs(this.store, username);
    if (prefs === null) return;
    this.statuses = prefs.statuses;
    this.fromText = prefs.fromText;
    this.toText = prefs.toText;
    this.order = prefs.order;
  }

  /** „Filter zurücksetzen“: the open Anträge, oldest first, no period, no search; call `load()` after. */
  resetFilters(): void {
    this.statuses = [...OPEN_STATUSES];
    this.fromText = "";
    this.toText = "";
    this.search = "";
    this.order = "oldest_first";
    this.fromError = null;
    this.toError = null;
  }

  #remember(): void {
    if (this.#owner === null) return;
    savePrefs(this.store, this.#owner, {
      statuses: [...this.statuses],
      fromText: this.fromText.trim(),
      toText: this.toText.trim(),
      order: this.order,
    });
  }

  /** The query of the filters as typed, or `null` (with the messages set) when a date is unreadable. */
  query(): AntragQuery | null {
    const from = readDay(this.fromText);
    const to = readDay(this.toText);
    this.fromError = from.error;
    this.toError = to.error;
    if (from.error !== null || to.error !== null) return null;
    if (from.day !== null && to.day !== null && from.day > to.day) {
      this.toError = PERIOD_REVERSED;
      return null;
    }
    const search = this.search.trim();
    const nr = searchedNumber(search);
    return {
      // Empty: every status (kammer-core's AntragFilter).
      statuses: nr === null ? [...this.statuses] : [],
      from: from.day,
      to: to.day,
      betriebsnummer: null,
      search: nr !== null ? String(nr) : search === "" ? null : search,
      order: this.order,
    };
  }

  /**
   * The filters changed: the first page and the counts for them. The rows show as soon as
   * they are there: counting every Antrag of a status takes longer than a page at a million
   * Anträge, so the counts follow on their own.
   */
  async load(): Promise<void> {
    const query = this.query();
    if (query === null) return;
    this.#remember();
    const version = ++this.#version;
    this.loading = true;
    this.countsPending = true;
    const counted = this.#count(query);
    try {
      const page = await call("list_antraege", { query, after: null, limit: PAGE_SIZE });
      if (version !== this.#version) return;
      this.applied = query;
      this.rows = page.rows;
      this.next = page.next;
      this.scrollTop = 0;
      this.focusedNr = null;
      this.focusIndex = 0;
    } catch (reason) {
      if (version === this.#version) notices.failed(reason);
    } finally {
      if (version === this.#version) this.loading = false;
    }
    await counted;
    if (this.#refreshAfterLoad && version === this.#version) {
      this.#refreshAfterLoad = false;
      await this.refresh();
    }
  }

  /** Counts for `query`, shown unless newer ones were asked for meanwhile. */
  async #count(query: AntragQuery): Promise<void> {
    const version = ++this.#countsVersion;
    try {
      const counts = await call("count_antraege", { query });
      if (version === this.#countsVersion) this.counts = counts;
    } catch (reason) {
      if (version === this.#countsVersion) notices.failed(reason);
    } finally {
      if (version === this.#countsVersion) this.countsPending = false;
    }
  }

  /** The next page (scrolled to the end of the list). */
  async more(): Promise<void> {
    const query = this.applied;
    const after = this.next;
    if (query === null || after === null || this.loadingMore || this.loading) return;
    const version = this.#version;
    this.loadingMore = true;
    try {
      const page = await call("list_antraege", { query, after, limit: PAGE_SIZE });
      if (version !== this.#version) return;
      this.#version++;
      this.rows = appendPage(this.rows, page.rows);
      this.next = page.next;
    } catch (reason) {
      notices.failed(reason);
    } finally {
      this.loadingMore = false;
    }
  }

  /**
   * Someone changed something: the counts and the rows loaded so far again, for the same
   * filter, so the list keeps its length (and the clerk their place).
   */
  async refresh(): Promise<void> {
    const query = this.applied;
    if (query === null) return;
    // A load in flight would be overtaken by this refresh of the old filter: it runs after it.
    if (this.loading) {
      this.#refreshAfterLoad = true;
      return;
    }
    const version = this.#version;
    const counted = this.#count(query);
    try {
      const page = await reloadWindow((after, limit) => call("list_antraege", { query, after, limit }), this.rows.length);
      if (version !== this.#version) {
        // A page was added or the filter changed meanwhile: the change may still be missing.
        if (this.applied === query) await this.refresh();
        return;
      }
      this.#version++;
      this.rows = page.rows;
      this.next = page.next;
    } catch (reason) {
      notices.failed(reason);
    }
    await counted;
  }

  /** The list as filtered on screen into a CSV file, with progress and a notice at the end. */
  async exportCsv(): Promise<void> {
    const query = this.applied;
    if (query === null || this.exportRows !== null) return;
    this.exportRows = 0;
    const unlisten = await onExportProgress((rows) => {
      if (this.exportRows !== null) this.exportRows = rows;
    }).catch(() => null);
    try {
      const outcome = await call("export_antraege", { query, dialect: this.dialect });
      const notice = exportNotice(outcome, antraegeWord);
      if (notice !== null) notices.push(notice.kind, notice.message);
    } catch (reason) {
      notices.failed(reason);
    } finally {
      unlisten?.();
      this.exportRows = null;
    }
  }

  async cancelExport(): Promise<void> {
    try {
      await call("cancel_export");
    } catch (reason) {
      notices.failed(reason);
    }
  }

  /** After sign-out the next clerk starts fresh. */
  reset(): void {
    this.#owner = null;
    this.#version++;
    this.resetFilters();
    this.rows = [];
    this.next = null;
    this.#countsVersion++;
    this.#refreshAfterLoad = false;
    this.counts = [];
    this.countsPending = false;
    this.applied = null;
    this.loading = false;
    this.scrollTop = 0;
    this.focusedNr = null;
    this.focusIndex = 0;
  }
}

export const queue = new Queue();
