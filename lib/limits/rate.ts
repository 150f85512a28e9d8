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
  /** Admitted here in this window, and in the previous one, and not yet handed to an exchange. */
  toSend: number;
  toSendPrevious: number;
  /** When a request of the key was last decided here: keys idle for two windows are forgotten. */
  seen: number;
};

/**
 * A key's first refusal on this node since the last exchange: what `api_key.rate_limited` reports
 * (lib/limits/notices.ts). `at` and `windowStart` in ms since the epoch.
 */
export type RateRefusal = { apiKeyId: string; at: number; windowStart: number; rate: RateLimit; retryAfterSeconds: number };

/**
 * One key's part of an exchange: what this node admitted since the last one in the key's current
 * window (`count`, the window starting at `windowStart`, in ms since the epoch) and in the one
 * before it (`previous`, admitted before the window turned); both 0 when it only reads back.
 */
export type RateDelta = { apiKeyId: string; windowMs: number; windowStart: number; count: number; previous: number };

/** A key's totals across nodes after an exchange: its latest window (ms since the epoch), that window's count and the previous window's. */
export type RateTotals = { windowStart: number; count: number; previous: number };

export class RateLimits {
  private readonly keys = new Map<string, KeyWindow>();
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
      state = { windowMs, start, previous: 0, shared: 0, unsent: 0, toSend: 0, toSendPrevious: 0, seen: now };
      this.keys.set(apiKeyId, state);
    } else if (state.start !== start) {
      turn(state, start);
    }
    state.seen = now;
    const current = state.shared + state.unsent;
    if (state.previous * (1 - (now - start) / windowMs) + current >= rate.limit) {
      const retry = retryAfterSeconds(rate.limit, state.previous, current, start, windowMs, now);
      if (!this.refusals.has(apiKeyId)) this.refusals.set(apiKeyId, { apiKeyId, at: now, windowStart: start, rate, retryAfterSeconds: retry });
      return retry;
    }
    state.unsent++;
    state.toSend++;
    return 0;
  }

  /**
   * Starts an exchange: a delta for every key decided here lately (keys idle for two windows are
   * dropped), carrying what this node admitted since the last one. The deltas go back to
   * `completeExchange`, or to `failedExchange` if the exchange does not go through.
   */
  beginExchange(now: number): RateDelta[] {
    const deltas: RateDelta[] = [];
    for (const [apiKeyId, state] of this.keys) {
      if (state.toSend === 0 && state.toSendPrevious === 0 && now - state.seen > 2 * state.windowMs) {
        this.keys.delete(apiKeyId);
        continue;
      }
      // A key without a request since its window ended asks for the window under way: the totals
      // read back then count what other nodes admitted in it.
      const start = now - (now % state.windowMs);
      if (start > state.start) turn(state, start);
      const { toSend: count, toSendPrevious: previous } = state;
      deltas.push({ apiKeyId, windowMs: state.windowMs, windowStart: state.start, count, previous });
      state.toSend = 0;
      state.toSendPrevious = 0;
    }
    return deltas;
  }

  /** Each key's first refusal since the last call, for the exchange to report. */
  takeRefusals(): RateRefusal[] {
    if (this.refusals.size === 0) return [];
    const refusals = [...this.refusals.values()];
    this.refusals = new Map();
    return refusals;
  }

  /**
   * The exchange went through: each delta's key's totals across nodes (undefined where no node
   * has counted the key yet). A window may have turned here since the exchange began.
   */
  completeExchange(deltas: RateDelta[], totals: Array<RateTotals | undefined>): void {
    for (const [i, delta] of deltas.entries()) {
      const state = this.keys.get(delta.apiKeyId);
      const row = totals[i];
      // Totals of another window length: the key's limit was edited meanwhile.
      if (!state || !row || delta.windowMs !== state.windowMs) continue;
      for (const [windowStart, total] of [
        [row.windowStart, row.count],
        [row.windowStart - delta.windowMs, row.previous],
      ] as const) {
        if (windowStart === state.start) {
          // The window has not turned here since the exchange began: what it sent is in the total.
          state.shared = total;
          state.unsent = Math.max(0, state.unsent - (windowStart === delta.windowStart ? delta.count : 0));
        } else if (windowStart === state.start - state.windowMs) {
          // What was admitted in it since the exchange began is still to be sent.
          state.previous = total + state.toSendPrevious;
        }
      }
    }
  }

  /** The exchange failed: what it carried is sent with the next one (in the windows that still count). */
  failedExchange(deltas: RateDelta[]): void {
    for (const { apiKeyId, windowMs, windowStart, count, previous } of deltas) {
      const state = this.keys.get(apiKeyId);
      if (!state || state.windowMs !== windowMs) continue;
      if (state.start === windowStart) {
        state.toSend += count;
        state.toSendPrevious += previous;
      } else if (state.start - windowMs === windowStart) {
        state.toSendPrevious += count;
      }
    }
  }
}

/** Moves a key's state to the window starting at `start`: its count becomes the previous one, unless a whole window went by in between. */
function turn(state: KeyWindow, start: number): void {
  const next = start - state.start === state.windowMs;
  state.previous = next ? state.shared + state.unsent : 0;
  state.toSendPrevious = next ? state.toSend : 0;
  state.start = start;
  state.shared = 0;
  state.unsent = 0;
  state.toSend = 0;
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
