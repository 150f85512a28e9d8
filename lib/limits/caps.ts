/**
 * Usage caps: a key with `remaining` uses spends one on each VALID verification and is refused
 * with USAGE_EXCEEDED at zero, until its refill (if it has one: `amount` uses at the start of
 * every UTC day or month). PostgreSQL holds the count (api_keys.usage_remaining); each node spends
 * from what it last read, in memory, and at every exchange (≤ 1 s, lib/limits/exchange.ts)
 * subtracts what it spent and reads back what is left after every node's spending. On one node
 * the count is exact; N nodes together overspend by at most what the others spent since their
 * last exchange. A refill is applied by the first exchange (or lookup) of the new period.
 */

export type RefillInterval = 'day' | 'month';
export type UsageCap = { remaining: number; refill: { amount: number; interval: RefillInterval } | null; refilledAt: Date | null };

/** Start of the refill period holding `ms` (UTC). */
export function periodStart(interval: RefillInterval, ms: number): number {
  const at = new Date(ms);
  return interval === 'day' ? Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()) : Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
}

/** The uses left at `ms`, a refill due since the stored count was written included. */
export function effectiveRemaining(cap: UsageCap, ms: number): number {
  if (cap.refill && (cap.refilledAt === null || cap.refilledAt.getTime() < periodStart(cap.refill.interval, ms))) return cap.refill.amount;
  return cap.remaining;
}

/** The next refill after `ms`, or null. */
export function nextRefill(cap: UsageCap, ms: number): Date | null {
  if (!cap.refill) return null;
  const start = new Date(periodStart(cap.refill.interval, ms));
  return new Date(cap.refill.interval === 'day' ? start.getTime() + 86_400_000 : Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

type KeySpend = {
  /** The record the count came from: a new lookup (the key was edited) starts from its count. */
  cap: UsageCap;
  /** Uses left as last read from the database (refill applied). */
  left: number;
  period: number | null;
  /** Spent here and not yet sent; spent here and being sent by the exchange under way. */
  unsent: number;
  sending: number;
  seen: number;
};

export type CapSpend = { apiKeyId: string; spent: number };

export class UsageCaps {
  private readonly keys = new Map<string, KeySpend>();

  /** Spends one use of the key (true), or finds none left (false). `now` in ms since the epoch. */
  spend(apiKeyId: string, cap: UsageCap, now: number): boolean {
    let state = this.keys.get(apiKeyId);
    const period = cap.refill ? periodStart(cap.refill.interval, now) : null;
    if (state === undefined || state.cap !== cap) {
      const unsent = state?.unsent ?? 0;
      state = { cap, left: effectiveRemaining(cap, now), period, unsent, sending: state?.sending ?? 0, seen: now };
      this.keys.set(apiKeyId, state);
    } else if (period !== state.period) {
      state.left = cap.refill!.amount;
      state.period = period;
    }
    state.seen = now;
    if (state.left - state.unsent - state.sending <= 0) return false;
    state.unsent++;
    return true;
  }

  /** Starts an exchange: the spending to send, and the keys whose counts to read back. */
  beginExchange(now: number): { spends: CapSpend[]; wanted: string[] } {
    const spends: CapSpend[] = [];
    const wanted: string[] = [];
    for (const [apiKeyId, state] of this.keys) {
      if (state.unsent === 0 && state.sending === 0 && now - state.seen > 60_000) {
        this.keys.delete(apiKeyId);
        continue;
      }
      wanted.push(apiKeyId);
      if (state.unsent > 0) spends.push({ apiKeyId, spent: state.unsent });
      state.sending += state.unsent;
      state.unsent = 0;
    }
    return { spends, wanted };
  }

  /** The exchange went through: what is left of each key after every node's spending. */
  completeExchange(left: Array<{ apiKeyId: string; remaining: number }>, spends: CapSpend[]): void {
    const sent = new Map(spends.map(({ apiKeyId, spent }) => [apiKeyId, spent]));
    for (const { apiKeyId, remaining } of left) {
      const state = this.keys.get(apiKeyId);
      if (!state) continue;
      state.left = remaining;
      state.sending = Math.max(0, state.sending - (sent.get(apiKeyId) ?? 0));
    }
  }

  /** The exchange failed: its spending is sent with the next one. */
  failedExchange(spends: CapSpend[]): void {
    for (const { apiKeyId, spent } of spends) {
      const state = this.keys.get(apiKeyId);
      if (!state) continue;
      state.sending -= spent;
      state.unsent += spent;
    }
  }
}
