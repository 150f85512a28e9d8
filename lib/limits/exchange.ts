/**
 * The exchange that makes each node's local limit decisions hold across nodes: every
 * KEYWARD_LIMITS_EXCHANGE_MS (500 ms by default, at most 1 s), off the hot path, one statement adds
 * this node's rate-limit admissions to the shared window rows and reads back every node's totals,
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
import type { RateCount, RateLimits } from './rate';
import { refillDue, textList, usageLowNoticed, usesLeft } from './sql';

/** Window rows older than the longest window (1 h) and its predecessor are not read again. */
const COUNTER_RETENTION_MS = 3 * 3_600_000;
const PRUNE_EVERY_MS = 60_000;


/** Adds this node's admissions and reads every node's totals of the windows asked for. */
export async function exchangeRates(db: Db, deltas: RateCount[], wanted: Array<{ apiKeyId: string; windowStart: number }>): Promise<RateCount[]> {
  if (deltas.length === 0 && wanted.length === 0) return [];
  const rows = await queryRows<{ api_key_id: string; window_start: string | number; count: string | number }>(
    db,
    sql`with sent as (
          insert into rate_limit_counters (api_key_id, window_start, count)
          select k, to_timestamp(w / 1000.0), n
            from unnest(string_to_array(${textList(deltas.map((d) => d.apiKeyId))}, ',')::uuid[],
                        string_to_array(${textList(deltas.map((d) => d.windowStart))}, ',')::bigint[],
                        string_to_array(${textList(deltas.map((d) => d.count))}, ',')::bigint[]) as d(k, w, n)
           order by k, w
          on conflict (api_key_id, window_start) do update set count = rate_limit_counters.count + excluded.count
          returning api_key_id, window_start, count
        ), asked as (
          select k, to_timestamp(w / 1000.0) as s
            from unnest(string_to_array(${textList(wanted.map((w) => w.apiKeyId))}, ',')::uuid[],
                        string_to_array(${textList(wanted.map((w) => w.windowStart))}, ',')::bigint[]) as a(k, w)
        )
        select api_key_id, (extract(epoch from window_start) * 1000)::bigint as window_start, count from sent
        union all
        select c.api_key_id, (extract(epoch from c.window_start) * 1000)::bigint, c.count
          from rate_limit_counters c join asked on c.api_key_id = asked.k and c.window_start = asked.s
         where not exists (select 1 from sent where sent.api_key_id = c.api_key_id and sent.window_start = c.window_start)`,
  );
  return rows.map((row) => ({ apiKeyId: row.api_key_id, windowStart: Number(row.window_start), count: Number(row.count) }));
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
    const rate = this.rates.beginExchange(now);
    const cap = this.caps.beginExchange(now);
    let low: string[] = [];
    await Promise.all([
      exchangeRates(db, rate.deltas, rate.wanted).then(
        (totals) => this.rates.completeExchange(totals, rate.sent),
        (error: unknown) => {
          this.rates.failedExchange(rate.sent);
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
      await db.execute(sql`delete from rate_limit_counters where window_start < ${new Date(now - COUNTER_RETENTION_MS).toISOString()}::timestamptz`).catch(recordDatabaseError);
    }
  }
}
