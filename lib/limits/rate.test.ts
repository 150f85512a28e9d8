import { describe, expect, it } from 'vitest';
import { RateLimits, type RateDelta, type RateTotals } from './rate';

const WINDOW = 60_000;
const rate = { limit: 10, windowSeconds: 60 };

/**
 * The shared totals of PostgreSQL, per key and window: (key, window) → total. The way
 * lib/limits/exchange.ts keeps them in one row per key is tested on both databases in
 * storage.test.ts; here, what each node makes of them.
 */
class SharedRows {
  readonly rows = new Map<string, number>();
  private add(at: string, count: number): void {
    this.rows.set(at, (this.rows.get(at) ?? 0) + count);
  }
  /** The exchange's statement: adds the deltas, reads back each key's totals. */
  apply(deltas: RateDelta[]): RateTotals[] {
    return deltas.map(({ apiKeyId, windowMs, windowStart, count, previous }) => {
      this.add(`${apiKeyId}@${windowStart}`, count);
      this.add(`${apiKeyId}@${windowStart - windowMs}`, previous);
      return { windowStart, count: this.rows.get(`${apiKeyId}@${windowStart}`)!, previous: this.rows.get(`${apiKeyId}@${windowStart - windowMs}`)! };
    });
  }
  exchange(node: RateLimits, now: number): void {
    const deltas = node.beginExchange(now);
    node.completeExchange(deltas, this.apply(deltas));
  }
}

