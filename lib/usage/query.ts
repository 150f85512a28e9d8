/**
 * Reading counted verifications: a key's or a project's counts over time in buckets, each key's
 * total for the API Keys table (one query per page), and a project's top keys. Every function
 * here authorizes first (the API Keys resource at Read) and scopes its query to the actor's
 * project; a key of another project is "not found". Buckets are cut in UTC; a range older than
 * the minute rows' retention answers at the coarser grain it is stored at.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { apiKeys, keyUsage } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { DomainError, parseInput } from '@/lib/errors';
import { READ_KEYS } from '@/lib/keys/access';
import { KEY_NOT_FOUND } from '@/lib/keys/find';
import { isCountedCode, type UsageCounts } from './codes';
import { GRANULARITY_MS, USAGE_RANGES, usageQueryInput, type Granularity, type UsageQuery, type UsageRange } from './schemas';

export type UsageBucket = { start: string; counts: UsageCounts };
export type UsageSeries = { from: string; to: string; granularity: Granularity; buckets: UsageBucket[]; totals: UsageCounts };

/** A bucket's start: `ms` cut down to its granularity, in UTC. */
const bucketStart = (ms: number, granularity: Granularity) => ms - (ms % GRANULARITY_MS[granularity]);

const number = (value: unknown) => Number(value ?? 0);

async function series(db: Db, scope: SQL, { from, to, granularity }: UsageQuery): Promise<UsageSeries> {
  const first = bucketStart(from.getTime(), granularity);
  const rows = await queryRows<{ start: string | number; code: string; n: string | number }>(
    db,
    sql`select (extract(epoch from date_trunc(${granularity}, ${keyUsage.periodStart}, 'UTC')) * 1000)::bigint as start,
               ${keyUsage.code} as code, sum(${keyUsage.count}) as n
          from ${keyUsage}
         where ${scope} and ${keyUsage.periodStart} >= ${new Date(first).toISOString()}::timestamptz
           and ${keyUsage.periodStart} < ${to.toISOString()}::timestamptz
         group by 1, 2`,
  );
  const buckets = new Map<number, UsageCounts>();
  for (let at = first; at < to.getTime(); at += GRANULARITY_MS[granularity]) buckets.set(at, {});
  const totals: UsageCounts = {};
  for (const row of rows) {
    if (!isCountedCode(row.code)) continue;
    const counts = buckets.get(number(row.start));
    if (!counts) continue;
    counts[row.code] = (counts[row.code] ?? 0) + number(row.n);
    totals[row.code] = (totals[row.code] ?? 0) + number(row.n);
  }
  return {
    from: new Date(first).toISOString(),
    to: to.toISOString(),
    granularity,
    buckets: [...buckets].map(([start, counts]) => ({ start: new Date(start).toISOString(), counts })),
    totals,
  };
}

/** A range of the console's switch, ending now. */
export function rangeQuery(range: UsageRange, now = new Date()): UsageQuery {
  const { spanMs, granularity } = USAGE_RANGES[range];
  // Whole buckets: the range starts at the first bucket that ends inside it.
  const from = new Date(bucketStart(now.getTime() - spanMs, granularity) + GRANULARITY_MS[granularity]);
  return { from, to: now, granularity };
}

async function internalKeyId(db: Db, projectId: string, publicId: string): Promise<string> {
  const [key] = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.publicId, String(publicId))));
  if (!key) throw new DomainError('not_found', KEY_NOT_FOUND);
  return key.id;
}

/** A range of the console's switch as the input of getKeyUsage. */
export function rangeInput(range: UsageRange, now = new Date()): { from: string; to: string; granularity: Granularity } {
  const { from, to, granularity } = rangeQuery(range, now);
  return { from: from.toISOString(), to: to.toISOString(), granularity };
}

/** One key's counts over time; `input`: `{from?, to?, granularity?}` as REST's query string gives it. */
export async function getKeyUsage(db: Db, actor: Actor, publicId: string, input: unknown, options: { now?: Date } = {}): Promise<UsageSeries & { keyId: string }> {
  const manager = await authorize(db, actor, READ_KEYS);
  const query = parseInput(usageQueryInput(() => options.now ?? new Date()), input ?? {});
  const id = await internalKeyId(db, manager.projectId, publicId);
  return { keyId: String(publicId), ...(await series(db, eq(keyUsage.apiKeyId, id), query)) };
}

