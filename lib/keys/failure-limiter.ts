/**
 * Limits failed verifications per client address: a fixed one-minute window per address,
 * remembered for at most `maxAddresses` addresses, so a flood of distinct addresses costs
 * bounded memory (the oldest are forgotten first).
 */
import { LRUCache } from 'lru-cache';

export class FailureLimiter {
  private readonly windows: LRUCache<string, { start: number; count: number }>;

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs = 60_000,
    maxAddresses = 100_000,
  ) {
    this.windows = new LRUCache({ max: maxAddresses });
  }

  /** Seconds until `address` may try again, or 0. */
  retryAfterSeconds(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (!window || now - window.start >= this.windowMs || window.count < this.maxFailures) return 0;
    return Math.ceil((window.start + this.windowMs - now) / 1000);
  }

  recordFailure(address: string, now = Date.now()): void {
    const window = this.windows.get(address);
    if (!window || now - window.start >= this.windowMs) this.windows.set(address, { start: now, count: 1 });
    else window.count++;
  }

  get size(): number {
    return this.windows.size;
  }
}
