/**
 * Reading counted verifications: a key's or a project's counts over time in buckets, each key's
 * total for the API Keys table (one query per page), and a project's top keys. Every function
 * here authorizes first (the API Keys resource at Read) and scopes its query to the actor's
 * project; a key of another project is "not found". Buckets are cut in UTC. Each count is stored
 * at every grain (lib/usage/store.ts), so a query reads the rows of its own granularity — a month
 * by day reads thirty rows per key and code, not 43,200 — and the project's chart reads the
 * project's own rows (project_usage). A range reaching back past a grain's retention is read from
 * the finest grain kept that far back: its counts land in the bucket where their period starts.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { apiKeys, keyUsage, projectUsage, type UsageGranularity } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { DomainError, parseInput } from '@/lib/errors';
import { READ_KEYS } from '@/lib/keys/access';
import { KEY_NOT_FOUND } from '@/lib/keys/find';
import { isCountedCode, type UsageCounts } from './codes';
import { usageRetention } from './rollup';
import { topKeys, type TopKeys } from './rankings';
import { GRANULARITY_MS, rangeStart, USAGE_RANGES, usageQueryInput, type Granularity, type UsageQuery, type UsageRange } from './schemas';

export type UsageBucket = { start: string; counts: UsageCounts };
export type UsageSeries = { from: string; to: string; granularity: Granularity; buckets: UsageBucket[]; totals: UsageCounts };

/** A bucket's start: `ms` cut down to its granularity, in UTC. */
const bucketStart = (ms: number, granularity: Granularity) => ms - (ms % GRANULARITY_MS[granularity]);

const number = (value: unknown) => Number(value ?? 0);

/**
 * The grain whose rows answer a query at `granularity` from `from` on: that granularity's own,
 * unless its rows are no longer kept that far back, then the next coarser grain kept.
 */
export function storedGrain(granularity: Granularity, from: Date, now: Date, retention = usageRetention()): UsageGranularity {
  const age = now.getTime() - from.getTime();
  if (granularity === 'minute' && age <= retention.minutesForMs) return 'minute';
  if (granularity !== 'day' && age <= retention.hoursForMs) return 'hour';
  return 'day';
}

/** key_usage or project_usage: the same columns but the key's. */
type UsageTable = typeof keyUsage | typeof projectUsage;

async function series(db: Db, table: UsageTable, scope: SQL, { from, to, granularity }: UsageQuery, now: Date): Promise<UsageSeries> {
  const first = bucketStart(from.getTime(), granularity);
  const grain = storedGrain(granularity, new Date(first), now);
  const rows = await queryRows<{ start: string | number; code: string; n: string | number }>(
    db,
    sql`select (extract(epoch from date_trunc(${granularity}, ${table.periodStart}, 'UTC')) * 1000)::bigint as start,
               ${table.code} as code, sum(${table.count}) as n
          from ${table}
         where ${scope} and ${table.granularity} = ${grain}
           and ${table.periodStart} >= ${new Date(first).toISOString()}::timestamptz
           and ${table.periodStart} < ${to.toISOString()}::timestamptz
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
  return { from: rangeStart(range, now), to: now, granularity: USAGE_RANGES[range].granularity };
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
  const now = options.now ?? new Date();
  const query = parseInput(usageQueryInput(() => now), input ?? {});
  const id = await internalKeyId(db, manager.projectId, publicId);
  return { keyId: String(publicId), ...(await series(db, keyUsage, eq(keyUsage.apiKeyId, id), query, now)) };
}

export type ProjectUsage = UsageSeries & TopKeys;

/**
 * The project's counts over a range of the console's switch (from its own rows), and its top keys
 * by volume and by refusals (kept current in usage_rankings: lib/usage/rankings.ts).
 */
export async function getProjectUsage(db: Db, actor: Actor, range: UsageRange, options: { now?: Date } = {}): Promise<ProjectUsage> {
  const manager = await authorize(db, actor, READ_KEYS);
  const now = options.now ?? new Date();
  const [projectSeries, top] = await Promise.all([
    series(db, projectUsage, eq(projectUsage.projectId, manager.projectId), rangeQuery(range, now), now),
    topKeys(db, manager.projectId, range, now),
  ]);
  return { ...projectSeries, ...top };
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
      day: sql<string>`(extract(epoch from ${keyUsage.periodStart}) * 1000)::bigint`,
      n: sql<string>`sum(${keyUsage.count})`,
    })
    .from(keyUsage)
    .innerJoin(apiKeys, eq(apiKeys.id, keyUsage.apiKeyId))
    .where(
      and(
        eq(apiKeys.projectId, manager.projectId),
        inArray(apiKeys.publicId, publicIds),
        eq(keyUsage.granularity, 'day'),
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
