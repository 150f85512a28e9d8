import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './sign-in-limiter';

describe('SlidingWindowLimiter', () => {
  const minute = 60_000;

  it('allows up to the limit of failures, then gives the wait until the oldest one leaves the window', () => {
    const limiter = new SlidingWindowLimiter({ maxFailures: 3, windowMs: minute });
    const t0 = 1_000_000;
    limiter.recordFailure('a', t0);
    limiter.recordFailure('a', t0 + 10_000);
    expect(limiter.retryAfterMs('a', t0 + 20_000)).toBe(0);
    limiter.recordFailure('a', t0 + 20_000);
    expect(limiter.retryAfterMs('a', t0 + 30_000)).toBe(30_000);
    // The first failure leaves the window at t0 + 60 s.
    expect(limiter.retryAfterMs('a', t0 + minute + 1)).toBe(0);
    expect(limiter.retryAfterMs('b', t0 + 30_000)).toBe(0);
  });

  it('forgets a key on reset', () => {
    const limiter = new SlidingWindowLimiter({ maxFailures: 1, windowMs: minute });
    limiter.recordFailure('a', 0);
    expect(limiter.retryAfterMs('a', 1)).toBeGreaterThan(0);
    limiter.reset('a');
    expect(limiter.retryAfterMs('a', 1)).toBe(0);
  });

  it('keeps memory bounded under a flood of distinct keys, evicting the least recent', () => {
    const limiter = new SlidingWindowLimiter({ maxFailures: 1, windowMs: minute, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`flood-${i}`, 0);
    expect(limiter.retryAfterMs('flood-9999', 1)).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('flood-0', 1)).toBe(0);
    expect((limiter as unknown as { failures: Map<string, number[]> }).failures.size).toBe(100);
  });
});
