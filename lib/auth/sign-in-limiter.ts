/**
 * Limits failed sign-in attempts per email and per client address within a sliding window.
 * An attempt is counted before its password is checked and forgiven if it succeeds
 * (reserveAttempt), so attempts sent in parallel cannot all be judged before any of them counts.
 * In memory and per process: memory is bounded by evicting the oldest keys, and a deployment
 * of N nodes allows at most N times the limit (README.md says so).
 */
import { positiveIntFromEnv } from '@/lib/config/env';

export type LimiterOptions = { maxFailures: number; windowMs: number; maxKeys?: number };

export class SlidingWindowLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(private readonly options: LimiterOptions) {
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /** Milliseconds until `key` may try again, or 0 if it may now. */
  retryAfterMs(key: string, now = Date.now()): number {
    const times = this.recent(key, now);
    if (times.length < this.options.maxFailures) return 0;
    return times[times.length - this.options.maxFailures]! + this.options.windowMs - now;
  }

  recordFailure(key: string, now = Date.now()): void {
    const times = this.recent(key, now);
    times.push(now);
    // Re-inserting moves the key to the end, so the Map's first key is the least recently failed.
    this.failures.delete(key);
    this.failures.set(key, times.slice(-this.options.maxFailures));
    while (this.failures.size > this.maxKeys) {
      this.failures.delete(this.failures.keys().next().value!);
    }
  }

  /** Takes back one failure recorded at `at`: the attempt counted in advance succeeded. */
  forgive(key: string, at: number): void {
    const times = this.failures.get(key);
    const index = times?.lastIndexOf(at) ?? -1;
    if (index >= 0) times!.splice(index, 1);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key) ?? [];
    return times.filter((t) => t > now - this.options.windowMs);
  }
}

/** An attempt counted in every limiter at once, before it is judged, or the wait if any refuses. */
export type Reservation = { granted: true; forgive(): void } | { granted: false; retryAfterMs: number };

/**
 * Checks and counts in one synchronous step, with no await in between: of any number of attempts
 * started together, only as many as the limit are granted.
 */
export function reserveAttempt(slots: ReadonlyArray<readonly [SlidingWindowLimiter, string]>, now = Date.now()): Reservation {
  const retryAfterMs = Math.max(0, ...slots.map(([limiter, key]) => limiter.retryAfterMs(key, now)));
  if (retryAfterMs > 0) return { granted: false, retryAfterMs };
  for (const [limiter, key] of slots) limiter.recordFailure(key, now);
  return {
    granted: true,
    forgive: () => {
      for (const [limiter, key] of slots) limiter.forgive(key, now);
    },
  };
}

export type SignInLimiters = { byEmail: SlidingWindowLimiter; byAddress: SlidingWindowLimiter };

const globalForLimiter = globalThis as unknown as { keywardSignInLimiters?: SignInLimiters };

export function signInLimiters(): SignInLimiters {
  if (!globalForLimiter.keywardSignInLimiters) {
    const windowMs = positiveIntFromEnv('KEYWARD_SIGNIN_WINDOW_SECONDS', 15 * 60) * 1000;
    globalForLimiter.keywardSignInLimiters = {
      byEmail: new SlidingWindowLimiter({ maxFailures: positiveIntFromEnv('KEYWARD_SIGNIN_MAX_FAILURES_PER_EMAIL', 5), windowMs }),
      byAddress: new SlidingWindowLimiter({ maxFailures: positiveIntFromEnv('KEYWARD_SIGNIN_MAX_FAILURES_PER_ADDRESS', 50), windowMs }),
    };
  }
  return globalForLimiter.keywardSignInLimiters;
}
