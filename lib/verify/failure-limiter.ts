/**
 * Limits failed verifications per client address: a fixed window per address (one minute, or
 * KEYWARD_VERIFY_FAILURE_WINDOW_SECONDS), remembered for at most `maxAddresses` addresses, so a
 * flood of distinct addresses costs bounded memory (the oldest are forgotten first). An IPv6
 * address counts by its /64 (rateLimitBucket). Shared by
 * POST /api/v1/keys/verify and the REST API's bearer keys.
 */
import { LRUCache } from 'lru-cache';
import { rateLimitBucket } from '@/lib/api/client-address';
import { positiveIntFromEnv } from '@/lib/config/env';

/** The window's length; short windows let tests watch a limit reached and lifted. */
export function failureWindowMsFromEnv(): number {
  return positiveIntFromEnv('KEYWARD_VERIFY_FAILURE_WINDOW_SECONDS', 60) * 1000;
}

export class FailureLimiter {
  private readonly windows: LRUCache<string, { start: number; count: number }>;

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs = failureWindowMsFromEnv(),
    maxAddresses = 100_000,
  ) {
    this.windows = new LRUCache({ max: maxAddresses });
  }

  /** Seconds until `address` may try again, or 0. */
  retryAfterSeconds(address: string, now = Date.now()): number {
    const window = this.windows.get(rateLimitBucket(address));
    if (!window || now - window.start >= this.windowMs || window.count < this.maxFailures) return 0;
    return Math.ceil((window.start + this.windowMs - now) / 1000);
  }

  recordFailure(address: string, now = Date.now()): void {
    const bucket = rateLimitBucket(address);
    const window = this.windows.get(bucket);
    if (!window || now - window.start >= this.windowMs) this.windows.set(bucket, { start: now, count: 1 });
    else window.count++;
  }

  get size(): number {
    return this.windows.size;
  }
}
