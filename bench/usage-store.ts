/**
 * bench:usage's view of key_usage after a run: what is stored (the sum, per code, rows per
 * granularity, the keys × codes seen, the bytes), and the retention that a day of the same load
 * would leave at each tier, extrapolated from it under the rollup's settings (lib/usage/rollup.ts).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { keyUsage } from '@/db/schema';
import { usageRetention } from '@/lib/usage/rollup';

export type StoredUsage = {
  total: number;
  byCode: Record<string, number>;
  rows: Record<'minute' | 'hour' | 'day', number>;
  /** Distinct (key, code) pairs: the most rows any one period can hold. */
  pairs: number;
  /** Table and indexes, after VACUUM. */
  bytes: number;
};

export async function storedUsage(db: Db): Promise<StoredUsage> {
  await db.execute(sql`vacuum (analyze) ${keyUsage}`);
  const groups = await queryRows<{ code: string; granularity: 'minute' | 'hour' | 'day'; rows: number; total: string | number }>(
    db,
    sql`select code, granularity, count(*)::int as rows, sum(count) as total from ${keyUsage} group by 1, 2`,
  );
  const usage: StoredUsage = { total: 0, byCode: {}, rows: { minute: 0, hour: 0, day: 0 }, pairs: 0, bytes: 0 };
  for (const group of groups) {
    usage.total += Number(group.total);
    usage.byCode[group.code] = (usage.byCode[group.code] ?? 0) + Number(group.total);
    usage.rows[group.granularity] += group.rows;
  }
  const [facts] = await queryRows<{ pairs: number; bytes: string | number }>(
    db,
    sql`select (select count(*)::int from (select distinct api_key_id, code from ${keyUsage}) p) as pairs,
               pg_total_relation_size('key_usage') as bytes`,
  );
  usage.pairs = facts?.pairs ?? 0;
  usage.bytes = Number(facts?.bytes ?? 0);
  return usage;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * A day of this load, kept as the rollup keeps it: a minute holds at most one row per (key, code)
 * pair, and as many as the load touched per minute; an hour and a day hold every pair seen.
 */
export function printRetention(stored: StoredUsage, loadMinutes: number): void {
  const retention = usageRetention();
  const rowBytes = stored.bytes / Math.max(1, stored.rows.minute + stored.rows.hour + stored.rows.day);
  const measuredPerMinute = stored.rows.minute / loadMinutes;
  const perMinute = Math.min(stored.pairs, measuredPerMinute);
  const tiers = [
    { label: 'minute rows', perDay: perMinute * 1440, keptDays: retention.minutesForMs / DAY_MS },
    { label: 'hour rows', perDay: stored.pairs * 24, keptDays: (retention.hoursForMs - retention.minutesForMs) / DAY_MS },
    { label: 'day rows', perDay: stored.pairs, keptDays: (retention.daysForMs - retention.hoursForMs) / DAY_MS },
  ];
  console.log(
    `stored: ${fmt(stored.rows.minute)} minute rows (${fmt(measuredPerMinute)} per minute of load), ${fmt(stored.pairs)} key × code pairs, ` +
      `${fmt(stored.bytes / 1024 / 1024, 1)} MiB with indexes (${fmt(rowBytes)} bytes a row)`,
  );
  console.log(`retention, extrapolated to this load all day long (${fmt(perMinute)} minute rows a minute; every pair in every hour and day):`);
  let held = 0;
  for (const tier of tiers) {
    const rows = tier.perDay * tier.keptDays;
    held += rows;
    console.log(`  ${tier.label.padEnd(11)} ${fmt(tier.perDay).padStart(13)} per day · kept ${fmt(tier.keptDays, 0).padStart(3)} days · ${fmt(rows).padStart(14)} held`);
  }
  console.log(`  held in all once steady: ${fmt(held)} rows ≈ ${fmt((held * rowBytes) / 1024 ** 3, 1)} GiB`);
}
