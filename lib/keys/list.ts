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
 * it at 1,000 to 1,000,000 keys.
 */
import { and, asc, desc, eq, ilike, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets, projectKeyCounts } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { READ_KEYS, type KeyOptions } from './actor';
import { keyJsonColumns, toApiKeyJson, type ApiKeyJson } from './json';
import type { ListKeysQuery } from './schemas';

export const SEARCH_COUNT_CAP = 10_000;
/** Up to this many matches (by the planner's estimate) a search is counted; past it, `total` is that estimate. */
export const EXACT_COUNT_LIMIT = 1_000;

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

/**
 * The search as a condition. `walking` a sort index, the substring test alone: it is all that is
 * worth evaluating per row, and it keeps the plan a walk: the planner, matching an ILIKE against
 * the name statistics, may prefer a bitmap of every match.
 */
function nameMatches(q: string, match: Match, walking = false): SQL {
  const substring = sql`strpos(lower(${apiKeys.name}), lower(${q})) > 0`;
  if (walking) return substring;
  if (match === 'trigram') return ilike(apiKeys.name, likePattern(q));
  return match === 'rare' ? sql`(keyward_name_grams(${apiKeys.name}) @> keyward_search_grams(${q}) and ${substring})` : substring;
}

/**
 * How many keys may hold all of a search's words for the trigram index to look the words up
 * instead of the whole search, which is then checked on each of them: a few thousand rows are
 * cheaper than the posting lists of common trigrams, a quarter of the names ("key") is not.
 */
const WORD_CANDIDATES_MAX = 2_000;

/** The search as an exact path's condition: by its words, where the estimate says that is cheaper. */
function lookedUp(q: string, match: Match, words: string[] | null, estimate: Estimate | null): SQL {
  const candidates = estimate?.candidates ?? null;
  if (match !== 'trigram' || !words || candidates === null || candidates > WORD_CANDIDATES_MAX) return nameMatches(q, match);
  return and(...words.map((word) => ilike(apiKeys.name, likePattern(word))), sql`strpos(lower(${apiKeys.name}), lower(${q})) > 0`)!;
}

/**
 * The words of a search that pg_trgm can look up on their own (three letters or digits or more),
 * when the search holds more than one such word or anything besides: null otherwise. Each word's
 * inner trigrams are a subset of the search's, without the padded ones of its short words and
 * word starts — "  s" and " s " of "mei's zapier" are in half of all names, and reading their
 * posting lists was most of that search's 5 ms at a million keys (1.7 ms without them).
 */
export function searchWords(q: string): string[] | null {
  const words = [...q.matchAll(/[\p{L}\p{N}]{3,}/gu)].map((word) => word[0]);
  return words.length && !(words.length === 1 && words[0] === q) ? words : null;
}

type Estimate = { matches: number; keys: number; candidates: number | null };

/**
 * The planner's estimate of the project's keys whose names hold the search (migration 0008, its
 * EXPLAIN: a fraction of a millisecond, no scan), at most the project's key count — with that
 * count, and the estimate of the keys holding all the search's words (`candidates`). None is
 * asked for a project too small to pass EXACT_COUNT_LIMIT. The planner takes a project's names to
 * be like the whole table's: its share of the table, times the share of the table's names that
 * match, from statistics of 1,000 common names and 1,000 histogram buckets — within a few percent
 * for a name in 40 at a million keys.
 */
