/**
 * Keeps key_usage small: minute rows older than KEYWARD_USAGE_MINUTES_HOURS (48) become hour rows,
 * hour rows older than KEYWARD_USAGE_HOURS_DAYS (90) become day rows, and day rows older than
 * KEYWARD_USAGE_RETENTION_DAYS (400) are deleted. Each step is one statement that deletes the rows
 * it sums (`with moved as (delete … returning …) insert …`): when two nodes roll up at once, a row
 * is deleted — and so summed — by exactly one of them, and the sums add to whatever is already
 * there. Periods are cut in UTC.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { keyUsage, type UsageGranularity } from '@/db/schema';
import { positiveIntFromEnv } from '@/lib/config/env';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type UsageRetention = { minutesForMs: number; hoursForMs: number; daysForMs: number };

export function usageRetention(): UsageRetention {
  const hoursForDays = positiveIntFromEnv('KEYWARD_USAGE_HOURS_DAYS', 90);
  const retentionDays = positiveIntFromEnv('KEYWARD_USAGE_RETENTION_DAYS', 400);
  if (retentionDays <= hoursForDays) {
    throw new Error(`KEYWARD_USAGE_RETENTION_DAYS (${retentionDays}) must be more than KEYWARD_USAGE_HOURS_DAYS (${hoursForDays}).`);
  }
  return {
    minutesForMs: positiveIntFromEnv('KEYWARD_USAGE_MINUTES_HOURS', 48) * HOUR_MS,
    hoursForMs: hoursForDays * DAY_MS,
    daysForMs: retentionDays * DAY_MS,
  };
}

/** Sums the `from` rows that started before `before` into `to` rows, deleting them: the rows moved. */
async function rollUp(db: Db, from: UsageGranularity, to: 'hour' | 'day', before: Date): Promise<number> {
  const [row] = await queryRows<{ moved: number }>(
    db,
    sql`
    with moved as (
      delete from ${keyUsage}
       where ${keyUsage.granularity} = ${from} and ${keyUsage.periodStart} < ${before.toISOString()}::timestamptz
      returning api_key_id, project_id, period_start, code, count
    ), summed as (
      insert into ${keyUsage} (api_key_id, project_id, granularity, period_start, code, count)
      select api_key_id, project_id, ${to}, date_trunc(${to}, period_start, 'UTC'), code, sum(count)
        from moved group by 1, 2, 4, 5
      on conflict (api_key_id, period_start, granularity, code) do update set count = ${keyUsage.count} + excluded.count
    )
    select count(*)::int as moved from moved`,
  );
  return Number(row?.moved ?? 0);
}

export type RollupResult = { minutesMoved: number; hoursMoved: number; daysDeleted: number };

/** One pass: safe to run on every node at any time. */
export async function rollUpUsage(db: Db, now = new Date(), retention = usageRetention()): Promise<RollupResult> {
  const at = now.getTime();
  // Cut on whole hours and days, so a period is never split between a fine and a coarse row.
  const minuteCut = new Date(Math.floor((at - retention.minutesForMs) / HOUR_MS) * HOUR_MS);
  const hourCut = new Date(Math.floor((at - retention.hoursForMs) / DAY_MS) * DAY_MS);
  const minutesMoved = await rollUp(db, 'minute', 'hour', minuteCut);
  const hoursMoved = await rollUp(db, 'hour', 'day', hourCut);
  const deleted = await db
    .delete(keyUsage)
    .where(sql`${keyUsage.granularity} = 'day' and ${keyUsage.periodStart} < ${new Date(at - retention.daysForMs).toISOString()}::timestamptz`)
    .returning({ code: keyUsage.code });
  return { minutesMoved, hoursMoved, daysDeleted: deleted.length };
}
