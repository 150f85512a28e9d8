/**
 * One page of a project's keys: search, sort and paging done in the database, never more than
 * one page in memory. "Previous page" and "Next page" carry a cursor — the sort key and id of the
 * row the new page comes after (or before) — so a page reached by paging is one index seek at
 * any depth; a page opened by its number alone (`?page=N`) is an OFFSET, which walks the index
 * up to it. The unfiltered total comes from project_key_counts; a search is counted up to
 * SEARCH_COUNT_CAP matches. `npm run bench:console` times it at 1,000 to 1,000,000 keys.
 */
import { and, asc, desc, eq, ilike, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets, projectKeyCounts } from '@/db/schema';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { authorizeKeyManager, type Actor } from './actor';
import { keyJsonColumns, toApiKeyJson, type ApiKeyJson } from './json';
import type { ListKeysQuery } from './schemas';

export const SEARCH_COUNT_CAP = 10_000;

export type KeyPage = {
  keys: ApiKeyJson[];
  total: number;
  /** True when a search matched more than SEARCH_COUNT_CAP keys and `total` is that cap. */
  totalIsCapped: boolean;
  page: number;
  pageSize: number;
  pageCount: number;
  /** Opaque `cursor`s that open the previous and the next page by a seek; null where there is none (page 1 needs none). */
  previousCursor: string | null;
  nextCursor: string | null;
};

/** The query, with the `cursor` a "Previous page" or "Next page" link carried, if any. */
export type ListKeysRequest = ListKeysQuery & { cursor?: string | null };

/** `%` and `_` in a search are literal characters, not wildcards. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Whether pg_trgm can take a trigram from the search's LIKE pattern `%q%`. It reads words (runs
 * of letters and digits) and pads a word with two blanks before it and one after where a literal
 * character, not the pattern's `%`, bounds it; a word shorter than three characters with its
 * padding gives nothing. ("pr": no; "zz-": "zz " yes; "-a": "  a" yes; "%": no.)
 */
export function hasTrigram(q: string): boolean {
  for (const word of q.matchAll(/[\p{L}\p{N}]+/gu)) {
    const before = word.index > 0 ? 2 : 0;
    const after = word.index + word[0].length < q.length ? 1 : 0;
    if ([...word[0]].length + before + after >= 3) return true;
  }
  return false;
}

/**
 * How a search finds its matches. `trigram`: ILIKE through the trigram GIN index. A search without
 * a trigram (that index would return every row) is strpos over lower() — the same match, as ILIKE
 * lower-cases both sides the same way — and is either `rare`, found through the GIN index of
 * names' one- and two-character pieces (migration 0005), or `common`, found by walking the
 * project's keys, where matches come soon: those pieces' posting lists are long (building a
 * bitmap of "pr" at a million keys takes 15 ms, and "e" is in most names) and the function behind
 * that index costs microseconds a row, so it is only worth a filter where the index answers.
 */
type Match = 'trigram' | 'rare' | 'common';

/** How common a piece must be, as a share of all names, before a search walks instead. */
const COMMON_PIECE = 0.1;
/** How long a process trusts the statistics it read: reading them takes about a millisecond. */
const STATISTICS_MAX_AGE_MS = 60_000;

const commonPieces = new WeakMap<Db, { readAt: number; shares: Map<string, number> }>();

/**
 * The most common pieces of names and their shares, from the planner's statistics for the
 * pieces' index (ANALYZE, autovacuum, PGlite's start): empty before the first ANALYZE.
 */
async function commonPieceShares(db: Db): Promise<Map<string, number>> {
  const cached = commonPieces.get(db);
  if (cached && Date.now() - cached.readAt < STATISTICS_MAX_AGE_MS) return cached.shares;
  const [row] = await db
    .select({ pieces: sql<string[]>`most_common_elems::text::text[]`, shares: sql<number[]>`most_common_elem_freqs::float8[]` })
    .from(sql`pg_stats`)
    .where(sql`schemaname = current_schema() and tablename = 'api_keys_name_grams_idx'`);
  const shares = new Map((row?.pieces ?? []).map((piece, i) => [piece, Number(row!.shares[i])]));
  commonPieces.set(db, { readAt: Date.now(), shares });
  return shares;
}

/** Makes the next search read the statistics again (tests, after an ANALYZE). */
export function forgetNameStatistics(db: Db): void {
  commonPieces.delete(db);
}

/**
 * Whether a search without a trigram is common: its rarest piece is in at least COMMON_PIECE of
 * the names — a piece missing from the most common ones is rarer than all of them. The pieces
 * are keyward_search_grams' (lower-cased here by JavaScript, which may differ from PostgreSQL's
 * lower() on a rare letter: that only changes which way is chosen). No statistics yet: rare, the
 * choice that is never slow.
 */
