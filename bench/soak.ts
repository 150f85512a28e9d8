/**
 * A soak: `npm run bench:soak [-- --minutes 10 --connections 50]` (after `npm run build`).
 *
 * The mixed load of bench:load (bench/load-mix.ts, on the same stage: bench/load-stage.ts) against
 * the production server on a temporary PostgreSQL database, for `--minutes`. Every 10 s it samples
 * the server: resident memory (from /proc/<pid>/status; elsewhere the server's own figure), its
 * heap, the event loop's delay over the last interval and its open handles (the server prints those
 * with KEYWARD_STATS_INTERVAL_MS, lib/diagnostics/process-stats.ts), beside the requests answered,
 * the 5xx and the requests left without an answer in the interval. At the end it prints whether the
 * last minute's memory (mean RSS) is within 10% of the second minute's (the first is warm-up), the
 * load's figures, and bench:load's end-state checks over every key the clients hold.
 *
 * Exits non-zero on any 5xx, any request without an answer, a failed check, or memory that moved
 * more than 10%. The load generator shares the machine with the server: say so with its figures.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseProcessStats, type ProcessStats } from '@/lib/diagnostics/process-stats';
import { printEndState } from './load-checks';
import { newTallies, runLoad, type Kind, type Tally } from './load-mix';
import { fmt, printFigures, printServerFailures } from './load-report';
import { stageLoad } from './load-stage';

const { values: options } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' } },
});
const MINUTES = Number(options.minutes);
const CONNECTIONS = Number(options.connections);
const SAMPLE_MS = 10_000;
const MEMORY_TOLERANCE = 0.1;

type Sample = {
  seconds: number;
  requests: number;
  fivexx: number;
  unanswered: number;
  rss: number;
  server: ProcessStats | undefined;
};

/** The server's resident memory in bytes, from the kernel. */
function residentMemory(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
  } catch {
    return undefined;
  }
}

/** Requests, 5xx and unanswered requests so far, over every kind. */
function totals(tallies: Map<Kind, Tally>): { requests: number; fivexx: number; unanswered: number } {
  let requests = 0;
  let fivexx = 0;
  let unanswered = 0;
  for (const tally of tallies.values()) {
    requests += tally.latencies.length;
    fivexx += tally.count((status) => status >= 500);
    unanswered += tally.statuses.get(0) ?? 0;
  }
  return { requests, fivexx, unanswered };
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '—' : fmt(bytes / 1024 / 1024, 1));

function sampleRow(sample: Sample, previous: Sample | undefined): string[] {
  const interval = sample.seconds - (previous?.seconds ?? 0);
  const { server } = sample;
  const types = server ? Object.entries(server.handleTypes).sort(([, a], [, b]) => b - a).slice(0, 3).map(([type, n]) => `${type} ${n}`).join(', ') : '';
  return [
    fmt(sample.seconds),
    fmt((sample.requests - (previous?.requests ?? 0)) / interval),
    fmt(sample.fivexx - (previous?.fivexx ?? 0)),
    fmt(sample.unanswered - (previous?.unanswered ?? 0)),
    mb(sample.rss),
    mb(server?.memory.heapUsed),
    server ? fmt(server.eventLoopDelay.p50, 1) : '—',
    server ? fmt(server.eventLoopDelay.p99, 1) : '—',
    server ? fmt(server.eventLoopDelay.max, 1) : '—',
    server ? `${server.handles} (${types})` : '—',
  ];
}

const HEADER = ['t s', 'req/s', '5xx', 'no answer', 'RSS MB', 'heap MB', 'loop p50 ms', 'p99 ms', 'max ms', 'handles'];

/** Mean RSS of the samples taken in (from, to] seconds. */
function meanRss(samples: Sample[], from: number, to: number): number | undefined {
  const inside = samples.filter((sample) => sample.seconds > from && sample.seconds <= to);
  return inside.length ? inside.reduce((sum, sample) => sum + sample.rss, 0) / inside.length : undefined;
}

