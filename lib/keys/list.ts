/**
 * One page of a project's keys: search, sort and paging done in the database, never more than
 * one page in memory. The unfiltered total comes from project_key_counts (no count over a
 * million rows); a search's total is counted up to SEARCH_COUNT_CAP matches. `npm run
 * bench:console` times it at 1,000 to 1,000,000 keys.
 */
import { and, asc, desc, eq, gt, ilike, inArray, isNotNull, sql, type AnyColumn, type SQL } from 'drizzle-orm';
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
};

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
 * The case-insensitive substring match of a search. Without a trigram to look up, the GIN index
 * returns every row of every project (seconds at a million keys, for the one or two letters a
 * debounced search box sends first); such a search is written as strpos over lower() — the same
 * match, as ILIKE lower-cases both sides the same way — which that index cannot serve.
 */
function nameMatches(q: string): SQL {
  return hasTrigram(q) ? ilike(apiKeys.name, likePattern(q)) : sql`strpos(lower(${apiKeys.name}), lower(${q})) > 0`;
}

/** The table's sort columns, or the same columns of a subquery over it. */
type SortColumns = Record<'id' | 'name' | 'createdAt' | 'lastUsedAt', AnyColumn>;

function orderBy(query: ListKeysQuery, k: SortColumns = apiKeys): SQL[] {
  const dir = query.dir === 'asc' ? asc : desc;
  switch (query.sort) {
    case 'name':
      return [dir(k.name), dir(k.id)];
    case 'last_used':
      // Matches the index (last_used_at DESC NULLS LAST, id): never-used keys count as least recent.
      return query.dir === 'desc' ? [sql`${k.lastUsedAt} desc nulls last`, asc(k.id)] : [sql`${k.lastUsedAt} asc nulls first`, desc(k.id)];
    case 'created':
      return [dir(k.createdAt), dir(k.id)];
  }
}

/** The ids of one page, in order: a subquery the page's rows are then joined to. */
function pageIdsQuery(db: Db, query: ListKeysQuery, where: SQL | undefined, offset: number, scanFirst: boolean) {
  if (!scanFirst) {
    // A deferred join: the ids come off the sort's index alone (an index-only scan), so a deep
    // OFFSET skips index entries, not table rows. Selecting whole rows made it read every skipped
    // row: a middle page of a million keys took 1–9 s, and takes 60–80 ms this way.
    return db.select({ id: apiKeys.id }).from(apiKeys).where(where).orderBy(...orderBy(query)).limit(query.pageSize).offset(offset).as('page_ids');
  }
  // At most SEARCH_COUNT_CAP keys match and no index finds them: collect them in one scan of the
  // project, then sort, rather than walk the sort's index through every key to find a few. The
  // LIMIT never cuts (the count just found fewer); it stops PostgreSQL from merging this subquery
  // into the outer query, which would bring that walk back.
  const matches = db
    .select({ id: apiKeys.id, name: apiKeys.name, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(where)
    .limit(2_147_483_647)
    .as('matches');
  return db
    .select({ id: matches.id })
    .from(matches)
    .orderBy(...orderBy(query, matches))
    .limit(query.pageSize)
    .offset(offset)
    .as('page_ids');
}

async function countKeys(db: Db, projectId: string, q: string): Promise<{ total: number; capped: boolean }> {
  if (!q) {
    const [row] = await db.select({ n: projectKeyCounts.keyCount }).from(projectKeyCounts).where(eq(projectKeyCounts.projectId, projectId));
    return { total: Number(row?.n ?? 0), capped: false };
  }
  const matches = db
    .select({ one: sql`1` })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), nameMatches(q)))
    .limit(SEARCH_COUNT_CAP + 1)
    .as('matches');
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(matches);
  const n = Number(row?.n ?? 0);
  return { total: Math.min(n, SEARCH_COUNT_CAP), capped: n > SEARCH_COUNT_CAP };
}

export async function listKeys(db: Db, catalogue: Catalogue, actor: Actor, query: ListKeysQuery, now = new Date()): Promise<KeyPage> {
  const manager = await authorizeKeyManager(db, catalogue, actor, 'read');
  const { total, capped } = await countKeys(db, manager.projectId, query.q);
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pageCount);

  const where = and(eq(apiKeys.projectId, manager.projectId), query.q ? nameMatches(query.q) : undefined);
  const pageIds = pageIdsQuery(db, query, where, (page - 1) * query.pageSize, Boolean(query.q) && !capped && !hasTrigram(query.q));
  const rows =
    total === 0
      ? []
      : await db
          .select({ id: apiKeys.id, ...keyJsonColumns })
          .from(apiKeys)
          .innerJoin(pageIds, eq(pageIds.id, apiKeys.id))
          .orderBy(...orderBy(query));

  // Secrets still inside a rotation's grace period, for "previous secret expires at".
  const graces = rows.length
    ? await db
        .select({ apiKeyId: apiKeySecrets.apiKeyId, expiresAt: apiKeySecrets.expiresAt })
        .from(apiKeySecrets)
        .where(
          and(
            inArray(
              apiKeySecrets.apiKeyId,
              rows.map((row) => row.id),
            ),
            isNotNull(apiKeySecrets.expiresAt),
            gt(apiKeySecrets.expiresAt, now),
          ),
        )
    : [];
  const graceOf = new Map<string, Date>();
  for (const grace of graces) {
    const current = graceOf.get(grace.apiKeyId);
    if (!current || grace.expiresAt! > current) graceOf.set(grace.apiKeyId, grace.expiresAt!);
  }

  return {
    keys: rows.map((row) => toApiKeyJson(catalogue, row, graceOf.get(row.id) ?? null)),
    total,
    totalIsCapped: capped,
    page,
    pageSize: query.pageSize,
    pageCount,
  };
}
