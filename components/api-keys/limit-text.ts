/**
 * A key's limits in words, as the keys table and the key's page show them: "100 requests per
 * minute", "412 of 1,000 uses left, refills 1,000 monthly". Pure.
 */
import type { KeyLimitsJson, RateLimitJson, UsageJson } from '@/lib/limits/schemas';

const format = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many: string) => `${format(n)} ${n === 1 ? one : many}`;

export const hasLimits = (limits: KeyLimitsJson): boolean => limits.allowedAddresses !== null || limits.rateLimit !== null || limits.usage !== null;

const WINDOW_NAMES: Record<number, string> = { 1: 'second', 60: 'minute', 3600: 'hour' };

/** "100 requests per minute"; a window the console's choices do not name, in seconds or minutes. */
export function rateLimitText({ limit, windowSeconds }: RateLimitJson): string {
  const named = WINDOW_NAMES[windowSeconds];
  const window = named ?? (windowSeconds % 60 === 0 ? plural(windowSeconds / 60, 'minute', 'minutes') : plural(windowSeconds, 'second', 'seconds'));
  return `${plural(limit, 'request', 'requests')} per ${window}`;
}

/** "412 uses left", for the table. */
export const usesLeftText = (remaining: number): string => `${plural(remaining, 'use', 'uses')} left`;

/**
 * "412 of 1,000 uses left, refills 1,000 monthly", for the key's page: `cap` is the most uses the
 * key has held since its limit was set (null or below `remaining`: the count alone).
 */
export function usageText(usage: UsageJson, cap: number | null): string {
  const left = cap !== null && cap >= usage.remaining ? `${format(usage.remaining)} of ${plural(cap, 'use', 'uses')} left` : usesLeftText(usage.remaining);
  if (!usage.refill) return left;
  return `${left}, refills ${format(usage.refill.amount)} ${usage.refill.interval === 'day' ? 'daily' : 'monthly'}`;
}
