/**
 * The exchange that makes each node's local limit decisions hold across nodes: every
 * KEYWARD_LIMITS_EXCHANGE_MS (500 ms by default, at most 1 s), off the hot path, one statement adds
 * this node's rate-limit admissions to each key's shared row and reads back every node's totals,
 * and one subtracts its usage-cap spending from the keys' counts (refilling first where a period
 * has begun) and reads back what is left; then the limits' webhooks found due are claimed
 * (lib/limits/notices.ts). A failed exchange keeps what it carried for the next.
 * Rows are sent as text arrays (unnest), like the usage counts, so one statement carries any
 * number of keys on postgres.js and PGlite alike.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@/db/client';
import { positiveIntFromEnv } from '@/lib/config/env';
import { recordDatabaseError } from '@/lib/metrics/recorder';
import type { CapSpend, UsageCaps } from './caps';
import { LimitNotices } from './notices';
import type { RateDelta, RateLimits, RateTotals } from './rate';
import { refillDue, textList, usageLowNoticed, usesLeft } from './sql';

const PRUNE_EVERY_MS = 60_000;

/**
 * Adds this node's admissions to each key's row of rate_limit_windows and reads back every key's
 * totals. A key has one row per window length (an edited length starts a row of its own, and
 * nodes that have not seen the edit yet go on counting in the old one), updated in place: the
 * window it was last counted in, that window's total and the previous window's. Admissions in a
 * later window turn the row: its total becomes the previous one when the windows are consecutive,
 * else the sender's own count of the window before its current one is all there is. Late
 * admissions in the row's previous window still count there; older ones weigh on no decision and
 * are dropped. Each delta's totals come back at its index (undefined where no node has counted
 * the key in that length yet), so no key id is read back.
 */
export async function exchangeRates(db: Db, deltas: RateDelta[]): Promise<Array<RateTotals | undefined>> {
  if (deltas.length === 0) return [];
  const rows = await queryRows<{ i: number; window_start: number; count: number; previous: number }>(
    db,
    sql`with d as (
          select * from unnest(string_to_array(${textList(deltas.map((d) => d.apiKeyId))}, ',')::uuid[],
                               string_to_array(${textList(deltas.map((d) => d.windowMs))}, ',')::int[],
                               string_to_array(${textList(deltas.map((d) => d.windowStart))}, ',')::bigint[],
                               string_to_array(${textList(deltas.map((d) => d.count))}, ',')::bigint[],
                               string_to_array(${textList(deltas.map((d) => d.previous))}, ',')::bigint[]) with ordinality as d(k, ms, w, n, p, i)
        ), sent as (
          insert into rate_limit_windows as r (api_key_id, window_ms, window_start, count, previous)
          select k, ms, w, n, p from d where n > 0 or p > 0 order by k, ms
          on conflict (api_key_id, window_ms) do update set
            window_start = greatest(r.window_start, excluded.window_start),
            count = case when excluded.window_start > r.window_start then excluded.count
                         when excluded.window_start = r.window_start then r.count + excluded.count
                         else r.count end,
            previous = case when excluded.window_start = r.window_start then r.previous + excluded.previous
                            when excluded.window_start = r.window_start + r.window_ms then r.count + excluded.previous
                            when excluded.window_start > r.window_start then excluded.previous
                            when excluded.window_start = r.window_start - r.window_ms then r.previous + excluded.count
                            else r.previous end
          returning api_key_id, window_ms, window_start, count, previous
        )
        select d.i::int as i, coalesce(s.window_start, r.window_start)::float8 as window_start,
               coalesce(s.count, r.count)::float8 as count, coalesce(s.previous, r.previous)::float8 as previous
          from d left join sent s on s.api_key_id = d.k and s.window_ms = d.ms
                 left join rate_limit_windows r on r.api_key_id = d.k and r.window_ms = d.ms
         where s.api_key_id is not null or r.api_key_id is not null`,
  );
  const totals = new Array<RateTotals | undefined>(deltas.length);
  for (const { i, window_start: windowStart, count, previous } of rows) totals[i - 1] = { windowStart, count, previous };
  return totals;
}

/**
 * Deletes the rows whose window and the one after it are over (they weigh on no decision), each
 * only if no exchange holds it: an exchange locks its rows in key order, and a delete that waited
 * for one while holding another could deadlock with it.
 */
export async function pruneRateWindows(db: Db, now: number): Promise<void> {
  await db.execute(sql`delete from rate_limit_windows
                        where (api_key_id, window_ms) in (select api_key_id, window_ms from rate_limit_windows
                                                           where window_start < ${now}::bigint - 2 * window_ms
                                                           order by api_key_id, window_ms for update skip locked)`);
}

/** What is left of a key after an exchange: `cap` and `lowNoticed` tell whether api_key.usage_low is due. */
export type CapLeft = { apiKeyId: string; remaining: number; cap: number; lowNoticed: boolean };

