import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter';

describe('FailureLimiter', () => {
  it('limits one address after its failures, until the window ends', () => {
    const limiter = new FailureLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) limiter.recordFailure('203.0.113.1', 1_000);
    expect(limiter.retryAfterSeconds('203.0.113.1', 1_000)).toBe(60);
    expect(limiter.retryAfterSeconds('203.0.113.2', 1_000)).toBe(0);
    expect(limiter.retryAfterSeconds('203.0.113.1', 61_000)).toBe(0);
  });

  it('counts an IPv6 client by its /64, so changing the low bits does not start afresh', () => {
    const limiter = new FailureLimiter(3, 60_000);
    for (let i = 1; i <= 3; i++) limiter.recordFailure(`2001:db8:5:6::${i}`, 1_000);
    expect(limiter.retryAfterSeconds('2001:db8:5:6:ffff::9', 1_000)).toBe(60);
    expect(limiter.retryAfterSeconds('2001:db8:5:7::1', 1_000)).toBe(0);
  });

  it('keeps bounded memory under a flood of distinct addresses, forgetting the oldest first', () => {
    const limiter = new FailureLimiter(3, 60_000, 1_000);
    for (let i = 0; i < 3; i++) limiter.recordFailure('198.51.100.7', 0);
    for (let i = 0; i < 200_000; i++) limiter.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 0);
    expect(limiter.size).toBe(1_000);
    // The flood pushed the old offender out: the price of bounded memory, stated in SECURITY.md.
    expect(limiter.retryAfterSeconds('198.51.100.7', 0)).toBe(0);
    const last = `10.${(199_999 >> 16) & 255}.${(199_999 >> 8) & 255}.${199_999 & 255}`;
    for (let i = 0; i < 2; i++) limiter.recordFailure(last, 0);
    expect(limiter.retryAfterSeconds(last, 0)).toBe(60);
  });
});
