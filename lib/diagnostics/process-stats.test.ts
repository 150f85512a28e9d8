import { afterEach, describe, expect, it } from 'vitest';
import { parseProcessStats, startProcessStats, startProcessStatsFromEnv, STATS_MESSAGE } from './process-stats';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('process stats', () => {
  afterEach(() => {
    delete process.env.KEYWARD_STATS_INTERVAL_MS;
  });

  it('prints memory, the event loop delay of each interval and the handles, as one JSON line', async () => {
    const lines: string[] = [];
    const stop = startProcessStats(100, (line) => lines.push(line));
    try {
      await pause(150);
      // Block the loop for 400 ms: the interval it falls in reports it, the later ones do not.
      const until = Date.now() + 400;
      while (Date.now() < until);
      await pause(450);
    } finally {
      stop();
    }
    const stats = parseProcessStats(['Keyward listening on http://127.0.0.1:3000', ...lines, '{"msg":"other"}'].join('\n'));
    expect(stats.length).toBe(lines.length);
    expect(stats.length).toBeGreaterThanOrEqual(3);
    for (const sample of stats) {
      expect(sample.msg).toBe(STATS_MESSAGE);
      expect(sample.memory.rss).toBeGreaterThan(sample.memory.heapUsed);
      expect(sample.handles).toBe(Object.values(sample.handleTypes).reduce((sum, n) => sum + n, 0));
    }
    expect(Math.max(...stats.map((sample) => sample.eventLoopDelay.max))).toBeGreaterThanOrEqual(370);
    expect(stats.at(-1)!.eventLoopDelay.max).toBeLessThan(370);
    // The sampling timer's own period is not counted as delay: an idle loop is late by about nothing.
    expect(Math.min(...stats.map((sample) => sample.eventLoopDelay.p50))).toBeLessThan(5);
    expect(stats.at(-1)!.handleTypes.Timeout).toBeGreaterThanOrEqual(1);
  });

  it('is off unless KEYWARD_STATS_INTERVAL_MS asks, and refuses an interval under a second', () => {
    expect(startProcessStatsFromEnv()).toBeUndefined();
    process.env.KEYWARD_STATS_INTERVAL_MS = '0';
    expect(startProcessStatsFromEnv()).toBeUndefined();
    process.env.KEYWARD_STATS_INTERVAL_MS = '50';
    expect(() => startProcessStatsFromEnv()).toThrow('KEYWARD_STATS_INTERVAL_MS must be 0 (off) or at least 1000, got "50".');
    process.env.KEYWARD_STATS_INTERVAL_MS = 'often';
    expect(() => startProcessStatsFromEnv()).toThrow('KEYWARD_STATS_INTERVAL_MS must be a whole number');
    process.env.KEYWARD_STATS_INTERVAL_MS = '10000';
    const stop = startProcessStatsFromEnv();
    expect(stop).toBeTypeOf('function');
    stop!();
  });
});
