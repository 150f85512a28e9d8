/**
 * The usage store's upkeep, run by every server process: the rollup (lib/usage/rollup.ts) every
 * ten minutes, its first pass a minute after start. Each pass is safe beside any number of others
 * on other nodes. A failed pass (the database away) is tried again at the next tick.
 */
import type { Db } from '@/db/client';
import { recordDatabaseError } from '@/lib/metrics/recorder';
import { rollUpUsage } from './rollup';

export const ROLLUP_EVERY_MS = 10 * 60_000;

export type Maintenance = { stop(): void };

export function startUsageMaintenance(db: Db, options: { rollupEveryMs?: number; firstAfterMs?: number } = {}): Maintenance {
  const rollupEveryMs = options.rollupEveryMs ?? ROLLUP_EVERY_MS;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    await rollUpUsage(db).catch(recordDatabaseError);
    if (!stopped) timer = setTimeout(() => void tick(), rollupEveryMs).unref();
  };
  timer = setTimeout(() => void tick(), options.firstAfterMs ?? 60_000).unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

const globalForMaintenance = globalThis as unknown as { keywardUsageMaintenance?: Maintenance };

/** The server's upkeep: started once per process. */
export function startServerUsageMaintenance(db: Db): void {
  globalForMaintenance.keywardUsageMaintenance ??= startUsageMaintenance(db);
}
