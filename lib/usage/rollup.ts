/**
 * Keeps the usage store small. Counts are rolled up as they are written (lib/usage/store.ts adds
 * each to its minute, hour and day rows), so upkeep is retention alone: minute rows older than
 * KEYWARD_USAGE_MINUTES_HOURS (48) hours, hour rows older than KEYWARD_USAGE_HOURS_DAYS (90) days
 * and day rows older than KEYWARD_USAGE_RETENTION_DAYS (400) days are deleted, from key_usage and
 * project_usage alike. A delete is the same whichever node runs it and however often, so every
 * node runs the pass. Cuts fall on whole hours and days (UTC), a little after the retention, so a
 * reader whose clock runs somewhat behind still finds every row it chooses to read (query.ts).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { keyUsage, projectUsage, type UsageGranularity } from '@/db/schema';
import { positiveIntFromEnv } from '@/lib/config/env';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How long the rows of each grain are kept, in milliseconds. */
export type UsageRetention = { minutesForMs: number; hoursForMs: number; daysForMs: number };

export function usageRetention(): UsageRetention {
  const minutesForHours = positiveIntFromEnv('KEYWARD_USAGE_MINUTES_HOURS', 48);
  const hoursForDays = positiveIntFromEnv('KEYWARD_USAGE_HOURS_DAYS', 90);
  const retentionDays = positiveIntFromEnv('KEYWARD_USAGE_RETENTION_DAYS', 400);
  if (hoursForDays * 24 <= minutesForHours) {
    throw new Error(`KEYWARD_USAGE_HOURS_DAYS (${hoursForDays} days) must be longer than KEYWARD_USAGE_MINUTES_HOURS (${minutesForHours} hours).`);
  }
  if (retentionDays <= hoursForDays) {
    throw new Error(`KEYWARD_USAGE_RETENTION_DAYS (${retentionDays}) must be more than KEYWARD_USAGE_HOURS_DAYS (${hoursForDays}).`);
  }
  return { minutesForMs: minutesForHours * HOUR_MS, hoursForMs: hoursForDays * DAY_MS, daysForMs: retentionDays * DAY_MS };
}

/** Rows deleted from key_usage by grain (project_usage's go with them). */
export type RollupResult = { minutesDeleted: number; hoursDeleted: number; daysDeleted: number };

async function dropOlder(db: Db, granularity: UsageGranularity, before: Date): Promise<number> {
  const cut = before.toISOString();
  await db.execute(sql`delete from ${projectUsage} where ${projectUsage.granularity} = ${granularity} and ${projectUsage.periodStart} < ${cut}::timestamptz`);
  const [row] = await queryRows<{ deleted: number }>(
    db,
    sql`with gone as (delete from ${keyUsage} where ${keyUsage.granularity} = ${granularity} and ${keyUsage.periodStart} < ${cut}::timestamptz returning 1)
        select count(*)::int as deleted from gone`,
  );
  return Number(row?.deleted ?? 0);
}

/** One pass: safe to run on every node at any time. */
export async function rollUpUsage(db: Db, now = new Date(), retention = usageRetention()): Promise<RollupResult> {
  const at = now.getTime();
  return {
    minutesDeleted: await dropOlder(db, 'minute', new Date(Math.floor((at - retention.minutesForMs) / HOUR_MS) * HOUR_MS)),
    hoursDeleted: await dropOlder(db, 'hour', new Date(Math.floor((at - retention.hoursForMs) / DAY_MS) * DAY_MS)),
    daysDeleted: await dropOlder(db, 'day', new Date(Math.floor((at - retention.daysForMs) / DAY_MS) * DAY_MS)),
  };
}
