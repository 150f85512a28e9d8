import { describe, expect, it } from 'vitest';
import { hasLimits, rateLimitText, usageText, usesLeftText } from './limit-text';

describe('limits in words', () => {
  it('says a rate per second, minute, hour, or the window the API set', () => {
    expect(rateLimitText({ limit: 100, windowSeconds: 60 })).toBe('100 requests per minute');
    expect(rateLimitText({ limit: 1, windowSeconds: 1 })).toBe('1 request per second');
    expect(rateLimitText({ limit: 5000, windowSeconds: 3600 })).toBe('5,000 requests per hour');
    expect(rateLimitText({ limit: 10, windowSeconds: 30 })).toBe('10 requests per 30 seconds');
    expect(rateLimitText({ limit: 10, windowSeconds: 300 })).toBe('10 requests per 5 minutes');
  });

  it('says the uses left, of how many, and the refill', () => {
    expect(usesLeftText(412)).toBe('412 uses left');
    expect(usesLeftText(1)).toBe('1 use left');
    expect(usageText({ remaining: 412, refill: { amount: 1000, interval: 'month' } }, 1000)).toBe('412 of 1,000 uses left, refills 1,000 monthly');
    expect(usageText({ remaining: 0, refill: { amount: 20, interval: 'day' } }, 20)).toBe('0 of 20 uses left, refills 20 daily');
    expect(usageText({ remaining: 1, refill: null }, 1)).toBe('1 of 1 use left');
    // No cap known, or one below the count: the count alone.
    expect(usageText({ remaining: 7, refill: null }, null)).toBe('7 uses left');
    expect(usageText({ remaining: 7, refill: null }, 5)).toBe('7 uses left');
  });

  it('knows a key with any limit', () => {
    expect(hasLimits({ allowedAddresses: null, rateLimit: null, usage: null })).toBe(false);
    expect(hasLimits({ allowedAddresses: ['192.0.2.1'], rateLimit: null, usage: null })).toBe(true);
    expect(hasLimits({ allowedAddresses: null, rateLimit: { limit: 1, windowSeconds: 1 }, usage: null })).toBe(true);
    expect(hasLimits({ allowedAddresses: null, rateLimit: null, usage: { remaining: 0, refill: null } })).toBe(true);
  });
});
