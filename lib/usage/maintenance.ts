/**
 * The usage store's upkeep, run by every server process: the rollup (lib/usage/rollup.ts) every
 * ten minutes, and the keys' expiry notices (lib/keys/expiry-notices.ts) every minute, each first
 * a minute after start; and every five seconds, the top-key rankings viewed lately that new counts
 * put out of date (lib/usage/rankings.ts). Each pass is safe beside any number of others on other nodes (and in
 * `npm run worker`, which sends the expiry notices too). A failed pass (the database away) is
 * tried again at the next tick.
 */
import type { Db } from '@/db/client';
import { sweepExpiryNotices } from '@/lib/keys/expiry-notices';
import { recordDatabaseError } from '@/lib/metrics/recorder';
import { RANKINGS_REFRESH_EVERY_MS, refreshRankings } from './rankings';
import { rollUpUsage } from './rollup';

export const ROLLUP_EVERY_MS = 10 * 60_000;
export const EXPIRY_NOTICES_EVERY_MS = 60_000;

export type Maintenance = { stop(): void };

/** Runs `pass` `firstAfterMs` from now, then `everyMs` after each pass ends, until stopped. */
function repeat(pass: () => Promise<unknown>, everyMs: number, firstAfterMs: number): Maintenance {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    await pass().catch(recordDatabaseError);
    if (!stopped) timer = setTimeout(() => void tick(), everyMs).unref();
  };
  timer = setTimeout(() => void tick(), firstAfterMs).unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Sends the keys' expiry notices every `everyMs` (a minute). */
export function startExpiryNotices(db: Db, options: { everyMs?: number; firstAfterMs?: number } = {}): Maintenance {
  return repeat(() => sweepExpiryNotices(db), options.everyMs ?? EXPIRY_NOTICES_EVERY_MS, options.firstAfterMs ?? 60_000);
}

export function startUsageMaintenance(db: Db, options: { rollupEveryMs?: number; expiryNoticesEveryMs?: number; firstAfterMs?: number } = {}): Maintenance {
  const firstAfterMs = options.firstAfterMs ?? 60_000;
  const tasks = [
    repeat(() => rollUpUsage(db), options.rollupEveryMs ?? ROLLUP_EVERY_MS, firstAfterMs),
    startExpiryNotices(db, { everyMs: options.expiryNoticesEveryMs, firstAfterMs }),
    repeat(() => refreshRankings(db), RANKINGS_REFRESH_EVERY_MS, RANKINGS_REFRESH_EVERY_MS),
  ];
  return {
    stop() {
      for (const task of tasks) task.stop();
    },
  };
}

const globalForMaintenance = globalThis as unknown as { keywardUsageMaintenance?: Maintenance };

/** The server's upkeep: started once per process. */
export function startServerUsageMaintenance(db: Db): void {
  globalForMaintenance.keywardUsageMaintenance ??= startUsageMaintenance(db);
}
