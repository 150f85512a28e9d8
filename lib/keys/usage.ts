/**
 * "Last used" without slowing verification: a successful verification notes the key here, and
 * a timer writes last_used_at at most once a minute per key, off the request path. Memory is
 * bounded by the number of keys remembered.
 */
import { eq, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';

export const USAGE_WRITE_INTERVAL_MS = 60_000;

export class UsageRecorder {
  private readonly lastWritten = new LRUCache<string, number>({ max: 200_000 });
  private readonly pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly getDb: () => Db,
    private readonly flushDelayMs = 1_000,
  ) {}

  record(apiKeyId: string, at: Date): void {
    const last = this.lastWritten.get(apiKeyId);
    if (last !== undefined && at.getTime() - last < USAGE_WRITE_INTERVAL_MS) return;
    this.lastWritten.set(apiKeyId, at.getTime());
    this.pending.set(apiKeyId, at);
    this.timer ??= setTimeout(() => void this.flush(), this.flushDelayMs).unref();
  }

  /** Writes what is pending; a failed write is dropped (it is a hint, not a record). */
  async flush(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [apiKeyId, at] of batch) {
      await this.getDb()
        .update(apiKeys)
        .set({ lastUsedAt: sql`greatest(coalesce(${apiKeys.lastUsedAt}, ${at}), ${at})` })
        .where(eq(apiKeys.id, apiKeyId))
        .catch(() => undefined);
    }
  }
}
