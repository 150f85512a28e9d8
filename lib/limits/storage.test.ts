import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '@/db/client';
import { describeEachDatabase } from '@/lib/testing/databases';
import { exchangeRates, pruneRateWindows } from './exchange';
import type { RateDelta } from './rate';

const WINDOW = 60_000;
const T = 1_000 * WINDOW;

describeEachDatabase('the tables the exchange updates in place', (current) => {
  it('leaves room on each page for a row’s new version (fillfactor 70: api_keys in migration 0019, rate_limit_windows in 0020)', async () => {
    const rows = await queryRows<{ name: string; options: string[] | null }>(
      current().db,
      sql`select relname as name, reloptions as options from pg_class where relname in ('api_keys', 'rate_limit_windows') order by relname`,
    );
    expect(rows).toEqual([
      { name: 'api_keys', options: ['fillfactor=70'] },
      { name: 'rate_limit_windows', options: ['fillfactor=70'] },
    ]);
  });

  it('keeps one row per rate-limited key: adds in its window, turns it, counts late admissions in the previous one', async () => {
    const key = randomUUID();
    const send = async (windowStart: number, count: number, previous = 0, windowMs = WINDOW) => {
      const [totals] = await exchangeRates(current().db, [{ apiKeyId: key, windowMs, windowStart, count, previous }]);
      return totals;
    };
    // No node has counted the key: nothing comes back, and reading writes nothing.
    expect(await send(T, 0)).toBeUndefined();
    expect(await send(T, 3)).toEqual({ windowStart: T, count: 3, previous: 0 });
    // Two nodes' admissions add up, in the window and in the one before it.
    expect(await send(T, 4, 2)).toEqual({ windowStart: T, count: 7, previous: 2 });
    // A node still reading the same window sees the total.
    expect(await send(T, 0)).toEqual({ windowStart: T, count: 7, previous: 2 });
    // The next window turns the row; what this node admitted before the turn lands in the previous one.
    expect(await send(T + WINDOW, 2, 1)).toEqual({ windowStart: T + WINDOW, count: 2, previous: 8 });
    // A node that has not seen the turn yet: its admissions count in the previous window.
    expect(await send(T, 5)).toEqual({ windowStart: T + WINDOW, count: 2, previous: 13 });
    // Older than that, they weigh on no decision and are dropped.
    expect(await send(T - WINDOW, 9)).toEqual({ windowStart: T + WINDOW, count: 2, previous: 13 });
    // A whole window went by: the previous one is what this node sent for it, nothing before.
    expect(await send(T + 3 * WINDOW, 1, 2)).toEqual({ windowStart: T + 3 * WINDOW, count: 1, previous: 2 });
    // The key's window length was edited: the new length has a row of its own, and a node that
    // has not seen the edit yet goes on counting in the old one without disturbing it.
    expect(await send(T + 3 * WINDOW, 4, 0, 1_000)).toEqual({ windowStart: T + 3 * WINDOW, count: 4, previous: 0 });
    expect(await send(T + 3 * WINDOW, 1)).toEqual({ windowStart: T + 3 * WINDOW, count: 2, previous: 2 });
    expect(await send(T + 3 * WINDOW, 1, 0, 1_000)).toEqual({ windowStart: T + 3 * WINDOW, count: 5, previous: 0 });
  });

  it('answers each key of an exchange at its place, whether it sent or only read', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const delta = (apiKeyId: string, count: number): RateDelta => ({ apiKeyId, windowMs: WINDOW, windowStart: T, count, previous: 0 });
    await exchangeRates(current().db, [delta(b, 5)]);
    const totals = await exchangeRates(current().db, [delta(a, 0), delta(b, 0), delta(c, 2)]);
    expect(totals).toEqual([undefined, { windowStart: T, count: 5, previous: 0 }, { windowStart: T, count: 2, previous: 0 }]);
  });

  it('prunes the rows whose window and the one after it are over, and only those', async () => {
    const [old, recent] = [randomUUID(), randomUUID()];
    await exchangeRates(current().db, [
      { apiKeyId: old, windowMs: WINDOW, windowStart: T, count: 1, previous: 0 },
      { apiKeyId: recent, windowMs: WINDOW, windowStart: T + WINDOW, count: 1, previous: 0 },
    ]);
    const left = async () =>
      (await queryRows<{ id: string }>(current().db, sql`select api_key_id as id from rate_limit_windows where api_key_id in (${old}, ${recent})`)).map((row) => row.id).sort();
    await pruneRateWindows(current().db, T + 2 * WINDOW);
    expect(await left()).toEqual([old, recent].sort());
    await pruneRateWindows(current().db, T + 2 * WINDOW + 1);
    expect(await left()).toEqual([recent]);
  });
});
