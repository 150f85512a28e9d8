/**
 * The process's own figures, for a soak watching a server it started (bench/soak.ts): with
 * KEYWARD_STATS_INTERVAL_MS set (off by default), the server prints one JSON line to stdout every
 * interval — resident memory and the heap, the event loop's delay over that interval (from
 * monitorEventLoopDelay) and the resources keeping the process alive, by type. Only the process's
 * own output carries it: nothing listens on a port, and nothing in it names a request or a secret.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { positiveIntFromEnv } from '@/lib/config/env';

export const STATS_MESSAGE = 'keyward-stats';

export type ProcessStats = {
  msg: typeof STATS_MESSAGE;
  /** When it was taken, ms since the epoch. */
  time: number;
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  /** Milliseconds the event loop was late over the interval (0 when idle). */
  eventLoopDelay: { mean: number; p50: number; p99: number; max: number };
  /** Active handles and requests (process.getActiveResourcesInfo), in all and by type. */
  handles: number;
  handleTypes: Record<string, number>;
};

// monitorEventLoopDelay times a timer of this period: an idle loop shows the period itself.
const RESOLUTION_MS = 10;

/** How late the loop was, in ms: the time between timer turns less the timer's own period. */
const lateMs = (nanoseconds: number) => Math.max(0, Math.round(nanoseconds / 1e4) / 100 - RESOLUTION_MS);

/** Starts printing the figures every `intervalMs`; returns the function that stops it. */
export function startProcessStats(intervalMs: number, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): () => void {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const timer = setInterval(() => {
    const memory = process.memoryUsage();
    const resources = process.getActiveResourcesInfo();
    const handleTypes: Record<string, number> = {};
    for (const type of resources) handleTypes[type] = (handleTypes[type] ?? 0) + 1;
    const stats: ProcessStats = {
      msg: STATS_MESSAGE,
      time: Date.now(),
      memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, arrayBuffers: memory.arrayBuffers },
      eventLoopDelay: { mean: lateMs(delay.mean), p50: lateMs(delay.percentile(50)), p99: lateMs(delay.percentile(99)), max: lateMs(delay.max) },
      handles: resources.length,
      handleTypes,
    };
    delay.reset();
    write(JSON.stringify(stats));
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}

/** Starts it when KEYWARD_STATS_INTERVAL_MS asks (at least 1000 ms); 0 or unset: off. */
export function startProcessStatsFromEnv(): (() => void) | undefined {
  const intervalMs = positiveIntFromEnv('KEYWARD_STATS_INTERVAL_MS', 0, 0);
  if (intervalMs === 0) return undefined;
  if (intervalMs < 1000) throw new Error(`KEYWARD_STATS_INTERVAL_MS must be 0 (off) or at least 1000, got "${intervalMs}".`);
  return startProcessStats(intervalMs);
}

/** The stats lines in a server's output, oldest first. */
export function parseProcessStats(output: string): ProcessStats[] {
  const found: ProcessStats[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes(`"msg":"${STATS_MESSAGE}"`)) continue;
    try {
      found.push(JSON.parse(line) as ProcessStats);
    } catch {}
  }
  return found;
}