export async function searchMatch(db: Db, q: string): Promise<Match> {
  if (hasTrigram(q)) return 'trigram';
  const chars = [...q.toLowerCase()];
  const pieces = chars.length < 2 ? chars : chars.slice(1).map((char, i) => chars[i] + char);
  const shares = await commonPieceShares(db);
  return Math.min(...pieces.map((piece) => shares.get(piece) ?? 0)) >= COMMON_PIECE ? 'common' : 'rare';
}

/** The search as a condition; `walking` a sort index, only the substring test is worth evaluating per row. */
function nameMatches(q: string, match: Match, walking = false): SQL {
  if (match === 'trigram') return ilike(apiKeys.name, likePattern(q));
  const substring = sql`strpos(lower(${apiKeys.name}), lower(${q})) > 0`;
  return match === 'rare' && !walking ? sql`(keyward_name_grams(${apiKeys.name}) @> keyward_search_grams(${q}) and ${substring})` : substring;
}

// ---------------------------------------------------------------------------------------------
// Sort order and cursors

/**
 * The sort's key, exactly as its index holds it: with id after it, one total order that a row
 * comparison can seek into. Never-used keys count as the least recently used.
 */
function sortKey(sort: ListKeysQuery['sort']): AnyColumn | SQL {
  switch (sort) {
    case 'name':
      return apiKeys.name;
    case 'created':
      return apiKeys.createdAt;
    case 'last_used':
      return sql`coalesce(${apiKeys.lastUsedAt}, '-infinity'::timestamptz)`;
  }
}

/** A row's place in the order: its sort key and id, from the table or from a subquery of matches. */
type Place = { key: AnyColumn | SQL | SQL.Aliased; id: AnyColumn };

const tablePlace = (query: ListKeysQuery): Place => ({ key: sortKey(query.sort), id: apiKeys.id });

/** The page's order; `backwards` reads it from the other end (a page before a cursor). */
function orderBy(query: ListKeysQuery, place: Place = tablePlace(query), backwards = false): SQL[] {
  const dir = (query.dir === 'asc') !== backwards ? asc : desc;
  return [dir(place.key), dir(place.id)];
}

type Cursor = { before: boolean; key: string; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A timestamptz as PostgreSQL prints it (DateStyle ISO, the default).
const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?[+-](\d\d)(?::[0-5]\d){0,2}$/;

/** A time PostgreSQL reads back exactly, so a doctored cursor cannot make the query fail. */
function isTimestamp(text: string, sort: ListKeysQuery['sort']): boolean {
  if (text === '-infinity') return sort === 'last_used';
  const [, year, month, day, hour, minute, second, offset] = (TIMESTAMP.exec(text) ?? []).map(Number);
  if (year === undefined || year < 1000) return false;
  const date = new Date(Date.UTC(year, month! - 1, day, hour, minute, second));
  return date.getUTCMonth() === month! - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && minute! < 60 && second! < 60 && offset! < 16;
}

/** A cursor names its sort, so one carried into another sort or direction is ignored. */
function encodeCursor(query: ListKeysQuery, before: boolean, key: string, id: string): string {
  return Buffer.from(JSON.stringify([query.sort, query.dir, before ? 'before' : 'after', key, id])).toString('base64url');
}

/** The cursor, or null for anything this query cannot seek with: the page is then an OFFSET. */
function decodeCursor(query: ListKeysQuery, raw: string | null | undefined): Cursor | null {
  if (!raw || raw.length > 1024) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) return null;
  const [sort, dir, side, key, id] = parsed as unknown[];
  if (sort !== query.sort || dir !== query.dir || (side !== 'before' && side !== 'after')) return null;
  if (typeof key !== 'string' || key.includes('\u0000') || typeof id !== 'string' || !UUID.test(id)) return null;
  if (query.sort !== 'name' && !isTimestamp(key, query.sort)) return null;
  return { before: side === 'before', key, id };
}

/** The rows strictly after (or before) the cursor's row in the page's order: a range of the sort's index. */
function seek(query: ListKeysQuery, cursor: Cursor, place: Place = tablePlace(query)): SQL {
  const greater = (query.dir === 'asc') !== cursor.before;
  const key = query.sort === 'name' ? sql`${cursor.key}::text` : sql`${cursor.key}::timestamptz`;
  return sql`(${place.key}, ${place.id}) ${sql.raw(greater ? '>' : '<')} (${key}, ${cursor.id}::uuid)`;
}

// ---------------------------------------------------------------------------------------------
// Queries

/** Where one page starts: after or before a cursor, or at an offset. */
type PageAt = { cursor: Cursor; offset?: never } | { cursor?: never; offset: number };

