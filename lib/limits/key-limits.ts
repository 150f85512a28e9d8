/**
 * A looked-up key's limits, read once per record: the record is what the verify cache holds, and a
 * change to the key (its limits included) replaces it on every node through the change
 * notification, so each record's limits are fixed for its life.
 */
import type { VerifiedKey } from '@/lib/verify/verify';
import { addressMatcher, type AddressMatcher } from './address-matcher';
import type { UsageCap } from './caps';
import type { RateLimit } from './rate';

export type KeyLimits = { allowed: AddressMatcher | null; rate: RateLimit | null; cap: UsageCap | null };

const byRecord = new WeakMap<VerifiedKey, KeyLimits>();

export const hasLimits = (found: VerifiedKey): boolean => found.allowedAddresses !== null || found.rateLimit !== null || found.usageRemaining !== null;

export function limitsOf(found: VerifiedKey): KeyLimits {
  let limits = byRecord.get(found);
  if (limits === undefined) {
    limits = {
      allowed: found.allowedAddresses?.length ? addressMatcher(found.allowedAddresses) : null,
      rate: found.rateLimit !== null && found.rateLimitWindowSeconds !== null ? { limit: found.rateLimit, windowSeconds: found.rateLimitWindowSeconds } : null,
      cap:
        found.usageRemaining === null
          ? null
          : {
              remaining: found.usageRemaining,
              refill: found.usageRefillAmount !== null && found.usageRefillInterval !== null ? { amount: found.usageRefillAmount, interval: found.usageRefillInterval } : null,
              refilledAt: found.usageRefilledAt,
            },
    };
    byRecord.set(found, limits);
  }
  return limits;
}
