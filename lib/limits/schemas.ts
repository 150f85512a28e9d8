/**
 * A key's limits as the REST API and the console give and show them, and the rule that a key
 * never makes or edits a key with fewer limits than its own.
 */
import { z } from 'zod';
import { DomainError } from '@/lib/errors';
import { addressRange, MAX_ALLOWED_ADDRESSES, parseAllowedAddresses } from './addresses';
import { effectiveRemaining, type RefillInterval } from './caps';

export const MAX_RATE_LIMIT = 1_000_000;
export const MAX_WINDOW_SECONDS = 3_600;
export const MAX_USES = 1_000_000_000_000;

export type RateLimitJson = { limit: number; windowSeconds: number };
export type UsageJson = { remaining: number; refill: { amount: number; interval: RefillInterval } | null };
export type KeyLimitsJson = { allowedAddresses: string[] | null; rateLimit: RateLimitJson | null; usage: UsageJson | null };

export const allowedAddressesSchema = z
  .array(z.string({ error: 'Each allowed address must be a string.' }), { error: 'allowedAddresses must be an array of addresses and CIDR ranges, or null.' })
  .max(MAX_ALLOWED_ADDRESSES, `At most ${MAX_ALLOWED_ADDRESSES} allowed addresses or ranges.`)
  .nullable()
  .transform((lines, context) => {
    if (lines === null || lines.length === 0) return null;
    const parsed = parseAllowedAddresses(lines);
    if (parsed.ok) return parsed.addresses;
    for (const { line, message } of parsed.errors) context.addIssue({ code: 'custom', path: [line - 1], message: `line ${line}: ${message}` });
    return z.NEVER;
  })
  .meta({ description: `IPv4 and IPv6 addresses and CIDR ranges (at most ${MAX_ALLOWED_ADDRESSES}) the key may be used from: verify checks its \`clientAddress\` (else the caller's address), REST calls their own client address. Stored in canonical form. \`0.0.0.0/0\` and \`::/0\` are refused: leave the list out (null) to allow every address.`, example: ['203.0.113.0/24', '2001:db8::/32'] });

export const rateLimitSchema = z
  .strictObject({
    limit: z.int({ error: 'rateLimit.limit must be a whole number.' }).min(1, 'rateLimit.limit must be at least 1.').max(MAX_RATE_LIMIT, `rateLimit.limit must be at most ${MAX_RATE_LIMIT}.`),
    windowSeconds: z.int({ error: 'rateLimit.windowSeconds must be a whole number.' }).min(1, 'rateLimit.windowSeconds must be at least 1.').max(MAX_WINDOW_SECONDS, 'rateLimit.windowSeconds must be at most 3600 (an hour).'),
  })
  .nullable()
  .meta({ description: 'At most `limit` verifications per `windowSeconds` (1 s to 1 h), over a sliding window, shared by every node: past it verify answers RATE_LIMITED with `retryAfterSeconds`, REST 429 with Retry-After.' });

export const usageSchema = z
  .strictObject({
    remaining: z.int({ error: 'usage.remaining must be a whole number.' }).min(0, 'usage.remaining cannot be negative.').max(MAX_USES),
    refill: z
      .strictObject({
        amount: z.int({ error: 'usage.refill.amount must be a whole number.' }).min(1, 'usage.refill.amount must be at least 1.').max(MAX_USES),
        interval: z.enum(['day', 'month'], { error: 'usage.refill.interval must be "day" or "month".' }),
      })
      .nullable()
      .optional()
      .transform((refill) => refill ?? null),
  })
  .nullable()
  .meta({ description: 'Uses left: each VALID verification spends one; at zero verify answers USAGE_EXCEEDED (REST 429 `usage_exceeded`) until the refill, which sets `remaining` to `amount` at the start of each UTC day or month.' });

/** The limit fields of create and PATCH: absent leaves a field as it is (create: none), null removes it. */
export const limitFields = {
  allowedAddresses: allowedAddressesSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
  usage: usageSchema.optional(),
};

/** The limit fields as a caller gives them (`usage.refill` may be left out: no refill). */
export type LimitInput = { allowedAddresses?: string[] | null; rateLimit?: RateLimitJson | null; usage?: { remaining: number; refill?: UsageJson['refill'] } | null };

/** The api_keys columns of a key's limits. */
export type LimitColumns = {
  allowedAddresses: string[] | null;
  rateLimit: number | null;
  rateLimitWindowSeconds: number | null;
  usageRemaining: number | null;
  usageCap: number | null;
  usageRefillAmount: number | null;
  usageRefillInterval: RefillInterval | null;
  usageRefilledAt: Date | null;
};

/** The limits of a key, as verification and the rules read them. */
export type LimitState = Omit<LimitColumns, 'usageCap'>;

