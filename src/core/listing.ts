import { IncompleteListError } from "./errors";
import { pageProgress } from "./paging";

/**
 * Reading a whole cluster list, or nothing. A selection made from part of a list would quietly
 * leave clusters out, and a Pulumi program would then delete their resources; so a list that
 * cannot be read to its end (it changed under the pager, a page repeated, the page cap was
 * reached) fails with IncompleteListError, and a failed page fails with its own error. The loop
 * follows src/core/paging.ts: it ends on an empty or short page, on a reported total reached, at
 * its page cap, or when the signal aborts.
 */

export interface ListPage<T> {
  items: readonly T[];
  /**
   * The number of items in the whole list, where the cloud's answer says so unambiguously; it
   * may end the walk sooner, and a change of it between pages means the list moved under us.
   */
  total?: number;
}

export interface CompleteListOptions {
  pageSize: number;
  /** The most pages one walk reads; a list longer than maxPages × pageSize fails. */
  maxPages: number;
  /** Walks started over after the list changed under the pager before giving up (default 3). */
  maxWalks?: number;
  /** For messages: what is being listed, e.g. "DescribeClusters in ap-guangzhou". */
  what: string;
  signal?: AbortSignal;
}

export interface WalkState {
  /** Pages read in this walk, the current one included. */
  pages: number;
  /** Distinct ids seen in this walk, the current page included. */
  seen: number;
  /** The first total a page of this walk reported. */
  total?: number;
}

export interface PageFacts {
  /** Items on the page. */
  count: number;
  /** Items on the page not seen on an earlier page of this walk. */
  fresh: number;
  total?: number;
}

export type PageVerdict = { next: "more" } | { next: "done" } | { next: "restart"; why: string } | { next: "fail"; why: string };

/** Pure: what to do after reading a page. */
export function judgePage(state: WalkState, page: PageFacts, options: Pick<CompleteListOptions, "pageSize" | "maxPages">): PageVerdict {
  if (page.total !== undefined && state.total !== undefined && page.total !== state.total) {
    return { next: "restart", why: `the list's total changed from ${state.total} to ${page.total} while it was read` };
  }
  const total = state.total ?? page.total;
  if (page.count > 0 && page.fresh === 0) {
    return { next: "fail", why: `page ${state.pages} repeated clusters of earlier pages (the server ignored the page asked for)` };
  }
  if (page.count < options.pageSize) {
    if (total !== undefined && state.seen < total) return { next: "restart", why: `the list ended after ${state.seen} of the ${total} clusters it reported` };
    if (total !== undefined && state.seen > total) return { next: "restart", why: `${state.seen} clusters were read where the list reported ${total}` };
    return { next: "done" };
  }
  if (total !== undefined && state.seen >= total) {
    return state.seen === total ? { next: "done" } : { next: "restart", why: `${state.seen} clusters were read where the list reported ${total}` };
  }
  if (state.pages >= options.maxPages) {
    return { next: "fail", why: `it holds more than ${options.maxPages * options.pageSize} clusters (${options.maxPages} pages of ${options.pageSize}), more than this package reads in one list` };
  }
  return { next: "more" };
}

/**
 * Reads pages 0, 1, 2, ... until the list is complete, and returns every item once (by id, in
 * list order). A page whose fetch throws ends everything with that error.
 */
export async function listComplete<T>(
  fetchPage: (index: number, signal?: AbortSignal) => Promise<ListPage<T>>,
  idOf: (item: T) => string,
  options: CompleteListOptions,
): Promise<T[]> {
  const maxWalks = options.maxWalks ?? 3;
  let why = "";
  for (let walk = 1; walk <= maxWalks; walk++) {
    const items = new Map<string, T>();
    const seen = new Set<string>();
    const state: WalkState = { pages: 0, seen: 0 };
    for (;;) {
      options.signal?.throwIfAborted();
      const page = await fetchPage(state.pages, options.signal);
      state.pages++;
      const fresh = pageProgress(page.items.map(idOf), seen);
      for (const item of page.items) items.set(idOf(item), item);
      state.seen = seen.size;
      const verdict = judgePage(state, { count: page.items.length, fresh, total: page.total }, options);
      state.total ??= page.total;
      if (verdict.next === "done") return [...items.values()];
      if (verdict.next === "fail") throw new IncompleteListError(`${options.what}: could not read the whole cluster list: ${verdict.why}; nothing was selected.`);
      if (verdict.next === "restart") {
        why = verdict.why;
        break;
      }
    }
  }
  throw new IncompleteListError(
    `${options.what}: could not read the whole cluster list in ${maxWalks} attempts (last: ${why}); clusters are being created or deleted right now, try again in a minute. Nothing was selected.`,
  );
}
