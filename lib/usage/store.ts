/**
 * Writes counted verifications: every count a node holds goes to the store in one statement,
 * added to what other nodes (or earlier flushes) wrote for the same key, period and code — never
 * overwriting it. Each count is added at every grain (its minute, hour and day rows of key_usage)
 * and to its project's rows of project_usage, so that a read of a day or a month, or of a whole
 * project, sums a few coarse rows instead of every minute of every key. The rows are sent as a
 * handful of text arrays (unnest), so one statement carries any number of rows in the same few
 * parameters, on postgres.js and PGlite alike; rows are upserted in one order, so that two
 * nodes' statements over the same rows queue rather than deadlock. The same statement marks the
 * projects' stored top-key rankings out of date (lib/usage/rankings.ts).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { keyUsage, projectUsage, usageRankings } from '@/db/schema';
import { GRANULARITIES } from './schemas';

/** One stored count: `minute` is the minute's start in milliseconds since the epoch (UTC). */
export type CountRow = { apiKeyId: string; projectId: string; minute: number; code: string; count: number };

export async function writeCounts(db: Db, rows: CountRow[]): Promise<void> {
  if (rows.length === 0) return;
  const column = (pick: (row: CountRow) => string | number) => rows.map(pick).join(',');
  await db.execute(sql`
    with counted as (
      select k, p, to_timestamp(m / 1000.0) as at, c, n
        from unnest(
          string_to_array(${column((r) => r.apiKeyId)}, ',')::uuid[],
          string_to_array(${column((r) => r.projectId)}, ',')::uuid[],
          string_to_array(${column((r) => r.minute)}, ',')::bigint[],
          string_to_array(${column((r) => r.code)}, ','),
          string_to_array(${column((r) => r.count)}, ',')::bigint[]
        ) as counted(k, p, m, c, n)
    ), graded as (
      select k, p, g::usage_granularity as g, date_trunc(g, at, 'UTC') as s, c, sum(n) as n
        from counted cross join unnest(string_to_array(${GRANULARITIES.join(',')}, ',')) as grain(g)
       group by 1, 2, 3, 4, 5
    ), keys as (
      insert into ${keyUsage} (api_key_id, project_id, granularity, period_start, code, count)
      select k, p, g, s, c, n from graded order by k, s, g, c
      on conflict (api_key_id, period_start, granularity, code)
        do update set count = ${keyUsage.count} + excluded.count
    ), ranked as (
      update ${usageRankings} set version = ${usageRankings.version} + 1
       where project_id in (select distinct p from counted)
    )
    insert into ${projectUsage} (project_id, granularity, period_start, code, count)
    select p, g, s, c, sum(n) from graded group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (project_id, granularity, period_start, code)
      do update set count = ${projectUsage.count} + excluded.count`);
}
