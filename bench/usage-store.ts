/**
 * bench:usage's view of the usage store after a run: what is stored (the sum of the minute rows,
 * per code, and of every other grain and of the project's rows, which must agree; rows per grain,
 * the keys × codes seen, the bytes), and the rows that a day of the same load would leave at each
 * grain, extrapolated from it under the retention settings (lib/usage/rollup.ts).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { keyUsage, projectUsage } from '@/db/schema';
import { usageRetention } from '@/lib/usage/rollup';

type Grain = 'minute' | 'hour' | 'day';

export type StoredUsage = {
  /** The minute rows' sum, and per code. */
  total: number;
  byCode: Record<string, number>;
  /** Each grain's sum in key_usage, and in project_usage: each equals `total`. */
  sums: Record<`key ${Grain}` | `project ${Grain}`, number>;
  rows: Record<Grain, number>;
  /** Distinct (key, code) pairs: the most rows any one period can hold. */
  pairs: number;
};

export async function storedUsage(db: Db): Promise<StoredUsage> {
  await db.execute(sql`vacuum (analyze) ${keyUsage}, ${projectUsage}`);
  const groups = await queryRows<{ source: 'key' | 'project'; code: string; granularity: Grain; rows: number; total: string | number }>(
    db,
    sql`select 'key' as source, code, granularity, count(*)::int as rows, sum(count) as total from ${keyUsage} group by 2, 3
        union all
        select 'project', code, granularity, count(*)::int, sum(count) from ${projectUsage} group by 2, 3`,
  );
  const usage: StoredUsage = {
    total: 0,
    byCode: {},
    sums: { 'key minute': 0, 'key hour': 0, 'key day': 0, 'project minute': 0, 'project hour': 0, 'project day': 0 },
    rows: { minute: 0, hour: 0, day: 0 },
    pairs: 0,
  };
  for (const group of groups) {
    usage.sums[`${group.source} ${group.granularity}`] += Number(group.total);
    if (group.source === 'project') continue;
    usage.rows[group.granularity] += group.rows;
    if (group.granularity !== 'minute') continue;
    usage.total += Number(group.total);
    usage.byCode[group.code] = (usage.byCode[group.code] ?? 0) + Number(group.total);
  }
  const [facts] = await queryRows<{ pairs: number }>(db, sql`select count(*)::int as pairs from (select distinct api_key_id, code from ${keyUsage}) p`);
  usage.pairs = facts?.pairs ?? 0;
  return usage;
}

/**
 * key_usage's bytes (table and indexes) per row once rewritten compactly (VACUUM FULL): the
 * hour and day rows are updated by every flush, and the dead versions they leave, which plain
 * VACUUM frees for reuse without shrinking the files, would inflate a figure meant for a steady state.
 */
export async function compactRowBytes(db: Db): Promise<{ bytes: number; perRow: number }> {
  await db.execute(sql`vacuum full ${keyUsage}`);
  const [size] = await queryRows<{ bytes: string | number; rows: number }>(
    db,
    sql`select pg_total_relation_size('key_usage') as bytes, (select count(*)::int from ${keyUsage}) as rows`,
  );
  const bytes = Number(size?.bytes ?? 0);
  return { bytes, perRow: bytes / Math.max(1, size?.rows ?? 0) };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const DAY_MS = 86_400_000;

/**
 * A day of this load, kept as retention keeps it: a minute holds at most one row per (key, code)
 * pair, and as many as the load touched per minute; an hour and a day hold every pair seen.
 * Every grain is written from the first minute, and each is kept for its own retention.
 */
export function printRetention(stored: StoredUsage, loadMinutes: number, size: { bytes: number; perRow: number }): void {
  const retention = usageRetention();
  const rowBytes = size.perRow;
  const measuredPerMinute = stored.rows.minute / loadMinutes;
  const perMinute = Math.min(stored.pairs, measuredPerMinute);
  const tiers = [
    { label: 'minute rows', perDay: perMinute * 1440, keptDays: retention.minutesForMs / DAY_MS },
    { label: 'hour rows', perDay: stored.pairs * 24, keptDays: retention.hoursForMs / DAY_MS },
    { label: 'day rows', perDay: stored.pairs, keptDays: retention.daysForMs / DAY_MS },
  ];
  console.log(
    `stored: ${fmt(stored.rows.minute)} minute, ${fmt(stored.rows.hour)} hour and ${fmt(stored.rows.day)} day rows ` +
      `(${fmt(measuredPerMinute)} minute rows per minute of load), ${fmt(stored.pairs)} key × code pairs, ` +
      `${fmt(size.bytes / 1024 / 1024, 1)} MiB with indexes once compact (${fmt(rowBytes)} bytes a row)`,
  );
  console.log(`retention, extrapolated to this load all day long (${fmt(perMinute)} minute rows a minute; every pair in every hour and day):`);
  let held = 0;
  for (const tier of tiers) {
    const rows = tier.perDay * tier.keptDays;
    held += rows;
    console.log(`  ${tier.label.padEnd(11)} ${fmt(tier.perDay).padStart(13)} per day · kept ${fmt(tier.keptDays, 0).padStart(3)} days · ${fmt(rows).padStart(14)} held`);
  }
  console.log(`  held in all once steady: ${fmt(held)} key rows ≈ ${fmt((held * rowBytes) / 1024 ** 3, 1)} GiB (project_usage: a few rows per period, besides)`);
}
