import { describe, expect, it } from 'vitest';
import { reconnectDelaySeconds } from './client';

describe('reconnectDelaySeconds', () => {
  it('grows with the failures in a row, and never past half a second however long the outage', () => {
    for (const retries of [1, 3, 6, 10, 40, 1_000]) {
      for (let i = 0; i < 50; i++) {
        const delay = reconnectDelaySeconds(retries);
        const full = Math.min(0.01 * 2 ** retries, 0.5);
        expect(delay).toBeGreaterThanOrEqual(full / 2);
        expect(delay).toBeLessThanOrEqual(full);
      }
    }
    expect(reconnectDelaySeconds(1)).toBeLessThan(0.05);
    expect(reconnectDelaySeconds(1_000)).toBeGreaterThanOrEqual(0.25);
  });
});
