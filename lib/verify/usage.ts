/**
 * "Last used" without slowing verification: a successful verification notes the key here, and
 * a timer writes last_used_at at most once a minute per key, off the request path. Memory is
 * bounded by the number of keys remembered.
 */
import { sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';

export const USAGE_WRITE_INTERVAL_MS = 60_000;
/** Keys written by one statement at most. */
export const FLUSH_BATCH = 500;

export class UsageRecorder {
  private readonly lastWritten = new LRUCache<string, number>({ max: 200_000 });
  private readonly pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly getDb: () => Db,
    private readonly flushDelayMs = 1_000,
  ) {}

  /** `ms`: when, in milliseconds since the epoch. */
  record(apiKeyId: string, ms: number): void {
    const last = this.lastWritten.get(apiKeyId);
    if (last !== undefined && ms - last < USAGE_WRITE_INTERVAL_MS) return;
    this.lastWritten.set(apiKeyId, ms);
    this.pending.set(apiKeyId, new Date(ms));
    this.timer ??= setTimeout(() => void this.flush(), this.flushDelayMs).unref();
  }

  /**
   * Writes what is pending, up to FLUSH_BATCH keys a statement; a failed write is dropped (it is a
   * hint, not a record). A time never moves backwards: another node may have written a later one.
   */
  async flush(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (let start = 0; start < batch.length; start += FLUSH_BATCH) {
      const rows = batch.slice(start, start + FLUSH_BATCH).map(([apiKeyId, at]) => sql`(${apiKeyId}::uuid, ${at.toISOString()}::timestamptz)`);
      await this.getDb()
        .execute(
          sql`update ${apiKeys} set last_used_at = greatest(coalesce(${apiKeys.lastUsedAt}, used.at), used.at)
              from (values ${sql.join(rows, sql`, `)}) as used(id, at) where ${apiKeys.id} = used.id`,
        )
        .catch(() => undefined);
    }
  }
}