/** A key's limits when it has none (tests build verification records with it). */
export const NO_LIMITS: Readonly<LimitState> = Object.freeze({
  allowedAddresses: null,
  rateLimit: null,
  rateLimitWindowSeconds: null,
  usageRemaining: null,
  usageRefillAmount: null,
  usageRefillInterval: null,
  usageRefilledAt: null,
});

export const NO_LIMIT_COLUMNS: LimitColumns = { ...NO_LIMITS, usageCap: null };

/** What the audit log records of a limit change: each limit given, as JSON, before and after. */
export function limitChanges(before: LimitState, after: LimitState, given: { allowedAddresses?: unknown; rateLimit?: unknown; usage?: unknown }, now: Date): Record<string, { from: unknown; to: unknown }> {
  const from = limitsJson(before, now);
  const to = limitsJson(after, now);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of ['allowedAddresses', 'rateLimit', 'usage'] as const) {
    if (given[field] !== undefined && JSON.stringify(from[field]) !== JSON.stringify(to[field])) changes[field] = { from: from[field], to: to[field] };
  }
  return changes;
}

/** The columns to write for the limits given (only those given). */
export function limitColumns(input: { allowedAddresses?: string[] | null; rateLimit?: RateLimitJson | null; usage?: UsageJson | null }, now: Date): Partial<LimitColumns> {
  const columns: Partial<LimitColumns> = {};
  if (input.allowedAddresses !== undefined) columns.allowedAddresses = input.allowedAddresses;
  if (input.rateLimit !== undefined) {
    columns.rateLimit = input.rateLimit?.limit ?? null;
    columns.rateLimitWindowSeconds = input.rateLimit?.windowSeconds ?? null;
  }
  if (input.usage !== undefined) {
    const usage = input.usage;
    columns.usageRemaining = usage?.remaining ?? null;
    columns.usageCap = usage ? Math.max(usage.remaining, usage.refill?.amount ?? 0) : null;
    columns.usageRefillAmount = usage?.refill?.amount ?? null;
    columns.usageRefillInterval = usage?.refill?.interval ?? null;
    // Set now: the first refill is at the start of the next period.
    columns.usageRefilledAt = usage?.refill ? now : null;
  }
  return columns;
}

/** The limits of a key's row as JSON, the uses left counted at `now` (a refill due is applied). */
export function limitsJson(row: LimitState, now: Date): KeyLimitsJson {
  const refill = row.usageRefillAmount !== null && row.usageRefillInterval !== null ? { amount: row.usageRefillAmount, interval: row.usageRefillInterval } : null;
  return {
    allowedAddresses: row.allowedAddresses?.length ? row.allowedAddresses : null,
    rateLimit: row.rateLimit !== null && row.rateLimitWindowSeconds !== null ? { limit: row.rateLimit, windowSeconds: row.rateLimitWindowSeconds } : null,
    usage: row.usageRemaining === null ? null : { remaining: effectiveRemaining({ remaining: row.usageRemaining, refill, refilledAt: row.usageRefilledAt }, now.getTime()), refill },
  };
}

export const FEWER_LIMITS_MESSAGE = 'A key cannot create or change a key with fewer limits than its own: keep its allowed addresses within this key’s, its rate no higher, and its uses no more.';

/** Whether every address of `inner` lies within some range of `outer`. */
function addressesWithin(inner: readonly string[], outer: readonly string[]): boolean {
  const ranges = outer.map(addressRange).filter((range) => range !== null);
  return inner.every((entry) => {
    const range = addressRange(entry);
    return range !== null && ranges.some((wider) => wider.family === range.family && wider.prefix <= range.prefix && (range.network & wider.mask) === wider.network);
  });
}

/**
 * Refuses (403) a key with fewer limits than the acting key's: a limited key's keys are limited
 * at least as much — addresses within its list, a rate no higher, no more uses (nor refill).
 */
export function assertLimitsWithin(key: LimitState, actor: LimitState | null, now: Date): void {
  if (!actor) return;
  const refused = () => new DomainError('forbidden', FEWER_LIMITS_MESSAGE);
  if (actor.allowedAddresses?.length && !(key.allowedAddresses?.length && addressesWithin(key.allowedAddresses, actor.allowedAddresses))) throw refused();
  if (actor.rateLimit !== null && actor.rateLimitWindowSeconds !== null) {
    if (key.rateLimit === null || key.rateLimitWindowSeconds === null || key.rateLimit / key.rateLimitWindowSeconds > actor.rateLimit / actor.rateLimitWindowSeconds) throw refused();
  }
  if (actor.usageRemaining !== null) {
    const actorJson = limitsJson(actor, now).usage!;
    const keyJson = limitsJson(key, now).usage;
    if (!keyJson || keyJson.remaining > actorJson.remaining) throw refused();
    if (keyJson.refill && (!actorJson.refill || keyJson.refill.amount > actorJson.refill.amount || (keyJson.refill.interval === 'day' && actorJson.refill.interval === 'month'))) throw refused();
  }
}
