/**
 * Whole days until a key expires, for the warnings. Pure arithmetic, so that the browser's keys
 * table reads it without the server's settings (lib/keys/expiry-warning.ts).
 */
export const DAY_MS = 86_400_000;

/**
 * Whole days left, rounded up ("Expires in 1 day" until it expires), when the key expires within
 * `warningDays` of `now`; null when it never expires, has expired, or is further off.
 */
export function expiresInDays(expiresAt: Date | string | null, now: number, warningDays: number): number | null {
  if (expiresAt === null) return null;
  const left = new Date(expiresAt).getTime() - now;
  if (left <= 0 || left > warningDays * DAY_MS) return null;
  return Math.ceil(left / DAY_MS);
}
