/**
 * Paging rules every list loop follows (docs/reliability.md): a loop ends on an empty or repeated
 * page, at its own page cap, or when the operation's signal aborts; a total the server reports
 * may end it sooner but never keeps it going.
 */

/**
 * Pure: how many ids on this page were not on an earlier one (recording them in `seen`). A page
 * with none is empty or repeated, and paging further cannot bring anything new.
 */
export function pageProgress(ids: readonly string[], seen: Set<string>): number {
  let fresh = 0;
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    fresh++;
  }
  return fresh;
}
