/**
 * One page of a project's keys: search, sort and paging done in the database, never more than
 * one page in memory. "Previous page" and "Next page" carry a cursor — the sort key and id of the
 * row the new page comes after (or before) — so a page reached by paging is one index seek at
 * any depth; a page opened by its number alone (`?page=N`) is an OFFSET, which walks the index
 * up to it. The unfiltered total comes from project_key_counts. A search asks the planner first
 * how many keys it will match (EXPLAIN, migration 0008): up to EXACT_COUNT_LIMIT, its matches are
 * gathered through an index (a project's own trigrams, or the search's longer words where few
 * names hold them all) and counted (up to SEARCH_COUNT_CAP); past it, the total shown is that
 * estimate ("about 25,000 keys") and the page is walked to along the sort's index, where matches
 * come soon — counting them would cost a read of every match, a cost that grows with the project —
 * unless the walk finds the estimate far off, and counts after all. `npm run bench:console` times
 * it at 1,000 to 1,000,000 keys. With `expiring` (`?expiring=7d`), only keys that expire within
 * that many days and have not yet are listed: gathered through api_keys_expiring_idx and counted,
 * a search (`q`) among them tested on each. Beside it: choosing a search's plan (list-search.ts), the order
 * and its cursors (list-cursor.ts), the three ways a page is read (list-queries.ts) and a search's
 * page by the estimate (list-estimated-page.ts).
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, projectKeyCounts } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { READ_KEYS, type KeyOptions } from './access';
import { toApiKeyJson, type ApiKeyJson } from './json';
import { decodeCursor, encodeCursor } from './list-cursor';
import { estimatedSearchPage } from './list-estimated-page';
import { countMatches, indexPage, offsetOf, SEARCH_COUNT_CAP, searchPage, type Found, type PageAt, type Row } from './list-queries';
import { expiringWithin } from './expiring';
import { EXACT_COUNT_LIMIT, estimateMatches, lookedUp, nameMatches, searchMatch, searchWords } from './list-search';
import type { ListKeysQuery } from './schemas';

export type KeyPage = {
  keys: ApiKeyJson[];
  total: number;
  /** True when a search matched more than SEARCH_COUNT_CAP keys and `total` is that cap. */
  totalIsCapped: boolean;
  /** True when a search matches more than EXACT_COUNT_LIMIT keys by the planner's estimate and `total` is that estimate, rounded. */
  totalIsEstimate: boolean;
  page: number;
  pageSize: number;
  pageCount: number;
  /** Opaque `cursor`s that open the previous and the next page by a seek; null where there is none (page 1 needs none). */
  previousCursor: string | null;
  nextCursor: string | null;
};

/**
 * The query, with the `cursor` a "Previous page" or "Next page" link carried, if any. `exactTotal`:
 * count a search's matches (up to SEARCH_COUNT_CAP) however many there are — the REST API's
 * `total` is documented as a count.
 */
export type ListKeysRequest = ListKeysQuery & { cursor?: string | null; exactTotal?: boolean };

/** The page as listKeys answers it, with the cursors of its neighbours. */
function keyPage(catalogue: Catalogue, query: ListKeysQuery, found: Found): KeyPage {
  const { rows, page, pageCount } = found;
  const first = rows[0];
  const last = rows.at(-1);
  return {
    keys: rows.map((row) => toApiKeyJson(catalogue, row, row.graceEndsAt ?? null)),
    total: found.total,
    totalIsCapped: found.capped,
    totalIsEstimate: found.estimated,
    page,
    pageSize: query.pageSize,
    pageCount,
    previousCursor: page > 2 && first ? encodeCursor(query, true, first.sortKey, first.id) : null,
    nextCursor: page < pageCount && last ? encodeCursor(query, false, last.sortKey, last.id) : null,
  };
}

export async function listKeys(db: Db, actor: Actor, query: ListKeysRequest, options: KeyOptions = {}): Promise<KeyPage> {
  const { catalogue = activeCatalogue(), now = new Date() } = options;
  const manager = await authorize(db, actor, READ_KEYS, catalogue);
  const inProject = eq(apiKeys.projectId, manager.projectId);
  const cursor = query.page > 1 ? decodeCursor(query, query.cursor) : null;

  // Keys about to expire are gathered through their own index, and a search among them is a
  // substring test on each: they are few, next to a project's keys.
  const expiring = query.expiring ? expiringWithin(query.expiring, now) : undefined;
  const match = query.q && !expiring ? await searchMatch(db, query.q) : null;
  const words = match === 'trigram' ? searchWords(query.q) : null;
  const estimate = query.q && match ? await estimateMatches(db, manager.projectId, query.q, words) : null;
  if (query.q && match && estimate && !query.exactTotal && estimate.matches > EXACT_COUNT_LIMIT) {
    const found = await estimatedSearchPage(db, query, inProject, match, estimate, cursor, now);
    if (found) return keyPage(catalogue, query, found);
  }
  const substring = query.q ? nameMatches(query.q, match ?? 'common', true) : undefined;
  // What a walk of the sort's index tests each key for; and the keys gathered through an index and
  // counted, where that is how they are found.
  const walkFilter = expiring ? and(expiring, substring) : substring;
  const gathered = expiring ? and(inProject, walkFilter) : query.q && match && match !== 'common' ? and(inProject, lookedUp(query.q, match, words, estimate)) : undefined;

  let total: number;
  let capped = false;
  let rows: Row[] | undefined;
  if (query.q && match === 'common') {
    const found = await countMatches(db, and(inProject, nameMatches(query.q, match))!);
    capped = found > SEARCH_COUNT_CAP;
    total = Math.min(found, SEARCH_COUNT_CAP);
  } else if (gathered) {
    const found = await searchPage(db, query, gathered, cursor ? { cursor } : offsetOf(query, query.page), now);
    capped = found.total > SEARCH_COUNT_CAP;
    total = Math.min(found.total, SEARCH_COUNT_CAP);
    if (!capped) rows = found.rows;
  } else {
    const [counter] = await db.select({ n: projectKeyCounts.keyCount }).from(projectKeyCounts).where(eq(projectKeyCounts.projectId, manager.projectId));
    total = Number(counter?.n ?? 0);
  }
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  let page = Math.min(query.page, pageCount);
  // Past the last page (keys deleted since, or a search's count unknown until now): the last
  // page, by its number; a search's page fetched for the page asked is not that one.
  const seekFrom = page === query.page ? cursor : null;
  if (page !== query.page) rows = undefined;

  const fetchPage = async (at: PageAt): Promise<Row[]> => {
    if (gathered && !capped) return (await searchPage(db, query, gathered, at, now)).rows;
    // Common, or more matches than the cap: walking the sort's index finds a page soon.
    return indexPage(db, query, and(inProject, walkFilter), at, now);
  };
  rows ??= total ? await fetchPage(seekFrom ? { cursor: seekFrom } : offsetOf(query, page)) : [];
  if (seekFrom && total && (seekFrom.before ? rows.length < query.pageSize : !rows.length)) {
    // The cursor's page has emptied (keys deleted since), or it reaches back to the first key in
    // less than a page: open the page by number instead.
    if (seekFrom.before) page = 1;
    rows = await fetchPage(offsetOf(query, page));
  }
  return keyPage(catalogue, query, { rows, total, capped, estimated: false, page, pageCount });
}
