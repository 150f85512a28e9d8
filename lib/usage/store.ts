/**
 * Writes counted verifications: every count a node holds goes to key_usage in one statement,
 * added to what other nodes (or earlier flushes) wrote for the same key, minute and code — never
 * overwriting it. The rows are sent as a handful of text arrays (unnest), so one statement
 * carries any number of rows in the same few parameters, on postgres.js and PGlite alike.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { keyUsage } from '@/db/schema';

/** One stored count: `minute` is the minute's start in milliseconds since the epoch (UTC). */
export type CountRow = { apiKeyId: string; projectId: string; minute: number; code: string; count: number };

export async function writeCounts(db: Db, rows: CountRow[]): Promise<void> {
  if (rows.length === 0) return;
  const column = (pick: (row: CountRow) => string | number) => rows.map(pick).join(',');
  await db.execute(sql`
    insert into ${keyUsage} (api_key_id, project_id, granularity, period_start, code, count)
    select k, p, 'minute', to_timestamp(m / 1000.0), c, n
      from unnest(
        string_to_array(${column((r) => r.apiKeyId)}, ',')::uuid[],
        string_to_array(${column((r) => r.projectId)}, ',')::uuid[],
        string_to_array(${column((r) => r.minute)}, ',')::bigint[],
        string_to_array(${column((r) => r.code)}, ','),
        string_to_array(${column((r) => r.count)}, ',')::bigint[]
      ) as counted(k, p, m, c, n)
    on conflict (api_key_id, period_start, granularity, code)
      do update set count = ${keyUsage.count} + excluded.count`);
}
