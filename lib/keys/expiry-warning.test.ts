import { expect, it } from 'vitest';
import { expiresInDays } from './expiry-warning';

it('counts whole days left within the warning window, rounded up, and nothing outside it', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const day = 86_400_000;
  expect(expiresInDays(null, now, 7)).toBeNull();
  expect(expiresInDays(new Date(now - 1), now, 7)).toBeNull();
  expect(expiresInDays(new Date(now), now, 7)).toBeNull();
  expect(expiresInDays(new Date(now + 1), now, 7)).toBe(1);
  expect(expiresInDays(new Date(now + day), now, 7)).toBe(1);
  expect(expiresInDays(new Date(now + day + 1).toISOString(), now, 7)).toBe(2);
  expect(expiresInDays(new Date(now + 7 * day), now, 7)).toBe(7);
  expect(expiresInDays(new Date(now + 7 * day + 1), now, 7)).toBeNull();
});
