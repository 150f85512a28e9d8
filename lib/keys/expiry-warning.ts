/**
 * When a key's coming expiry is worth a warning: within KEYWARD_EXPIRY_WARNING_DAYS (7) days. The
 * table, the key's page, the API Keys banner and the `api_key.expiring` notices all ask here.
 */
import { positiveIntFromEnv } from '@/lib/config/env';

export const DAY_MS = 86_400_000;

export function expiryWarningDays(): number {
  return positiveIntFromEnv('KEYWARD_EXPIRY_WARNING_DAYS', 7);
}

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