describe('rate limits', () => {
  it('admits the limit within a window and refuses the next, saying when to retry', () => {
    const limits = new RateLimits();
    const t0 = 10 * WINDOW + 1_000;
    for (let i = 0; i < 10; i++) expect(limits.take('k', rate, t0 + i)).toBe(0);
    const retry = limits.take('k', rate, t0 + 10);
    expect(retry).toBeGreaterThan(0);
    // Refused until then (a refused request does not count), admitted from then on.
    expect(limits.take('k', rate, t0 + 10 + (retry - 1) * 1000)).toBeGreaterThan(0);
    expect(limits.take('k', rate, t0 + 10 + retry * 1000)).toBe(0);
    // Another key has its own window.
    expect(limits.take('other', rate, t0)).toBe(0);
  });

  it('slides: a burst at the end of a window still weighs on the start of the next', () => {
    const limits = new RateLimits();
    const edge = 20 * WINDOW;
    for (let i = 0; i < 10; i++) expect(limits.take('k', rate, edge - 1_000 + i)).toBe(0);
    // A fixed window would admit ten more at once here: twenty in two seconds. Sliding, the
    // burst still weighs 9.67 two seconds in: one more at most.
    let admitted = 0;
    for (let t = 0; t < 2_000; t += 10) if (limits.take('k', rate, edge + t) === 0) admitted++;
    expect(admitted).toBe(1);
    // 29 s in, 52% of the previous window still counts (5.2): five in this window by then.
    for (let i = 0; i < 20; i++) if (limits.take('k', rate, edge + 29_000 + i) === 0) admitted++;
    expect(admitted).toBe(5);
    // A window with nothing in between: the whole limit again.
    admitted = 0;
    for (let i = 0; i < 20; i++) if (limits.take('k', rate, edge + 3 * WINDOW + i) === 0) admitted++;
    expect(admitted).toBe(10);
  });

  it('tells a retry time after which a request is admitted, and before which none is, at any moment', () => {
    const limits = new RateLimits();
    let now = 50 * WINDOW;
    let checked = 0;
    // Requests every 1.7 s for ten windows: refusals at every phase of the slide.
    for (let i = 0; i < 350; i++, now += 1_700) {
      const retry = limits.take('k', rate, now);
      if (retry === 0) continue;
      // A copy that sees nothing else: the same history, then the retry.
      const probe = new RateLimits();
      Object.assign(probe, structuredClone({ keys: (limits as unknown as { keys: Map<string, unknown> }).keys }));
      expect(probe.take('k', rate, now + retry * 1000), `at ${now}`).toBe(0);
      if (retry > 1) {
        const early = new RateLimits();
        Object.assign(early, structuredClone({ keys: (limits as unknown as { keys: Map<string, unknown> }).keys }));
        expect(early.take('k', rate, now + (retry - 1) * 1000 - 1), `at ${now}`).toBeGreaterThan(0);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('shares one limit across nodes through the exchange, overshooting by at most what the others admitted since their last exchange', () => {
    const shared = new SharedRows();
    const nodes = [new RateLimits(), new RateLimits(), new RateLimits()];
    const limit = { limit: 100, windowSeconds: 60 };
    const start = 30 * WINDOW;
    let admitted = 0;
    // Each node gets a request every 2 ms and exchanges every 250 ms (staggered): 125 requests
    // per node per interval, far over the limit.
    for (let t = 0; t < 2_000; t += 2) {
      for (const [i, node] of nodes.entries()) {
        if (node.take('k', limit, start + t) === 0) admitted++;
        if ((t + i * 80) % 250 === 0) shared.exchange(node, start + t);
      }
    }
    for (const node of nodes) shared.exchange(node, start + 2_000);
    // What was admitted is what the shared row holds: nothing lost, nothing counted twice.
    expect(shared.rows.get(`k@${start}`)).toBe(admitted);
    // At most the limit plus one interval's traffic at the other nodes (2 × 125).
    expect(admitted).toBeGreaterThanOrEqual(100);
    expect(admitted).toBeLessThanOrEqual(100 + 2 * 125);
    // Once every node has exchanged, none admits more this window.
    for (const node of nodes) expect(node.take('k', limit, start + 2_001)).toBeGreaterThan(0);
  });

  it('keeps what a failed exchange carried for the next one', () => {
    const shared = new SharedRows();
    const node = new RateLimits();
    const now = 40 * WINDOW;
    for (let i = 0; i < 4; i++) node.take('k', rate, now + i);
    node.failedExchange(node.beginExchange(now + 10));
    node.take('k', rate, now + 20);
    shared.exchange(node, now + 30);
    expect(shared.rows.get(`k@${now}`)).toBe(5);
  });
  it('counts what a node admitted while its window turned during an exchange', () => {
    const shared = new SharedRows();
    const [a, b] = [new RateLimits(), new RateLimits()];
    const next = 60 * WINDOW;
    for (let i = 0; i < 5; i++) b.take('k', rate, next - 1_000 + i);
    shared.exchange(b, next - 900);
    for (let i = 0; i < 3; i++) a.take('k', rate, next - 100 + i);
    // A's exchange reaches the database, and before its answer comes back A admits one more in
    // the old window and one in the new.
    const deltas = a.beginExchange(next - 50);
    const totals = shared.apply(deltas);
    expect(a.take('k', rate, next - 40)).toBe(0);
    expect(a.take('k', rate, next + 10)).toBe(0);
    a.completeExchange(deltas, totals);
    // The previous window held 5 + 3 + 1 = 9: with the one admitted since, one more fits.
    expect(a.take('k', rate, next + 20)).toBe(0);
    expect(a.take('k', rate, next + 30)).toBeGreaterThan(0);
    shared.exchange(a, next + 100);
    expect([shared.rows.get(`k@${next - WINDOW}`), shared.rows.get(`k@${next}`)]).toEqual([9, 2]);
  });

  it('reads the window under way for a key without a request since its window ended', () => {
    const shared = new SharedRows();
    const [a, b] = [new RateLimits(), new RateLimits()];
    const next = 70 * WINDOW;
    for (let i = 0; i < 5; i++) a.take('k', rate, next - 1_000 + i);
    shared.exchange(a, next - 900);
    for (let i = 0; i < 8; i++) b.take('k', rate, next + 100 + i);
    shared.exchange(b, next + 200);
    // A's exchange asks for the new window, and learns of B's eight: 5 × 0.99 + 8 is over the limit.
    shared.exchange(a, next + 300);
    expect(a.take('k', rate, next + 400)).toBeGreaterThan(0);
  });

  it('sends what a failed exchange carried in the window it was admitted in, even after the window turned', () => {
    const shared = new SharedRows();
    const node = new RateLimits();
    const next = 80 * WINDOW;
    node.take('k', rate, next - 30);
    node.take('k', rate, next - 20);
    const deltas = node.beginExchange(next - 10);
    node.take('k', rate, next + 5);
    node.failedExchange(deltas);
    shared.exchange(node, next + 20);
    expect([shared.rows.get(`k@${next - WINDOW}`), shared.rows.get(`k@${next}`)]).toEqual([2, 1]);
  });
});
