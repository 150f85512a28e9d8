/**
 * "Last used" without slowing verification: a successful verification notes the key (and the
 * client address it was used from) here, and a timer writes last_used_at and last_used_address
 * at most once a minute per key, off the request path. Memory is bounded by the number of keys
 * remembered.
 */
import { sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { recordDatabaseError } from '@/lib/metrics/recorder';

export const USAGE_WRITE_INTERVAL_MS = 60_000;
/** Keys written by one statement at most. */
export const FLUSH_BATCH = 500;

export class UsageRecorder {
  private readonly lastWritten = new LRUCache<string, number>({ max: 200_000 });
  private readonly pending = new Map<string, { at: Date; address: string | null }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly getDb: () => Db,
    private readonly flushDelayMs = 1_000,
  ) {}

  /** `ms`: when, in milliseconds since the epoch; `address`: the client's, if known. */
  record(apiKeyId: string, ms: number, address: string | null = null): void {
    const last = this.lastWritten.get(apiKeyId);
    if (last !== undefined && ms - last < USAGE_WRITE_INTERVAL_MS) return;
    this.lastWritten.set(apiKeyId, ms);
    this.pending.set(apiKeyId, { at: new Date(ms), address: address || null });
    this.timer ??= setTimeout(() => void this.flush(), this.flushDelayMs).unref();
  }

  /**
   * Writes what is pending, up to FLUSH_BATCH keys a statement; a failed write is dropped (it is a
   * hint, not a record). A time never moves backwards: another node may have written a later one,
   * and the address goes with the time it was seen at.
   */
  async flush(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (let start = 0; start < batch.length; start += FLUSH_BATCH) {
      const rows = batch
        .slice(start, start + FLUSH_BATCH)
        .map(([apiKeyId, { at, address }]) => sql`(${apiKeyId}::uuid, ${at.toISOString()}::timestamptz, ${address}::text)`);
      const update = sql`update ${apiKeys} set last_used_at = greatest(coalesce(${apiKeys.lastUsedAt}, used.at), used.at),
            last_used_address = case when ${apiKeys.lastUsedAt} > used.at then ${apiKeys.lastUsedAddress} else used.address end
          from (values ${sql.join(rows, sql`, `)}) as used(id, at, address) where ${apiKeys.id} = used.id`;
      try {
        await this.getDb().execute(update);
      } catch (error) {
        recordDatabaseError(error);
      }
    }
  }
}
