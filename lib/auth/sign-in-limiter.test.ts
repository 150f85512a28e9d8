import { describe, expect, it } from 'vitest';
import { reserveAttempt, SlidingWindowLimiter } from './sign-in-limiter';

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

describe('reserveAttempt', () => {
  const minute = 60_000;

  it('counts an attempt before it is judged, so no more than the limit are ever granted at once', () => {
    const limiter = new SlidingWindowLimiter({ maxFailures: 3, windowMs: minute });
    const granted = Array.from({ length: 10 }, () => reserveAttempt([[limiter, 'a']], 0)).filter((r) => r.granted);
    expect(granted).toHaveLength(3);
    expect(reserveAttempt([[limiter, 'a']], 1)).toEqual({ granted: false, retryAfterMs: minute - 1 });
  });

  it('takes a forgiven attempt back, and only that one', () => {
    const limiter = new SlidingWindowLimiter({ maxFailures: 2, windowMs: minute });
    limiter.recordFailure('a', 0);
    const attempt = reserveAttempt([[limiter, 'a']], 10);
    expect(limiter.retryAfterMs('a', 20)).toBeGreaterThan(0);
    if (attempt.granted) attempt.forgive();
    expect(limiter.retryAfterMs('a', 20)).toBe(0);
    expect(reserveAttempt([[limiter, 'a']], 20).granted).toBe(true);
    expect(reserveAttempt([[limiter, 'a']], 30).granted).toBe(false);
  });

  it('counts in no limiter when any of them refuses', () => {
    const byEmail = new SlidingWindowLimiter({ maxFailures: 1, windowMs: minute });
    const byAddress = new SlidingWindowLimiter({ maxFailures: 5, windowMs: minute });
    byEmail.recordFailure('e', 0);
    expect(reserveAttempt([[byEmail, 'e'], [byAddress, 'x']], 1).granted).toBe(false);
    expect(byAddress.retryAfterMs('x', 1)).toBe(0);
    for (let i = 0; i < 4; i++) byAddress.recordFailure('x', 1);
    expect(reserveAttempt([[byEmail, 'other'], [byAddress, 'x']], 2).granted).toBe(true);
    expect(reserveAttempt([[byEmail, 'e'], [byAddress, 'x']], 3).granted).toBe(false);
  });
});
