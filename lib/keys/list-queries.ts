/**
 * The three shapes a page of keys is read in: straight off the sort's index, walked to along it
 * with a search as a filter, or sorted out of a search's matches gathered through an index, with
 * their count. Each reads one page, never more.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { SubqueryWithSelection } from 'drizzle-orm/pg-core';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { graceEndsAtColumn, keyJsonColumns } from './json';
import { orderBy, seek, sortKey, tablePlace, type Cursor, type Place } from './list-cursor';
import type { ListKeysQuery } from './schemas';

/** A search's matches are counted up to this many; past it, `total` is this cap. */
export const SEARCH_COUNT_CAP = 10_000;

/** Where one page starts: after or before a cursor, or at an offset. */
export type PageAt = { cursor: Cursor; offset?: never } | { cursor?: never; offset: number };

/** What the table shows of a key, and the cursor's key. */
function rowsOf(query: ListKeysQuery, now: Date) {
  return {
    id: apiKeys.id,
    ...keyJsonColumns,
    // The cursor's key, as text: a timestamp keeps its microseconds (a JavaScript Date would not).
    sortKey: sql<string>`(${sortKey(query.sort)})::text`,
    // A secret still inside a rotation's grace period, for "previous secret expires at".
    graceEndsAt: graceEndsAtColumn(now),
  };
}

/** The page's rows, in its order, joined to the ids a subquery chose (a deferred join). */
function rowsFor(db: Db, query: ListKeysQuery, pageIds: SubqueryWithSelection<{ id: typeof apiKeys.id }, 'page_ids'>, now: Date) {
  return db
    .select(rowsOf(query, now))
    .from(apiKeys)
    .innerJoin(pageIds, eq(pageIds.id, apiKeys.id))
    .orderBy(...orderBy(query));
}

export type Row = Awaited<ReturnType<typeof rowsFor>>[number];

/**
 * One page straight off the sort's index: a seek from a cursor, or a deferred join after an
 * OFFSET — the ids come off the index alone (an index-only scan), so a deep OFFSET skips index
 * entries, not table rows (a middle page of a million keys: 30–40 ms, where whole rows took 1–9 s).
 */
export async function indexPage(db: Db, query: ListKeysQuery, where: SQL | undefined, at: PageAt, now: Date, limit = query.pageSize) {
  const backwards = at.cursor?.before ?? false;
  const pageIds = db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(where, at.cursor && seek(query, at.cursor)))
    .orderBy(...orderBy(query, tablePlace(query), backwards))
    .limit(limit)
    .offset(at.offset ?? 0)
    .as('page_ids');
  return rowsFor(db, query, pageIds, now);
}

/**
 * A search's page walked to along the sort's index, reading at most `scan` of the project's keys
 * (from the cursor, if any): fewer than `limit` rows back means the walk ended or ran out of
 * reading, which the caller cannot tell apart.
 */
export async function walkedPage(db: Db, query: ListKeysQuery, inProject: SQL, at: PageAt, now: Date, limit: number, scan: number) {
  const backwards = at.cursor?.before ?? false;
  const walked = db
    .select({ id: apiKeys.id, name: apiKeys.name, key: sql`${sortKey(query.sort)}`.as('sort_key') })
    .from(apiKeys)
    .where(and(inProject, at.cursor && seek(query, at.cursor)))
    .orderBy(...orderBy(query, tablePlace(query), backwards))
    .limit(scan)
    .as('walked');
  // In the walk's own order, which the planner carries out of the subquery: no sort, and the
  // walk stops at the page's last row.
  const pageIds = db
    .select({ id: walked.id })
    .from(walked)
    .where(sql`strpos(lower(${walked.name}), lower(${query.q})) > 0`)
    .orderBy(...orderBy(query, { key: walked.key, id: walked.id }, backwards))
    .limit(limit)
    .offset(at.offset ?? 0)
    .as('page_ids');
  return rowsFor(db, query, pageIds, now);
}

/**
 * A search found through an index (trigrams, or rare pieces): its matches are gathered once, up
 * to one past the cap, and counted; when they are no more than the cap, the page is sorted out of
 * them in the same statement (a rare search's few matches never wait for a walk of the sort's
 * index, nor for the index to be read twice). When they are more, the page part is skipped (its
 * filter is false) and the caller walks the sort's index, where matches are common enough to
 * come soon.
 */
export async function searchPage(db: Db, query: ListKeysQuery, where: SQL, at: PageAt, now: Date) {
  const matches = db
    .$with('matches')
    .as(db.select({ id: apiKeys.id, key: sql`${sortKey(query.sort)}`.as('sort_key') }).from(apiKeys).where(where).limit(SEARCH_COUNT_CAP + 1));
  const place: Place = { key: matches.key, id: matches.id };
  const counted = db.select({ total: sql<number>`count(*)::int`.as('total') }).from(matches).as('counted');
  const backwards = at.cursor?.before ?? false;
  const pageIds = db
    .select({ id: matches.id })
    .from(matches)
    .where(and(at.cursor && seek(query, at.cursor, place), sql`${counted.total} <= ${SEARCH_COUNT_CAP}`))
    .orderBy(...orderBy(query, place, backwards))
    .limit(query.pageSize)
    .offset(at.offset ?? 0)
    .as('page_ids');
  const rows = await db
    .with(matches)
    .select({ total: counted.total, ...rowsOf(query, now) })
    .from(counted)
    .leftJoinLateral(pageIds, sql`true`)
    .leftJoin(apiKeys, eq(apiKeys.id, pageIds.id))
    .orderBy(...orderBy(query));
  return { total: rows[0]?.total ?? 0, rows: rows.filter((row) => row.id !== null) as Row[] };
}

/**
 * A common search's matches, counted up to one past the cap and not kept: the walk can then be
 * an index-only scan of the names' index, and the page comes off the sort's index after it.
 */
export async function countMatches(db: Db, where: SQL): Promise<number> {
  const found = db.select({ one: sql`1` }).from(apiKeys).where(where).limit(SEARCH_COUNT_CAP + 1).as('found');
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(found);
  return Number(row?.n ?? 0);
}

/** Where page `page` starts, by its number alone. */
export const offsetOf = (query: ListKeysQuery, page: number): PageAt => ({ offset: (page - 1) * query.pageSize });

/** A page and what "Page X of Y" says about it. */
export type Found = { rows: Row[]; total: number; capped: boolean; estimated: boolean; page: number; pageCount: number };