type MemoryVerdict = 'flat' | 'moved' | 'none';

/** Prints whether the last minute's mean RSS is within the tolerance of the second minute's. */
function printMemoryVerdict(samples: Sample[], seconds: number): MemoryVerdict {
  if (seconds < 180) {
    console.log(`memory: no verdict: it needs --minutes 3 or more (the second minute and the last must not overlap).`);
    return 'none';
  }
  const second = meanRss(samples, 60, 120);
  const last = meanRss(samples, seconds - 60, seconds + 1);
  if (second === undefined || last === undefined) {
    console.log('memory: no verdict: too few samples.');
    return 'none';
  }
  const change = (last - second) / second;
  const flat = Math.abs(change) <= MEMORY_TOLERANCE;
  console.log(
    `memory: the second minute's mean RSS ${mb(second)} MB, the last minute's ${mb(last)} MB: ${change >= 0 ? '+' : ''}${fmt(change * 100, 1)}% — ` +
      `${flat ? 'within' : 'NOT within'} ${MEMORY_TOLERANCE * 100}%.`,
  );
  return flat ? 'flat' : 'moved';
}

async function main(): Promise<number> {
  console.log(`bench:soak · ${CONNECTIONS} connections · ${MINUTES} min · production build (server.ts) on a temporary PostgreSQL database · a sample every ${SAMPLE_MS / 1000} s`);
  const stage = await stageLoad('keyward_bench_soak', { KEYWARD_STATS_INTERVAL_MS: String(SAMPLE_MS) });
  const { server, database, receiver, setup, world, before } = stage;
  try {
    console.log('');
    const tallies = newTallies();
    const samples: Sample[] = [];
    const started = Date.now();
    let read = 0;
    let latest: ProcessStats | undefined;
    const widths = HEADER.map((title) => Math.max(title.length, 9));
    const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padStart(widths[i]!))).join('  ');
    console.log(line(HEADER));
    const sampler = setInterval(() => {
      // Whole lines only: one still being written is read at the next sample.
      const output = server.output();
      const end = output.lastIndexOf('\n') + 1;
      latest = parseProcessStats(output.slice(read, end)).at(-1) ?? latest;
      read = Math.max(read, end);
      const sample: Sample = { seconds: (Date.now() - started) / 1000, ...totals(tallies), rss: residentMemory(server.pid) ?? latest?.memory.rss ?? 0, server: latest };
      console.log(line(sampleRow(sample, samples.at(-1))));
      samples.push(sample);
    }, SAMPLE_MS);
    const { seconds } = await runLoad(setup, world, { seconds: MINUTES * 60, connections: CONNECTIONS }, tallies);
    clearInterval(sampler);

    console.log('');
    const memory = printMemoryVerdict(samples, seconds);
    console.log('');
    const fivexx = printFigures(tallies, seconds);
    const { unanswered } = totals(tallies);
    console.log('');
    // Every key the clients hold, not a sample: nothing may be lost over a long run.
    const failed = await printEndState(database.db, setup, world, before, receiver.received, Number.POSITIVE_INFINITY);
    console.log('');
    const verdicts = [
      fivexx ? `${fivexx} 5xx answers` : '',
      unanswered ? `${unanswered} requests without an answer` : '',
      failed ? `${failed} end-state check(s) failed` : '',
      memory === 'moved' ? 'memory moved more than 10%' : '',
    ].filter(Boolean);
    const passed = `0 5xx, every request answered, nothing lost, ${memory === 'flat' ? 'memory flat' : 'no memory verdict (too short)'}`;
    console.log(verdicts.length ? `Soak failed: ${verdicts.join('; ')}.` : `Soak passed: ${passed}.`);
    printServerFailures(server.output());
    return verdicts.length ? 1 : 0;
  } finally {
    await stage.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`bench:soak failed: ${error.message}`);
    process.exit(1);
  },
);