async function estimateMatches(db: Db, projectId: string, q: string, words: string[] | null): Promise<Estimate> {
  const estimate = (patterns: string[]) =>
    sql`case when ${projectKeyCounts.keyCount} > ${EXACT_COUNT_LIMIT} then keyward_estimate_name_matches(${projectKeyCounts.projectId}, array[${sql.join(
      patterns.map((pattern) => sql`${pattern}`),
      sql`, `,
    )}]::text[]) end`;
  const [row] = await db
    .select({
      keys: projectKeyCounts.keyCount,
      matches: estimate([likePattern(q)]).mapWith(Number),
      candidates: words ? estimate(words.map(likePattern)).mapWith(Number) : sql<null>`null`,
    })
    .from(projectKeyCounts)
    .where(eq(projectKeyCounts.projectId, projectId));
  const keys = Number(row?.keys ?? 0);
  const candidates = row?.candidates;
  return { matches: Math.min(row?.matches ?? 0, keys), keys, candidates: candidates === null || candidates === undefined ? null : Math.min(candidates, keys) };
}

/** An estimate as a person says it, to two significant digits: 29,601 is "about 30,000". */
export function roughly(n: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(n, 1))) - 1);
  return Math.round(n / unit) * unit;
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
async function indexPage(db: Db, query: ListKeysQuery, where: SQL | undefined, at: PageAt, now: Date, limit = query.pageSize) {
  const backwards = at.cursor?.before ?? false;
  const pageIds = db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(where, at.cursor && seek(query, at.cursor)))
    .orderBy(...orderBy(query, tablePlace(query), backwards))
    .limit(limit)
    .offset(at.offset ?? 0)
    .as('page_ids');
  return db
    .select(rowsOf(query, now))
    .from(apiKeys)
    .innerJoin(pageIds, eq(pageIds.id, apiKeys.id))
    .orderBy(...orderBy(query));
}

/**
 * A search's page walked to along the sort's index, reading at most `scan` of the project's keys
 * (from the cursor, if any): fewer than `limit` rows back means the walk ended or ran out of
 * reading, which the caller cannot tell apart.
 */
async function walkedPage(db: Db, query: ListKeysQuery, inProject: SQL, at: PageAt, now: Date, limit: number, scan: number) {
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

/** Where page `page` starts, by its number alone. */
const offsetOf = (query: ListKeysQuery, page: number): PageAt => ({ offset: (page - 1) * query.pageSize });

/** A page and what "Page X of Y" says about it. */
type Found = { rows: Row[]; total: number; capped: boolean; estimated: boolean; page: number; pageCount: number };

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
async function estimatedSearchPage(db: Db, query: ListKeysQuery, inProject: SQL, match: Match, estimate: Estimate, cursor: Cursor | null, now: Date): Promise<Found | null> {
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

// ---------------------------------------------------------------------------------------------

export async function listKeys(db: Db, actor: Actor, query: ListKeysRequest, options: KeyOptions = {}): Promise<KeyPage> {
  const { catalogue = activeCatalogue(), now = new Date() } = options;
  const manager = await authorize(db, actor, READ_KEYS, catalogue);
  const inProject = eq(apiKeys.projectId, manager.projectId);
  const cursor = query.page > 1 ? decodeCursor(query, query.cursor) : null;

  const match = query.q ? await searchMatch(db, query.q) : null;
  const words = match === 'trigram' ? searchWords(query.q) : null;
  const estimate = query.q && match ? await estimateMatches(db, manager.projectId, query.q, words) : null;
  if (query.q && match && estimate && !query.exactTotal && estimate.matches > EXACT_COUNT_LIMIT) {
    const found = await estimatedSearchPage(db, query, inProject, match, estimate, cursor, now);
    if (found) return keyPage(catalogue, query, found);
  }

  let total: number;
  let capped = false;
  let rows: Row[] | undefined;
  if (query.q && match === 'common') {
    const found = await countMatches(db, and(inProject, nameMatches(query.q, match))!);
    capped = found > SEARCH_COUNT_CAP;
    total = Math.min(found, SEARCH_COUNT_CAP);
  } else if (query.q && match) {
    const found = await searchPage(db, query, and(inProject, lookedUp(query.q, match, words, estimate))!, cursor ? { cursor } : offsetOf(query, query.page), now);
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
    return (await searchPage(db, query, and(inProject, lookedUp(query.q, match, words, estimate))!, at, now)).rows;
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
