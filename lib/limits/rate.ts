/**
 * Per-key rate limits, decided on each node without a database round trip and shared across
 * nodes through PostgreSQL — the shape of Envoy's global rate limiting with a local cache, and
 * of Unkey's: each node counts what it admits in memory and, every exchange interval (≤ 1 s,
 * lib/limits/exchange.ts), adds its counts to the key's window row in PostgreSQL and reads back
 * the total of every node.
 *
 * The window slides: a key limited to `limit` requests per `windowSeconds` admits a request while
 *   (previous window's total) × (share of the previous window still inside the last windowSeconds)
 *   + (this window's total)
 * is below the limit, windows being aligned to the epoch. This is the estimate Cloudflare
 * describes for its rate limiting: two counters per key, and unlike a fixed window it never lets
 * twice the limit through around a window's edge (a burst at the end of one window still weighs on
 * the start of the next). Only admitted requests count, so a client that keeps calling while
 * refused is let in again as its earlier requests age out.
 *
 * A node sees the others' admissions at each exchange, so N nodes together admit at most what
 * reaches the other nodes during one exchange interval beyond the limit.
 */

export type RateLimit = { limit: number; windowSeconds: number };

/** Counts of one key's window, `windowStart` in ms since the epoch. */
export type RateCount = { apiKeyId: string; windowStart: number; count: number };

type KeyWindow = {
  windowMs: number;
  /** Start of the current window. */
  start: number;
  /** The previous window's total across nodes, as last known. */
  previous: number;
  /** This window's total across nodes at the last exchange (what this node sent included). */
  shared: number;
  /** Admitted here in this window and not yet in `shared`. */
  unsent: number;
  /** When a request of the key was last decided here: keys idle for two windows are forgotten. */
  seen: number;
};

/**
 * A key's first refusal on this node since the last exchange: what `api_key.rate_limited` reports
 * (lib/limits/notices.ts). `at` and `windowStart` in ms since the epoch.
 */
export type RateRefusal = { apiKeyId: string; at: number; windowStart: number; rate: RateLimit; retryAfterSeconds: number };

/** What an exchange sends (this node's admissions since the last one) and which totals it reads back. */
export type RateExchange = { deltas: RateCount[]; wanted: Array<{ apiKeyId: string; windowStart: number }> };

export class RateLimits {
  private readonly keys = new Map<string, KeyWindow>();
  /** Admitted and not yet sent: key id → window start → count. */
  private pending = new Map<string, Map<number, number>>();
  /** Refused since the last exchange: each key's first refusal. */
  private refusals = new Map<string, RateRefusal>();

  /**
   * Admits one request of the key (returns 0) or refuses it (returns the seconds until one would
   * be admitted, at least 1). `now` in ms since the epoch.
   */
  take(apiKeyId: string, rate: RateLimit, now: number): number {
    const windowMs = rate.windowSeconds * 1000;
    const start = now - (now % windowMs);
    let state = this.keys.get(apiKeyId);
    if (state === undefined || state.windowMs !== windowMs) {
      state = { windowMs, start, previous: 0, shared: 0, unsent: 0, seen: now };
      this.keys.set(apiKeyId, state);
    } else if (state.start !== start) {
      // This window's count becomes the previous one, unless a whole window went by in between.
      state.previous = start - state.start === windowMs ? state.shared + state.unsent : 0;
      state.start = start;
      state.shared = 0;
      state.unsent = 0;
    }
    state.seen = now;
    const current = state.shared + state.unsent;
    if (state.previous * (1 - (now - start) / windowMs) + current >= rate.limit) {
      const retry = retryAfterSeconds(rate.limit, state.previous, current, start, windowMs, now);
      if (!this.refusals.has(apiKeyId)) this.refusals.set(apiKeyId, { apiKeyId, at: now, windowStart: start, rate, retryAfterSeconds: retry });
      return retry;
    }
    state.unsent++;
    let windows = this.pending.get(apiKeyId);
    if (windows === undefined) this.pending.set(apiKeyId, (windows = new Map()));
    windows.set(start, (windows.get(start) ?? 0) + 1);
    return 0;
  }

  /**
   * Starts an exchange: hands over what this node admitted since the last one (kept back by
   * `failed` if the exchange does not go through) and names the totals to read back: the current
   * and previous window of every key decided here lately. Keys idle for two windows are dropped.
   */
  beginExchange(now: number): RateExchange & { sent: Map<string, Map<number, number>> } {
    const sent = this.pending;
    this.pending = new Map();
    const deltas: RateCount[] = [];
    for (const [apiKeyId, windows] of sent) for (const [windowStart, count] of windows) deltas.push({ apiKeyId, windowStart, count });
    const wanted: RateExchange['wanted'] = [];
    for (const [apiKeyId, state] of this.keys) {
      if (now - state.seen > 2 * state.windowMs && !sent.has(apiKeyId)) {
        this.keys.delete(apiKeyId);
        continue;
      }
      wanted.push({ apiKeyId, windowStart: state.start }, { apiKeyId, windowStart: state.start - state.windowMs });
    }
    return { deltas, wanted, sent };
  }

  /** Each key's first refusal since the last call, for the exchange to report. */
  takeRefusals(): RateRefusal[] {
    if (this.refusals.size === 0) return [];
    const refusals = [...this.refusals.values()];
    this.refusals = new Map();
    return refusals;
  }

  /** The exchange went through: every node's totals, `sent` being what it added for this node. */
  completeExchange(totals: RateCount[], sent: Map<string, Map<number, number>>): void {
    for (const { apiKeyId, windowStart, count: total } of totals) {
      const state = this.keys.get(apiKeyId);
      if (!state) continue;
      if (windowStart === state.start) {
        state.shared = total;
        state.unsent = Math.max(0, state.unsent - (sent.get(apiKeyId)?.get(windowStart) ?? 0));
      } else if (windowStart === state.start - state.windowMs) {
        // What was admitted in it since the exchange began is still to be sent.
        state.previous = total + (this.pending.get(apiKeyId)?.get(windowStart) ?? 0);
      }
    }
  }

  /** The exchange failed: what it carried is sent with the next one. */
  failedExchange(sent: Map<string, Map<number, number>>): void {
    for (const [apiKeyId, windows] of sent) {
      let pending = this.pending.get(apiKeyId);
      if (pending === undefined) this.pending.set(apiKeyId, (pending = new Map()));
      for (const [windowStart, count] of windows) pending.set(windowStart, (pending.get(windowStart) ?? 0) + count);
    }
  }
}

/**
 * When the estimate drops below the limit, no other request being admitted: within this window
 * when the previous window's share alone holds it, else in the next one once this window's count
 * has aged enough.
 */
function retryAfterSeconds(limit: number, previous: number, current: number, start: number, windowMs: number, now: number): number {
  const at = current < limit && previous > 0 ? start + windowMs * (1 - (limit - current) / previous) : start + windowMs + windowMs * Math.max(0, 1 - limit / current);
  // At `at` itself the estimate equals the limit, which refuses: a millisecond later it admits.
  return Math.max(1, Math.ceil((at + 1 - now) / 1000));
}
