/**
 * A search's page when its total is the planner's estimate: walked to along the sort's index, where
 * matches come soon, and given up on (for a count) when the walk finds the estimate far off.
 */
import { and, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import type { Cursor } from './list-cursor';
import { indexPage, offsetOf, walkedPage, type Found, type PageAt } from './list-queries';
import { nameMatches, type Estimate, type Match } from './list-search';
import type { ListKeysQuery } from './schemas';

/** An estimate as a person says it, to two significant digits: 29,601 is "about 30,000". */
export function roughly(n: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(n, 1))) - 1);
  return Math.round(n / unit) * unit;
}

/**
 * How far a walk reads before it gives up on the estimate and counts instead: WALK_MARGIN times
 * the keys that, by the estimate, hold the page, and never less than WALK_MIN keys — the planner's
 * estimate may be far too high for a project whose names are unlike the rest of the table's, and
 * matches bunch up in name order ("Ana's checkout key" comes after every "analytics-…" name).
 */
const WALK_MARGIN = 10;
export const WALK_MIN = 10_000;

/**
 * A search the planner expects to match more than EXACT_COUNT_LIMIT keys. Its page comes off the
 * sort's index, walked with the substring test as a filter — at 1 name in 40, a page of ten is
 * about 400 index entries, where counting the 25,000 matches of a million keys read whole posting
 * lists and 10,000 rows (20 ms) — and one row past the page says whether another follows. The
 * total is the estimate, rounded, unless the walk reached the last match: then it is a count. A
 * page past the estimate's last is open to a cursor ("Next page" where the estimate was low).
 * Null — the caller counts instead — when the walk reads as far as it may (WALK_MARGIN) without
 * finding the page, or when a page past the first is empty.
 */
export async function estimatedSearchPage(db: Db, query: ListKeysQuery, inProject: SQL, match: Match, estimate: Estimate, cursor: Cursor | null, now: Date): Promise<Found | null> {
  const total = roughly(estimate.matches);
  const pageCount = Math.ceil(total / query.pageSize);
  let page = cursor ? query.page : Math.min(query.page, pageCount);
  let at: PageAt = cursor ? { cursor } : offsetOf(query, page);
  let bounded = false;
  const fetch = (from: PageAt) => {
    // A page before a cursor has a page after it; any other takes one row more, to know.
    const limit = from.cursor?.before ? query.pageSize : query.pageSize + 1;
    const scan = Math.max(WALK_MIN, Math.ceil((WALK_MARGIN * ((from.offset ?? 0) + limit) * estimate.keys) / estimate.matches));
    bounded = scan < estimate.keys;
    if (bounded) return walkedPage(db, query, inProject, from, now, limit, scan);
    // A deep page by its number skips thousands of matches: as an ILIKE, the planner may gather
    // them through the trigram index and sort them instead of walking to them.
    return indexPage(db, query, and(inProject, nameMatches(query.q, match, !(from.offset && match === 'trigram'))), from, now, limit);
  };
  let rows = await fetch(at);
  // Short of the page (and the row after it) within its bound, a walk has given up or ended: it
  // cannot tell which.
  const gaveUp = () => bounded && rows.length < (at.cursor?.before ? query.pageSize : query.pageSize + 1);
  if (gaveUp()) return null;
  if (cursor && (cursor.before ? rows.length < query.pageSize : !rows.length)) {
    // As in listKeys: the cursor's page has emptied, or it reaches back past the first match.
    if (cursor.before) page = 1;
    at = offsetOf(query, page);
    rows = await fetch(at);
    if (gaveUp()) return null;
  }
  const more = at.cursor?.before === true || rows.length > query.pageSize;
  rows = rows.slice(0, query.pageSize);
  if (!rows.length && page > 1) return null;
  if (!more) return { rows, total: (page - 1) * query.pageSize + rows.length, capped: false, estimated: false, page, pageCount: page };
  return { rows, total: Math.max(total, page * query.pageSize + 1), capped: false, estimated: true, page, pageCount: Math.max(pageCount, page + 1) };
}
