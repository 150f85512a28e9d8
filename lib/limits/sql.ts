/**
 * SQL the limits' statements share (lib/limits/exchange.ts, lib/limits/notices.ts). Conditions
 * are on api_keys named `k`; lists go as one comma-joined text parameter that the statement splits
 * (`string_to_array`), so one statement carries any number of keys on postgres.js and PGlite alike.
 */
import { sql, type SQL } from 'drizzle-orm';

export const textList = (values: Array<string | number>): string => values.join(',');

/** Whether the key's refill is due at `now`: its stored count is from an earlier period. */
export function refillDue(now: Date): SQL {
  return sql`(k.usage_refill_interval is not null and (k.usage_refilled_at is null or k.usage_refilled_at < date_trunc(k.usage_refill_interval, ${now.toISOString()}::timestamptz, 'UTC')))`;
}

/** The uses left at `now`, a refill due included. */
export function usesLeft(now: Date): SQL {
  return sql`(case when ${refillDue(now)} then k.usage_refill_amount else k.usage_remaining end)`;
}

/**
 * Whether api_key.usage_low went out for the key's current cap: in the refill period holding
 * `now`, or ever for a cap without refill (setting the uses clears it).
 */
export function usageLowNoticed(now: Date): SQL {
  return sql`(k.usage_low_noticed_at is not null and (k.usage_refill_interval is null or k.usage_low_noticed_at >= date_trunc(k.usage_refill_interval, ${now.toISOString()}::timestamptz, 'UTC')))`;
}
