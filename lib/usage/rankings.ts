/**
 * Settings › Usage's top keys, kept rather than summed on every view.
 *
 * Ranking a project's keys over a range means summing every active key's counts: 10,000 keys in
 * a day is tens of thousands of rows, far over what a page view should read. So each ranking (a
 * project and a range of the console's switch) is stored in usage_rankings with the version it
 * was computed at. Every flush of counts bumps the version of its projects' rankings in the same
 * statement (lib/usage/store.ts), so a stored ranking is exact exactly while its version is the
 * row's and its window the range's current one; otherwise the view computes it again and stores
 * it. Rankings viewed in the last five minutes are also recomputed in the background after each
 * flush (refreshRankings, every few seconds on every node), so under steady traffic a view finds
 * them current.
 *
 * No lock is held: the version is read before the sums are, so a flush that lands in between
 * leaves the stored ranking marked out of date (computed again later) rather than current and
 * short; and a ranking is never overwritten by one computed at an older version or window.
 */
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { apiKeys, usageRankings, type RankedKey } from '@/db/schema';
import { GRANULARITY_MS, rangeStart, USAGE_RANGES, type UsageRange } from './schemas';

export type TopKey = { id: string | null; name: string | null; total: number; refused: number };
export type TopKeys = { byVolume: TopKey[]; byRefusals: TopKey[] };

export const TOP_KEYS = 10;
/** Rankings viewed this recently are kept current by refreshRankings. */
export const RANKING_VIEWED_WITHIN_MS = 5 * 60_000;
/** How often each node looks for viewed rankings that a flush has put out of date. */
export const RANKINGS_REFRESH_EVERY_MS = 5_000;
/** A view notes itself at most this often per ranking (it is a write). */
const VIEW_NOTED_EVERY_MS = 60_000;

const isRange = (value: string): value is UsageRange => Object.hasOwn(USAGE_RANGES, value);

/**
 * The project's keys with the most verifications, and with the most refusals, from `from` on:
 * the hour rows up to the first midnight after `from`, then the day rows (the current day's
 * included), so a week reads at most 23 hours and 8 days of rows per key and code instead of 168
 * hours. Sums are taken as float8, exact for counts below 2^53 and several times cheaper than
 * bigint's numeric sum.
 */
async function computeRanking(db: Db, projectId: string, from: Date): Promise<RankedKey[]> {
  const day = GRANULARITY_MS.day;
  const midnight = new Date(Math.ceil(from.getTime() / day) * day);
  const rows = await queryRows<{ list: 'volume' | 'refusals'; api_key_id: string; total: number; refused: number }>(
    db,
    sql`with counted as (
          select api_key_id, code, count from key_usage
           where project_id = ${projectId} and granularity = 'hour'
             and period_start >= ${from.toISOString()}::timestamptz and period_start < ${midnight.toISOString()}::timestamptz
          union all
          select api_key_id, code, count from key_usage
           where project_id = ${projectId} and granularity = 'day' and period_start >= ${midnight.toISOString()}::timestamptz
        ), per_key as (
          select api_key_id, sum(count::float8) as total,
                 coalesce(sum(count::float8) filter (where code <> 'VALID'), 0) as refused
            from counted group by 1
        )
        (select 'volume' as list, * from per_key order by total desc, api_key_id limit ${TOP_KEYS})
        union all
        (select 'refusals' as list, * from per_key where refused > 0 order by refused desc, api_key_id limit ${TOP_KEYS})`,
  );
  return rows.map((row) => ({ list: row.list, apiKeyId: row.api_key_id, total: Number(row.total), refused: Number(row.refused) }));
}

/** Computes a ranking and stores it, unless one of a later version or window is stored already. */
async function recompute(db: Db, projectId: string, range: UsageRange, version: number, now: Date): Promise<RankedKey[]> {
  const from = rangeStart(range, now);
  const keys = await computeRanking(db, projectId, from);
  await db
    .update(usageRankings)
    .set({ keys, computedVersion: version, windowFrom: from, computedAt: now })
    .where(
      and(
        eq(usageRankings.projectId, projectId),
        eq(usageRankings.range, range),
        sql`${usageRankings.computedVersion} <= ${version}`,
        sql`(${usageRankings.windowFrom} is null or ${usageRankings.windowFrom} <= ${from.toISOString()}::timestamptz)`,
      ),
    );
  return keys;
}

type StoredRanking = typeof usageRankings.$inferSelect;

const current = (row: StoredRanking, from: Date) => row.computedVersion === row.version && row.windowFrom?.getTime() === from.getTime();

async function storedRanking(db: Db, projectId: string, range: UsageRange): Promise<StoredRanking | undefined> {
  const [row] = await db
    .select()
    .from(usageRankings)
    .where(and(eq(usageRankings.projectId, projectId), eq(usageRankings.range, range)));
  return row;
}

/**
 * The project's top keys by volume and by refusals over a range of the console's switch, with
 * their names (a key deleted since has neither id nor name): the stored ranking when it is
 * current, else one computed now. The caller has authorized the project.
 */
export async function topKeys(db: Db, projectId: string, range: UsageRange, now: Date): Promise<TopKeys> {
  let row = await storedRanking(db, projectId, range);
  if (!row) {
    await db.insert(usageRankings).values({ projectId, range, viewedAt: now }).onConflictDoNothing();
    row = (await storedRanking(db, projectId, range))!;
  } else if (now.getTime() - row.viewedAt.getTime() > VIEW_NOTED_EVERY_MS) {
    await db
      .update(usageRankings)
      .set({ viewedAt: now })
      .where(and(eq(usageRankings.projectId, projectId), eq(usageRankings.range, range)));
  }
  const keys = current(row, rangeStart(range, now)) ? row.keys : await recompute(db, projectId, range, row.version, now);
  return named(db, projectId, keys);
}

async function named(db: Db, projectId: string, keys: RankedKey[]): Promise<TopKeys> {
  const ids = [...new Set(keys.map((key) => key.apiKeyId))];
  const found =
    ids.length === 0
      ? []
      : await db
          .select({ id: apiKeys.id, publicId: apiKeys.publicId, name: apiKeys.name })
          .from(apiKeys)
          .where(and(eq(apiKeys.projectId, projectId), inArray(apiKeys.id, ids)));
  const byId = new Map(found.map((key) => [key.id, key]));
  const list = (name: RankedKey['list']): TopKey[] =>
    keys
      .filter((key) => key.list === name)
      .map((key) => {
        const stored = byId.get(key.apiKeyId);
        return { id: stored?.publicId ?? null, name: stored?.name ?? null, total: key.total, refused: key.refused };
      });
  return { byVolume: list('volume'), byRefusals: list('refusals') };
}

/**
 * One background pass: recomputes the rankings viewed in the last five minutes that a flush (or
 * the passing of time) has put out of date, at most `limit` of them. Safe beside the same pass on
 * other nodes: at worst two compute the same ranking, and the later version is kept.
 */
export async function refreshRankings(db: Db, options: { now?: Date; limit?: number } = {}): Promise<number> {
  const now = options.now ?? new Date();
  const viewed = await db
    .select()
    .from(usageRankings)
    .where(gte(usageRankings.viewedAt, new Date(now.getTime() - RANKING_VIEWED_WITHIN_MS)));
  const due = viewed.filter((row) => isRange(row.range) && !current(row, rangeStart(row.range, now))).slice(0, options.limit ?? 50);
  for (const row of due) await recompute(db, row.projectId, row.range as UsageRange, row.version, now);
  return due.length;
}
