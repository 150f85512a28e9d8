/**
 * One page of a project's keys: search, sort and paging done in the database, never more than
 * one page in memory. The unfiltered total comes from project_key_counts (no count over a
 * million rows); a search's total is counted up to SEARCH_COUNT_CAP matches.
 */
import { and, asc, desc, eq, gt, ilike, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
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

function orderBy(query: ListKeysQuery): SQL[] {
  const dir = query.dir === 'asc' ? asc : desc;
  switch (query.sort) {
    case 'name':
      return [dir(apiKeys.name), dir(apiKeys.id)];
    case 'last_used':
      // Matches the index (last_used_at DESC NULLS LAST, id): never-used keys count as least recent.
      return query.dir === 'desc'
        ? [sql`${apiKeys.lastUsedAt} desc nulls last`, asc(apiKeys.id)]
        : [sql`${apiKeys.lastUsedAt} asc nulls first`, desc(apiKeys.id)];
    case 'created':
      return [dir(apiKeys.createdAt), dir(apiKeys.id)];
  }
}

async function countKeys(db: Db, projectId: string, q: string): Promise<{ total: number; capped: boolean }> {
  if (!q) {
    const [row] = await db.select({ n: projectKeyCounts.keyCount }).from(projectKeyCounts).where(eq(projectKeyCounts.projectId, projectId));
    return { total: Number(row?.n ?? 0), capped: false };
  }
  const matches = db
    .select({ one: sql`1` })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), ilike(apiKeys.name, likePattern(q))))
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

  const where = and(eq(apiKeys.projectId, manager.projectId), query.q ? ilike(apiKeys.name, likePattern(query.q)) : undefined);
  const rows = await db
    .select({ id: apiKeys.id, ...keyJsonColumns })
    .from(apiKeys)
    .where(where)
    .orderBy(...orderBy(query))
    .limit(query.pageSize)
    .offset((page - 1) * query.pageSize);

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