/** What the table shows of a key, and the cursor's key. */
function rowsOf(query: ListKeysQuery, now: Date) {
  return {
    id: apiKeys.id,
    ...keyJsonColumns,
    // The cursor's key, as text: a timestamp keeps its microseconds (a JavaScript Date would not).
    sortKey: sql<string>`(${sortKey(query.sort)})::text`,
    // A secret still inside a rotation's grace period, for "previous secret expires at".
    graceEndsAt: sql`(select max(${apiKeySecrets.expiresAt}) from ${apiKeySecrets} where ${apiKeySecrets.apiKeyId} = ${apiKeys.id} and ${apiKeySecrets.expiresAt} > ${now.toISOString()}::timestamptz)`.mapWith(
      apiKeySecrets.expiresAt,
    ),
  };
}

type Row = Awaited<ReturnType<typeof indexPage>>[number];

/**
 * One page straight off the sort's index: a seek from a cursor, or a deferred join after an
 * OFFSET — the ids come off the index alone (an index-only scan), so a deep OFFSET skips index
 * entries, not table rows (a middle page of a million keys: 30–40 ms, where whole rows took 1–9 s).
 */
async function indexPage(db: Db, query: ListKeysQuery, where: SQL | undefined, at: PageAt, now: Date) {
  const backwards = at.cursor?.before ?? false;
  const pageIds = db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(where, at.cursor && seek(query, at.cursor)))
    .orderBy(...orderBy(query, tablePlace(query), backwards))
    .limit(query.pageSize)
    .offset(at.offset ?? 0)
    .as('page_ids');
  return db
    .select(rowsOf(query, now))
    .from(apiKeys)
    .innerJoin(pageIds, eq(pageIds.id, apiKeys.id))
    .orderBy(...orderBy(query));
}

/**
 * A search found through an index (trigrams, or rare pieces): its matches are gathered once, up
 * to one past the cap, and counted; when they are no more than the cap, the page is sorted out of
 * them in the same statement (a rare search's few matches never wait for a walk of the sort's
 * index, nor for the index to be read twice). When they are more, the page part is skipped (its
 * filter is false) and the caller walks the sort's index, where matches are common enough to
 * come soon.
 */
async function searchPage(db: Db, query: ListKeysQuery, where: SQL, at: PageAt, now: Date) {
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
async function countMatches(db: Db, where: SQL): Promise<number> {
  const found = db.select({ one: sql`1` }).from(apiKeys).where(where).limit(SEARCH_COUNT_CAP + 1).as('found');
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(found);
  return Number(row?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------

export async function listKeys(db: Db, catalogue: Catalogue, actor: Actor, query: ListKeysRequest, now = new Date()): Promise<KeyPage> {
  const manager = await authorizeKeyManager(db, catalogue, actor, 'read');
  const inProject = eq(apiKeys.projectId, manager.projectId);
  const cursor = query.page > 1 ? decodeCursor(query, query.cursor) : null;
  const offsetOf = (page: number): PageAt => ({ offset: (page - 1) * query.pageSize });

  let total: number;
  let capped = false;
  let rows: Row[] | undefined;
  const match = query.q ? await searchMatch(db, query.q) : null;
  if (query.q && match === 'common') {
    const found = await countMatches(db, and(inProject, nameMatches(query.q, match))!);
    capped = found > SEARCH_COUNT_CAP;
    total = Math.min(found, SEARCH_COUNT_CAP);
  } else if (query.q && match) {
    const found = await searchPage(db, query, and(inProject, nameMatches(query.q, match))!, cursor ? { cursor } : offsetOf(query.page), now);
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
    if (!query.q || !match) return indexPage(db, query, inProject, at, now);
    // Common, or more matches than the cap: walking the sort's index finds a page soon.
    if (capped || match === 'common') return indexPage(db, query, and(inProject, nameMatches(query.q, match, true)), at, now);
    return (await searchPage(db, query, and(inProject, nameMatches(query.q, match))!, at, now)).rows;
  };
  rows ??= total ? await fetchPage(seekFrom ? { cursor: seekFrom } : offsetOf(page)) : [];
  if (seekFrom && total && (seekFrom.before ? rows.length < query.pageSize : !rows.length)) {
    // The cursor's page has emptied (keys deleted since), or it reaches back to the first key in
    // less than a page: open the page by number instead.
    if (seekFrom.before) page = 1;
    rows = await fetchPage(offsetOf(page));
  }

  const first = rows[0];
  const last = rows.at(-1);
  return {
    keys: rows.map((row) => toApiKeyJson(catalogue, row, row.graceEndsAt ?? null)),
    total,
    totalIsCapped: capped,
    page,
    pageSize: query.pageSize,
    pageCount,
    previousCursor: page > 2 && first ? encodeCursor(query, true, first.sortKey, first.id) : null,
    nextCursor: page < pageCount && last ? encodeCursor(query, false, last.sortKey, last.id) : null,
  };
}
