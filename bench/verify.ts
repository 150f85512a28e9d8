/**
 * How fast POST /api/v1/keys/verify answers: `npm run bench:verify [-- options]` (after `npm run
 * build`).
 *
 * In one run, on a temporary database holding --keys full-access keys: starts a bare node:http
 * server that does verification's own work and nothing else (bench/floor-server.ts, the
 * physical floor of HTTP here) and the production server (`dist/server.mjs`, as `npm start` runs it),
 * and loads each case with autocannon for a fixed time after a short warm-up, in rounds where
 * every case run follows a floor run of its own and is measured as a ratio to it, so that the
 * machine's drift (a third or more over a minute here) hits both sides of each ratio alike: verify
 * with valid cached keys, with a well-formed unknown key, with a malformed key. Then Next's GET
 * /api/health/live (the framework's floor; last, so the garbage it leaves is not collected during
 * a verify case). Then the production server again with usage counting off
 * (KEYWARD_USAGE_COUNTING=false), in rounds with the floor, for the cached case without counting
 * (issue 12: counting on stays ≥ 0.6× the floor). Then with metrics on (KEYWARD_METRICS_PORT set:
 * every verify answer counted and timed into a histogram), in rounds with the floor, for the cached
 * case (issue 14: ≥ 0.6× the floor), checked against a scrape of /metrics afterwards. Then with
 * KEYWARD_LOG_LEVEL=debug, which logs every verify answer as a JSON line (by default verify is
 * logged as one summary a minute): what per-request logging of verify would cost. Then the
 * production server with the cache off
 * (KEYWARD_VERIFY_CACHE_ENTRIES=0), in rounds with the floor, for uncached verify. Then, on
 * PostgreSQL, a verify node (KEYWARD_ROLE=verify: the same server without Next) for the cached and
 * limited cases. The floor and
 * the valid-key cases send every key in turn, each connection from its own place in the list, so
 * concurrent uncached lookups are of different keys, as they are in production. It prints each
 * case's median round — requests/s, p50 and p99, the median of its ratios to the floor, its ratio
 * to Next's, and the server's CPU time per answer (from /proc, threads included) and the local PostgreSQL's — and times `Verifier.verify` in-process against a bare SHA-256 of the same key, and
 * what the front adds to each answer (request id, metrics, a log line). Also in the first rounds,
 * keys with each of issue 13's limits, none reached: an allowlist of ten ranges holding the
 * reported clientAddress, a rate limit, a usage cap.
 *
 * With two cores or more (--pin, the default there), the load generator (this process) runs on
 * the first core and each server on the others (taskset): sharing one pool of cores, the floor's
 * figure swung by half from run to run with the scheduler, while given a core of its own each
 * server is measured against the same budget. Compare ratios within one run, not absolute
 * figures across runs. Nothing is asserted.
 *
 * Issue 4's targets: cached ≥ 50% of the node:http floor's requests/s, uncached ≥ 25%,
 * malformed at least as fast as cached, in-process cached verify within 3× of the bare hash.
 * Issues 12 and 14: cached with usage counting, and with metrics on, ≥ 0.6× the floor. Issue 13:
 * each limited case ≥ 0.6× the floor.
 *
 * Options: --rounds 10  --duration 1.5 (seconds per case and round)  --warmup 0.5  --connections 32
 * --keys 1000  --driver postgres|pglite  --pin true|false
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { hash as sha256 } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { buildSync } from 'esbuild';
import { createKey } from '@/lib/keys/create';
import { createLogger } from '@/lib/log/logger';
import { requestIdFor } from '@/lib/log/request-id';
import { createMetrics } from '@/lib/metrics/registry';
import { generateKey } from '@/lib/keys/format';
import { UsageCaps } from '@/lib/limits/caps';
import { RateLimits } from '@/lib/limits/rate';
import { FailureLimiter } from '@/lib/verify/failure-limiter';
import { UsageRecorder } from '@/lib/verify/usage';
import { VerificationCounts } from '@/lib/verify/counts';
import { Verifier } from '@/lib/verify/verifier';
import { VerifyCache } from '@/lib/verify/cache';
import { digaCatalogue } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { scrape, total } from '@/lib/testing/prometheus';
import { freePort, serverProcessUnavailable, ServerProcess } from '@/lib/testing/server-process';
import type { Driver } from '@/lib/testing/temporary-database';

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '1.5' },
    warmup: { type: 'string', default: '0.5' },
    connections: { type: 'string', default: '32' },
    driver: { type: 'string', default: 'postgres' },
    keys: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '10' },
    pin: { type: 'string', default: String(availableParallelism() >= 2) },
  },
});
const DURATION = Number(options.duration);
const KEYS = Number(options.keys);
const ROUNDS = Number(options.rounds);
const WARMUP = Number(options.warmup);
const CONNECTIONS = Number(options.connections);
const PIN = options.pin === 'true';

/** Binds every thread of `pid` (and the threads it starts later) to `cpus` ("0", "1-3"). */
function pin(pid: number | undefined, cpus: string): void {
  if (!PIN || pid === undefined) return;
  const result = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset failed (run with --pin false): ${result.error?.message ?? result.stderr.trim()}`);
}
const LOAD_CPUS = '0';
const SERVER_CPUS = `1-${availableParallelism() - 1}`;

// ---------------------------------------------------------------------------------------------
// The production server on a temporary database with one project and KEYS full-access keys

async function keywardServer(driver: Driver): Promise<ServerProcess> {
  if (driver !== 'postgres' && driver !== 'pglite') throw new Error(`Unknown driver "${driver}".`);
  const unavailable = await serverProcessUnavailable(driver);
  if (unavailable) throw new Error(unavailable);
  return ServerProcess.create({
    prefix: 'keyward_bench_verify',
    driver,
    echo: true,
    // The malformed and unknown cases would otherwise be answered RATE_LIMITED after 100.
    env: { KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE: String(1_000_000_000) },
  });
}

/** The reported caller of the allowlisted case, inside the last of its key's ten ranges. */
const CLIENT_ADDRESS = '198.51.100.23';
const LIMITS = {
  plain: {},
  allowlisted: { allowedAddresses: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '203.0.113.0/24', '2001:db8::/32', 'fd00::/8', '100.64.0.0/10', '192.0.2.1', '2001:db8:1::1', '198.51.100.0/24'] },
  // Never reached at this machine's rates: the limits' bookkeeping without a refusal.
  rateLimited: { rateLimit: { limit: 1_000_000, windowSeconds: 1 } },
  capped: { usage: { remaining: 1_000_000_000_000 } },
};
type Seeded = Record<keyof typeof LIMITS, string[]>;

/** The secrets of KEYS new full-access keys of each kind (keys made here are encrypted as the server expects). */
async function seed(server: ServerProcess): Promise<Seeded> {
  const database = server.open(2);
  try {
    await createProject(database.db, { slug: 'bench', name: 'Bench' });
    const actor = { type: 'system', projectSlug: 'bench', label: 'bench' } as const;
    const seeded = {} as Seeded;
    for (const [kind, limits] of Object.entries(LIMITS) as [keyof typeof LIMITS, object][]) {
      seeded[kind] = [];
      for (let i = 0; i < KEYS; i++) seeded[kind].push((await createKey(database.db, actor, { name: `Bench ${kind} key ${i}`, ...limits }, { catalogue: digaCatalogue })).secret);
    }
    return seeded;
  } finally {
    await database.close();
  }
}

// The floor (bench/floor-server.ts) is a plain child process of this one.
function killOnExit(child: ChildProcess): ChildProcess {
  process.on('exit', () => child.kill('SIGKILL'));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// ---------------------------------------------------------------------------------------------
// Load

/** A GET, or POSTs of `bodies` in turn: each request takes the next body, whichever connection sends it. */
type Case = { label: string; url: string; bodies?: string[]; expect: string; server: () => number | undefined };
/**
 * `total`: requests answered in the measured runs (a median's: in all its rounds, warm-ups not
 * included). `ratio`: to the floor (a median's: the median of each round's ratio to the floor run
 * just before it). `cpuMicros`: the server's CPU time (user and system) per answer, in µs, where
 * /proc tells it; `databaseMicros`: the local PostgreSQL's (every process of it: the exchanges and
 * counts of this run, and whatever else it did meanwhile, which on a bench machine is nothing).
 */
type Figures = { label: string; rps: number; p50: number; p99: number; bad: number; total: number; ratio: number; cpuMicros?: number; databaseMicros?: number };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/**
 * The floor's median round, then each case's (by requests/s) with its ratio to the floor. Every
 * case run follows a floor run of its own and is compared with that one: over a run of several
 * cases this machine's speed drifts by a third or more, which a ratio to one floor run per round
 * took for the cases' own. Many short pairs (10 rounds of 1.5 s) rather than a few long ones: the
 * speed also swung by half within a minute, and a pair measured within 4 s sees less of a swing
 * than one spread over 8 s.
 */
async function rounds(floorCase: Case, cases: Case[]): Promise<[Figures, ...Figures[]]> {
  const floorRuns: Figures[] = [];
  const runs: Array<Array<{ figures: Figures; ratio: number }>> = cases.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, testCase] of cases.entries()) {
      const floor = await load(floorCase);
      const figures = await load(testCase);
      floorRuns.push(floor);
      runs[i]!.push({ figures, ratio: figures.rps / floor.rps });
    }
  }
  const middle = (figures: Figures[]): Figures => ({
    ...[...figures].sort((a, b) => a.rps - b.rps)[figures.length >> 1]!,
    total: figures.reduce((sum, { total }) => sum + total, 0),
    cpuMicros: figures.every(({ cpuMicros }) => cpuMicros !== undefined) ? median(figures.map(({ cpuMicros }) => cpuMicros!)) : undefined,
    databaseMicros: figures.every(({ databaseMicros }) => databaseMicros !== undefined) ? median(figures.map(({ databaseMicros }) => databaseMicros!)) : undefined,
  });
  return [middle(floorRuns), ...runs.map((pairs) => ({ ...middle(pairs.map(({ figures }) => figures)), ratio: median(pairs.map(({ ratio }) => ratio)) }))];
}

/** A process's CPU time so far in µs (user and system, its threads included), where /proc tells it. */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks of 10 ms.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** The CPU time so far of every process of the local PostgreSQL (the bench's database is on it), where /proc and pgrep tell it. */
function databaseCpuMicros(): number | undefined {
  if (options.driver !== 'postgres') return undefined;
  const pids = spawnSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' });
  if (pids.status !== 0) return undefined;
  let sum = 0;
  for (const pid of pids.stdout.trim().split('\n')) sum += cpuMicros(Number(pid)) ?? 0;
  return sum;
}

async function check(testCase: Case): Promise<void> {
  const body = testCase.bodies?.[0];
  const response = await fetch(testCase.url, body ? { method: 'POST', body, headers: { 'content-type': 'application/json' } } : {});
  const text = await response.text();
  if (!text.includes(testCase.expect)) throw new Error(`${testCase.label}: expected ${testCase.expect}, got ${response.status} ${text.slice(0, 200)}`);
}

async function load(testCase: Case): Promise<Figures> {
  await check(testCase);
  const { bodies } = testCase;
  const headers = { 'content-type': 'application/json' };
  const requests = (from: number) => bodies!.map((_, i) => ({ method: 'POST' as const, headers, body: bodies![(from + i) % bodies!.length] }));
  let connection = 0;
  const request = {
    url: testCase.url,
    connections: CONNECTIONS,
    ...(bodies
      ? {
          requests: requests(0),
          // Each connection cycles through every body from its own place in the list (the
          // requests are encoded once), so no two connections send the same key together.
          setupClient: (client: autocannon.Client) => client.setRequests(requests(Math.floor((connection++ * bodies.length) / CONNECTIONS))),
        }
      : {}),
  };
  if (WARMUP > 0) await autocannon({ ...request, duration: WARMUP });
  const pid = testCase.server();
  const [cpuBefore, databaseBefore] = [cpuMicros(pid), databaseCpuMicros()];
  const result = await autocannon({ ...request, duration: DURATION });
  const [cpuAfter, databaseAfter] = [cpuMicros(pid), databaseCpuMicros()];
  return {
    label: testCase.label,
    // Over the run's own length: autocannon's average is of whole seconds only.
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts,
    total: result.requests.total,
    ratio: 1,
    cpuMicros: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / result.requests.total,
    databaseMicros: databaseBefore === undefined || databaseAfter === undefined ? undefined : (databaseAfter - databaseBefore) / result.requests.total,
  };
}

// ---------------------------------------------------------------------------------------------
// In-process: Verifier.verify with a warm cache against a bare SHA-256 of the same key

/** The median ns/op of each operation over 15 rounds of `count`, the operations taking turns round by round. */
async function nsPerOp(operations: Array<() => unknown>, count: number): Promise<number[]> {
  const samples: number[][] = operations.map(() => []);
  for (let round = 0; round < 15; round++) {
    for (const [o, operation] of operations.entries()) {
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const done = operation();
        if (done instanceof Promise) await done;
      }
      samples[o]!.push(((performance.now() - started) * 1e6) / count);
    }
  }
  return samples.map((times) => times.sort((a, b) => a - b)[times.length >> 1]!);
}

/**
 * What the front adds to each verify answer, in ns/op: its request id and two clock reads (always),
 * the metrics' count and histogram observe (metrics on), and a JSON log line, serialised by pino
 * and written nowhere (what per-answer logging would cost before any I/O).
 */
async function perAnswer(): Promise<{ idAndClock: number; metrics: number; logLine: number }> {
  const { recorder } = createMetrics({ outboxDue: async () => 0 });
  const log = createLogger({ format: 'json', level: 'debug' }, { write: () => {} });
  const line = { requestId: requestIdFor(undefined), method: 'POST', route: '/api/v1/keys/verify', status: 200, durationMs: 0.04 };
  let started = process.hrtime.bigint();
  const [idAndClock, metrics, logLine] = await nsPerOp(
    [
      () => {
        started = process.hrtime.bigint();
        return requestIdFor(undefined).length + Number(process.hrtime.bigint() - started);
      },
      () => {
        recorder.verifications.add('VALID');
        recorder.verifySeconds.observe(0.00004);
      },
      () => log.debug(line, 'request'),
    ],
    50_000,
  );
  return { idAndClock: idAndClock!, metrics: metrics!, logLine: logLine! };
}

type InProcess = { verify: number; uncounted: number; hash: number; limited: Record<'allowlisted' | 'rateLimited' | 'capped', number> };

async function inProcess(server: ServerProcess, seeded: Seeded): Promise<InProcess> {
  const database = server.open(2);
  try {
    const verifierCounting = (counting: boolean) =>
      new Verifier({
        getDb: () => database.db,
        catalogue: () => digaCatalogue,
        cache: new VerifyCache({ maxEntries: 1000, ttlMs: 3_600_000 }),
        usage: new UsageRecorder(() => database.db),
        counts: counting ? VerificationCounts.forDatabase(() => database.db) : null,
        limiter: new FailureLimiter(1_000_000_000),
        limits: { rates: new RateLimits(), caps: new UsageCaps() },
      });
    const counted = verifierCounting(true);
    const bare = verifierCounting(false);
    const secret = seeded.plain[0]!;
    const limitedSecrets = [seeded.allowlisted[0]!, seeded.rateLimited[0]!, seeded.capped[0]!] as const;
    const calls = [
      () => counted.verify(secret, undefined, '127.0.0.1'),
      () => bare.verify(secret, undefined, '127.0.0.1'),
      ...limitedSecrets.map((key, i) => () => counted.verify(key, undefined, '127.0.0.1', i === 0 ? CLIENT_ADDRESS : '127.0.0.1')),
    ];
    for (const call of calls) {
      const first = await call();
      if (first.result.code !== 'VALID') throw new Error(`in-process verify answered ${first.result.code}`);
    }
    const [verify, uncounted, allowlisted, rateLimited, capped, hash] = await nsPerOp([...calls, () => sha256('sha256', secret, 'hex')], 50_000);
    await counted.flushUsage();
    return { verify: verify!, uncounted: uncounted!, hash: hash!, limited: { allowlisted: allowlisted!, rateLimited: rateLimited!, capped: capped! } };
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One row per case, each as a share of the floor measured beside it and of Next's floor. */
function print(rows: Figures[], next: Figures): void {
  const header = ['case', 'req/s', 'p50 ms', 'p99 ms', '× node:http', '× Next', 'server µs/answer', 'PostgreSQL µs/answer', 'non-2xx/errors'];
  const table = rows.map((figures) => [
    figures.label,
    fmt(figures.rps),
    fmt(figures.p50, 1),
    fmt(figures.p99, 1),
    `${fmt(figures.ratio, 2)}×`,
    `${fmt(figures.rps / next.rps, 1)}×`,
    figures.cpuMicros === undefined ? '–' : fmt(figures.cpuMicros, 1),
    figures.databaseMicros === undefined ? '–' : fmt(figures.databaseMicros, 1),
    String(figures.bad),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...table.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const cells of table) console.log(line(cells));
}

async function main(): Promise<void> {
  console.log(
    `bench:verify · ${CONNECTIONS} connections · ${ROUNDS} rounds of ${DURATION} s per case after ${WARMUP} s warm-up · ${KEYS} keys of each kind · ${options.driver}` +
      (PIN ? ` · load on CPU ${LOAD_CPUS}, servers on CPUs ${SERVER_CPUS}` : ' · unpinned'),
  );
  const server = await keywardServer(options.driver as Driver);
  try {
    pin(process.pid, LOAD_CPUS);
    const seeded = await seed(server);
    const secrets = seeded.plain;
    const secret = secrets[0]!;
    const verifyUrl = `${server.url}/api/v1/keys/verify`;
    const valid = secrets.map((key) => JSON.stringify({ key }));
    const unknown = [JSON.stringify({ key: generateKey('kw') })];
    const malformed = [JSON.stringify({ key: `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}` })];

    // The floor with every key, compiled as the production server is (plain node, no loader).
    const floorDir = mkdtempSync(path.join(tmpdir(), 'keyward-bench-floor-'));
    const keysFile = path.join(floorDir, 'keys');
    writeFileSync(keysFile, secrets.join('\n'), { mode: 0o600 });
    buildSync({ entryPoints: ['bench/floor-server.ts'], bundle: true, platform: 'node', format: 'esm', outfile: path.join(floorDir, 'floor.mjs'), logLevel: 'warning' });
    const floorPort = await freePort();
    const floorServer = killOnExit(spawn(process.execPath, [path.join(floorDir, 'floor.mjs'), String(floorPort), keysFile], { stdio: ['ignore', 'ignore', 'inherit'] }));
    pin(floorServer.pid, SERVER_CPUS);
    const start = async (env?: Record<string, string>) => {
      await server.start(env);
      pin(server.pid, SERVER_CPUS);
    };
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const floorCase: Case = { label: 'bare node:http (floor)', url: `http://127.0.0.1:${floorPort}/`, bodies: valid, expect: 'VALID', server: () => floorServer.pid };
    const keyward = () => server.pid;

    // The floor and the cases against one server, interleaved round by round (PGlite allows one
    // server per data dir, so the cache-off server runs after the first has stopped).
    await start();
    const limitedCases: Case[] = [
      {
        label: 'verify · allowlist of 10, cached',
        url: verifyUrl,
        bodies: seeded.allowlisted.map((key) => JSON.stringify({ key, clientAddress: CLIENT_ADDRESS })),
        expect: '"VALID"',
        server: keyward,
      },
      { label: 'verify · rate limit not reached, cached', url: verifyUrl, bodies: seeded.rateLimited.map((key) => JSON.stringify({ key })), expect: '"VALID"', server: keyward },
      { label: 'verify · usage cap, cached', url: verifyUrl, bodies: seeded.capped.map((key) => JSON.stringify({ key })), expect: '"VALID"', server: keyward },
    ];
    const [floor, cached, unknownKey, malformedKey, allowlisted, rateLimited, capped] = (await rounds(floorCase, [
      { label: 'verify · valid key, cached', url: verifyUrl, bodies: valid, expect: '"VALID"', server: keyward },
      { label: 'verify · unknown key, cached', url: verifyUrl, bodies: unknown, expect: 'NOT_FOUND', server: keyward },
      { label: 'verify · malformed key', url: verifyUrl, bodies: malformed, expect: 'NOT_FOUND', server: keyward },
      ...limitedCases,
    ])) as [Figures, Figures, Figures, Figures, Figures, Figures, Figures];
    const limited = [allowlisted, rateLimited, capped];
    // Last: the garbage Next's requests leave would otherwise be collected during a verify case.
    const nextRun = await load({ label: 'Next GET /api/health/live', url: `${server.url}/api/health/live`, expect: 'ok', server: keyward });
    const next = { ...nextRun, ratio: nextRun.rps / floor.rps };
    await server.stop();

    const validCase = (label: string): Case => ({ label, url: verifyUrl, bodies: valid, expect: '"VALID"', server: keyward });
    /**
     * `cases` (a valid key's by default) on the server started with `env`, in rounds beside the
     * floor: the floor's figures, then each case's. `running` reads the server before it stops.
     */
    const beside = async (env: Record<string, string>, cases: Case[], running?: () => Promise<void>) => {
      await start(env);
      const figures = await rounds(floorCase, cases);
      await running?.();
      await server.stop();
      return figures as [Figures, Figures, ...Figures[]];
    };

    // Usage counting is on by default (above); the same cached case with it off.
    const [floorUncounted, uncounted] = await beside({ KEYWARD_USAGE_COUNTING: 'false' }, [validCase('verify · valid key, cached, counting off')]);
    // Metrics on: every answer counted and timed; then a scrape must have seen every one measured.
    const metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
    const counted = { verifications: 0, timed: 0 };
    const [floorMetrics, withMetrics] = await beside({ KEYWARD_METRICS_PORT: new URL(metricsUrl).port }, [validCase('verify · valid key, cached, metrics on')], async () => {
      const scraped = await scrape(metricsUrl);
      Object.assign(counted, { verifications: total(scraped, 'keyward_verifications_total'), timed: total(scraped, 'keyward_verify_duration_seconds_count') });
    });
    // Every verify answer logged as a JSON line (KEYWARD_LOG_LEVEL=debug), read by this process as a log shipper would.
    const [floorLogged, everyLogged] = await beside({ KEYWARD_LOG_LEVEL: 'debug' }, [validCase('verify · valid key, cached, every answer logged')]);
    const [floorAgain, uncached] = await beside({ KEYWARD_VERIFY_CACHE_ENTRIES: '0' }, [validCase('verify · valid key, no cache')]);
    // A verify node (KEYWARD_ROLE=verify: no Next in the process; PostgreSQL only), counting on.
    const verifyNode =
      options.driver === 'postgres'
        ? await beside({ KEYWARD_ROLE: 'verify' }, [
            validCase('verify node · valid key, cached'),
            ...limitedCases.map((testCase) => ({ ...testCase, label: testCase.label.replace('verify · ', 'verify node · ') })),
          ])
        : undefined;
    await stop(floorServer);
    rmSync(floorDir, { recursive: true, force: true });
    const nodeRows = verifyNode ? [{ ...verifyNode[0], label: 'bare node:http (floor, beside the verify node)' }, ...verifyNode.slice(1)] : [];
    console.log('');
    console.log(`Medians of ${ROUNDS} rounds; a case's ratio to the floor is the median of its rounds' ratios, each to the floor run just before it:`);
    print(
      [
        floor,
        next,
        cached,
        unknownKey,
        malformedKey,
        ...limited,
        { ...floorUncounted, label: 'bare node:http (floor, beside counting off)' },
        uncounted,
        { ...floorMetrics, label: 'bare node:http (floor, beside metrics on)' },
        withMetrics,
        { ...floorLogged, label: 'bare node:http (floor, beside every answer logged)' },
        everyLogged,
        { ...floorAgain, label: 'bare node:http (floor, beside no cache)' },
        uncached,
        ...nodeRows,
      ],
      next,
    );

    console.log('');
    console.log(
      `metrics on: the scrape counted ${fmt(counted.verifications)} verify answers and timed ${fmt(counted.timed)}; the measured runs made ${fmt(withMetrics.total)} (plus warm-ups and checks)`,
    );

    const timed = await inProcess(server, seeded);
    console.log('');
    console.log(
      `in-process: Verifier.verify (cached) ${fmt(timed.verify)} ns/op, counting off ${fmt(timed.uncounted)} ns/op · bare SHA-256 ${fmt(timed.hash)} ns/op · ratio ${fmt(timed.verify / timed.hash, 2)}× (${fmt(timed.uncounted / timed.hash, 2)}× counting off)`,
    );
    console.log(
      `in-process, limited keys (cached, none reached): allowlist of 10 ${fmt(timed.limited.allowlisted)} ns/op · rate limit ${fmt(timed.limited.rateLimited)} ns/op · usage cap ${fmt(timed.limited.capped)} ns/op`,
    );
    const added = await perAnswer();
    console.log(
      `in-process, per verify answer: request id and clock ${fmt(added.idAndClock)} ns · metrics (count + histogram) ${fmt(added.metrics)} ns · a JSON log line (serialised, not written) ${fmt(added.logLine)} ns`,
    );
    console.log('');
    const mark = (ok: boolean) => (ok ? 'met' : 'missed');
    console.log(`targets: cached ≥ 0.5× node:http: ${mark(cached.ratio >= 0.5)} (${fmt(cached.ratio, 2)}×)`);
    console.log(`         cached, counting on, ≥ 0.6× node:http: ${mark(cached.ratio >= 0.6)} (${fmt(cached.ratio, 2)}×; counting off ${fmt(uncounted.ratio, 2)}×)`);
    console.log(`         cached, metrics on, ≥ 0.6× node:http: ${mark(withMetrics.ratio >= 0.6)} (${fmt(withMetrics.ratio, 2)}×; metrics off ${fmt(cached.ratio, 2)}×)`);
    for (const figures of limited) {
      console.log(`         ${figures.label.replace('verify · ', '')} ≥ 0.6× node:http: ${mark(figures.ratio >= 0.6)} (${fmt(figures.ratio, 2)}×)`);
    }
    console.log(`         (every verify answer logged: ${fmt(everyLogged.ratio, 2)}× node:http; by default verify is logged once a minute in aggregate)`);
    console.log(`         uncached ≥ 0.25× node:http: ${mark(uncached.ratio >= 0.25)} (${fmt(uncached.ratio, 2)}×)`);
    if (verifyNode) {
      for (const figures of verifyNode.slice(1)) console.log(`         ${figures.label} ≥ 0.6× node:http: ${mark(figures.ratio >= 0.6)} (${fmt(figures.ratio, 2)}×)`);
    }
    console.log(`         malformed ≥ cached: ${mark(malformedKey.rps >= cached.rps)} (${fmt(malformedKey.rps / cached.rps, 2)}×)`);
    console.log(`         in-process cached verify ≤ 3× bare hash: ${mark(timed.verify <= 3 * timed.hash)} (${fmt(timed.verify / timed.hash, 2)}×)`);
  } finally {
    await server.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:verify failed: ${error.message}`);
    process.exit(1);
  },
);