export type TopKey = { id: string | null; name: string | null; total: number; refused: number };
export type ProjectUsage = UsageSeries & { byVolume: TopKey[]; byRefusals: TopKey[] };

export const TOP_KEYS = 10;

/** The project's counts over a range of the console's switch, and its top keys by volume and by refusals. */
export async function getProjectUsage(db: Db, actor: Actor, range: UsageRange, options: { now?: Date } = {}): Promise<ProjectUsage> {
  const manager = await authorize(db, actor, READ_KEYS);
  const query = rangeQuery(range, options.now);
  const inProject = eq(keyUsage.projectId, manager.projectId);
  const projectSeries = await series(db, inProject, query);
  const top = (order: SQL, having: SQL) =>
    queryRows<{ id: string | null; name: string | null; total: string | number; refused: string | number }>(
      db,
      sql`select k.public_id as id, k.name as name, u.total, u.refused
            from (select ${keyUsage.apiKeyId} as api_key_id, sum(${keyUsage.count}) as total,
                         coalesce(sum(${keyUsage.count}) filter (where ${keyUsage.code} <> 'VALID'), 0) as refused
                    from ${keyUsage}
                   where ${inProject} and ${keyUsage.periodStart} >= ${query.from.toISOString()}::timestamptz
                   group by 1 having ${having} order by ${order} desc limit ${TOP_KEYS}) u
            left join ${apiKeys} k on k.id = u.api_key_id
           order by ${order} desc`,
    );
  const toTop = (rows: Awaited<ReturnType<typeof top>>): TopKey[] =>
    rows.map((row) => ({ id: row.id, name: row.name, total: number(row.total), refused: number(row.refused) }));
  const [byVolume, byRefusals] = await Promise.all([top(sql`total`, sql`true`), top(sql`refused`, sql`sum(${keyUsage.count}) filter (where ${keyUsage.code} <> 'VALID') > 0`)]);
  return { ...projectSeries, byVolume: toTop(byVolume), byRefusals: toTop(byRefusals) };
}

/** Each listed key's verifications (every outcome) per day over the last `days` days, oldest first. */
export type KeyActivity = { total: number; daily: number[] };

/**
 * The API Keys table's "Verifications (7 days)": one query for a whole page of keys, by their
 * public ids, inside the actor's project.
 */
export async function getKeysActivity(db: Db, actor: Actor, publicIds: string[], options: { now?: Date; days?: number } = {}): Promise<Map<string, KeyActivity>> {
  const manager = await authorize(db, actor, READ_KEYS);
  const days = options.days ?? 7;
  const today = bucketStart((options.now ?? new Date()).getTime(), 'day');
  const since = today - (days - 1) * GRANULARITY_MS.day;
  const activity = new Map<string, KeyActivity>(publicIds.map((id) => [id, { total: 0, daily: Array.from({ length: days }, () => 0) }]));
  if (publicIds.length === 0) return activity;
  const rows = await db
    .select({
      id: apiKeys.publicId,
      day: sql<string>`(extract(epoch from date_trunc('day', ${keyUsage.periodStart}, 'UTC')) * 1000)::bigint`,
      n: sql<string>`sum(${keyUsage.count})`,
    })
    .from(keyUsage)
    .innerJoin(apiKeys, eq(apiKeys.id, keyUsage.apiKeyId))
    .where(
      and(
        eq(apiKeys.projectId, manager.projectId),
        inArray(apiKeys.publicId, publicIds),
        sql`${keyUsage.periodStart} >= ${new Date(since).toISOString()}::timestamptz`,
      ),
    )
    .groupBy(apiKeys.publicId, sql`2`);
  for (const row of rows) {
    const entry = activity.get(row.id);
    const index = Math.round((number(row.day) - since) / GRANULARITY_MS.day);
    if (!entry || index < 0 || index >= days) continue;
    entry.daily[index]! += number(row.n);
    entry.total += number(row.n);
  }
  return activity;
}