/**
 * Subtracts this node's spending (never below zero; a refill due since the count was written is
 * applied first and stored) and reads what is left of every key asked for, refills included.
 */
export async function exchangeCaps(db: Db, spends: CapSpend[], wanted: string[], now: Date): Promise<CapLeft[]> {
  if (spends.length === 0 && wanted.length === 0) return [];
  const at = now.toISOString();
  const due = refillDue(now);
  const noticed = usageLowNoticed(now);
  const rows = await queryRows<{ id: string; remaining: string | number; cap: string | number | null; noticed: boolean }>(
    db,
    sql`with spent as (
          select id, n from unnest(string_to_array(${textList(spends.map((s) => s.apiKeyId))}, ',')::uuid[],
                                   string_to_array(${textList(spends.map((s) => s.spent))}, ',')::bigint[]) as s(id, n)
        ), updated as (
          update api_keys k
             set usage_remaining = greatest(${usesLeft(now)} - spent.n, 0),
                 usage_refilled_at = case when ${due} then date_trunc(k.usage_refill_interval, ${at}::timestamptz, 'UTC') else k.usage_refilled_at end
            from spent
           where k.id = spent.id and k.usage_remaining is not null
          returning k.id, k.usage_remaining, k.usage_cap, ${noticed} as noticed
        )
        select id, usage_remaining as remaining, usage_cap as cap, noticed from updated
        union all
        select k.id, ${usesLeft(now)}, k.usage_cap, ${noticed}
          from api_keys k
         where k.id = any(string_to_array(${textList(wanted)}, ',')::uuid[]) and k.usage_remaining is not null
           and not exists (select 1 from updated where updated.id = k.id)`,
  );
  return rows.map((row) => ({ apiKeyId: row.id, remaining: Number(row.remaining), cap: Number(row.cap ?? 0), lowNoticed: row.noticed }));
}

/** Whether api_key.usage_low is due for a key as an exchange left it: fewer uses than a tenth of its cap, not yet told this period. */
export const usageLowDue = (left: CapLeft): boolean => left.remaining * 10 < left.cap && !left.lowNoticed;

/** KEYWARD_LIMITS_EXCHANGE_MS: how often each node exchanges its limit counts (50 ms to 1 s). Checked at start-up (lib/setup/prepare.ts). */
export function limitsExchangeMs(): number {
  const ms = positiveIntFromEnv('KEYWARD_LIMITS_EXCHANGE_MS', 500, 50);
  if (ms > 1_000) throw new Error(`KEYWARD_LIMITS_EXCHANGE_MS must be at most 1000 (limits overshoot across nodes by one interval's traffic), got "${ms}".`);
  return ms;
}

export class LimitExchange {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private prunedAt = 0;

  constructor(
    private readonly getDb: () => Db,
    private readonly rates: RateLimits,
    private readonly caps: UsageCaps,
    private readonly intervalMs = 500,
    private readonly now: () => number = Date.now,
    /** The limits' webhooks (lib/limits/notices.ts), claimed after each exchange; null sends none. */
    private readonly notices: LimitNotices | null = new LimitNotices(),
  ) {}

  /**
   * Exchanges every interval, counted from the start of one exchange to the next (an exchange that
   * takes longer is followed at once), until stopped; the timer does not keep the process alive.
   */
  start(): void {
    const tick = () => {
      const startedAt = performance.now();
      this.running = this.exchange().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, Math.max(0, this.intervalMs - (performance.now() - startedAt))).unref();
      });
    };
    this.timer = setTimeout(tick, this.intervalMs).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.exchange();
  }

  /** One exchange of both kinds of limit, then the notices it found due; a failure is kept for the next. */
  async exchange(): Promise<void> {
    const now = this.now();
    let db: Db;
    try {
      db = this.getDb();
    } catch (error) {
      // The database cannot be opened at all: what is pending waits for the next exchange.
      recordDatabaseError(error);
      return;
    }
    const rates = this.rates.beginExchange(now);
    const cap = this.caps.beginExchange(now);
    let low: string[] = [];
    await Promise.all([
      exchangeRates(db, rates).then(
        (totals) => this.rates.completeExchange(rates, totals),
        (error: unknown) => {
          this.rates.failedExchange(rates);
          recordDatabaseError(error);
        },
      ),
      exchangeCaps(db, cap.spends, cap.wanted, new Date(now)).then(
        (left) => {
          this.caps.completeExchange(left, cap.spends);
          low = left.filter(usageLowDue).map((key) => key.apiKeyId);
        },
        (error: unknown) => {
          this.caps.failedExchange(cap.spends);
          recordDatabaseError(error);
        },
      ),
    ]);
    const refusals = this.rates.takeRefusals();
    if (this.notices) await this.notices.send(db, low, refusals, now).catch(recordDatabaseError);
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = now;
      await pruneRateWindows(db, now).catch(recordDatabaseError);
    }
  }
}
