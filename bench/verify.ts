/**
 * How fast POST /api/v1/keys/verify answers: `npm run bench:verify [-- options]` (after `npm run
 * build`).
 *
 * In one run, on a temporary database: starts a bare node:http server that does verification's
 * own work and nothing else (bench/floor-server.ts, the physical floor of HTTP here), then the
 * production server (`server.ts`, as `npm start` runs it), and loads each case below with
 * autocannon for a fixed time after a short warm-up: Next's GET /api/health/live (the
 * framework's floor), verify with a valid cached key, verify with an unknown key, verify with a
 * malformed key; then the production server again with the cache off (KEYWARD_VERIFY_CACHE_ENTRIES=0)
 * for uncached verify. It prints requests/s, p50 and p99 per case, each as a ratio to both
 * floors, and times `Verifier.verify` in-process against a bare SHA-256 of the same key. The
 * load generator shares the machine's cores with the servers, as it did when the targets were
 * set; compare ratios within one run, not absolute figures across runs. Nothing is asserted.
 *
 * Issue 4's targets: cached ≥ 50% of the node:http floor's requests/s, uncached ≥ 25%,
 * malformed at least as fast as cached, in-process cached verify within 3× of the bare hash.
 *
 * Options: --duration 10 (seconds per case)  --warmup 2  --connections 32  --driver postgres|pglite
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { openDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { createKey } from '@/lib/keys/create';
import { FailureLimiter } from '@/lib/keys/failure-limiter';
import { UsageRecorder } from '@/lib/keys/usage';
import { Verifier } from '@/lib/keys/verifier';
import { VerifyCache } from '@/lib/keys/verify-cache';
import { digaCatalogue } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    driver: { type: 'string', default: 'postgres' },
  },
});
const DURATION = Number(options.duration);
const WARMUP = Number(options.warmup);
const CONNECTIONS = Number(options.connections);
const FLOOR_PORT = 3290;
const SERVER_PORT = 3291;
const SERVER_SECRETS = {
  AUTH_SECRET: randomBytes(32).toString('base64'),
  KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};
process.env.KEYWARD_ENCRYPTION_KEY = SERVER_SECRETS.KEYWARD_ENCRYPTION_KEY;

// ---------------------------------------------------------------------------------------------
// A database with one project and one full-access key

type Place = { env: Record<string, string>; open(): Database; dispose(): Promise<void> };

async function temporaryPlace(driver: string): Promise<Place> {
  if (driver === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'keyward-bench-verify-'));
    return {
      env: { KEYWARD_DATA_DIR: dir },
      open: () => openDatabase({ driver: 'pglite', dataDir: path.join(dir, 'pglite') }),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  server.pathname = '/postgres';
  const name = `keyward_bench_verify_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(server.href, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(server.href);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.href, KEYWARD_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'keyward-bench-verify-')) },
    open: () => openDatabase({ driver: 'postgres', url: url.href, max: 2 }),
    dispose: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

async function seed(place: Place): Promise<string> {
  const database = place.open();
  try {
    await migrateDatabase(database);
    await createProject(database.db, { slug: 'bench', name: 'Bench' });
    const actor = { type: 'system', projectSlug: 'bench', label: 'bench' } as const;
    const { secret } = await createKey(database.db, digaCatalogue, actor, { name: 'Bench key' });
    return secret;
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Servers

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with code ${child.exitCode}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within 2 minutes`);
}

function start(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(path.join('node_modules', '.bin', 'tsx'), args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  process.on('exit', () => child.kill('SIGKILL'));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function startKeyward(place: Place, extra: Record<string, string>): Promise<ChildProcess> {
  const child = start(['server.ts'], {
    ...process.env,
    ...SERVER_SECRETS,
    ...place.env,
    ...extra,
    NODE_ENV: 'production',
    PORT: String(SERVER_PORT),
    HOSTNAME: '127.0.0.1',
    // The malformed and unknown cases would otherwise be answered RATE_LIMITED after 100.
    KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE: String(1_000_000_000),
  });
  await waitFor(`http://127.0.0.1:${SERVER_PORT}/api/health/ready`, child);
  return child;
}

// ---------------------------------------------------------------------------------------------
// Load

type Case = { label: string; url: string; body?: string; expect: string };
type Figures = { label: string; rps: number; p50: number; p99: number; bad: number };

async function check(testCase: Case): Promise<void> {
  const response = await fetch(testCase.url, testCase.body ? { method: 'POST', body: testCase.body, headers: { 'content-type': 'application/json' } } : {});
  const text = await response.text();
  if (!text.includes(testCase.expect)) throw new Error(`${testCase.label}: expected ${testCase.expect}, got ${response.status} ${text.slice(0, 200)}`);
}

async function load(testCase: Case): Promise<Figures> {
  await check(testCase);
  const request = {
    url: testCase.url,
    connections: CONNECTIONS,
    method: testCase.body ? ('POST' as const) : ('GET' as const),
    body: testCase.body,
    headers: testCase.body ? { 'content-type': 'application/json' } : {},
  };
  if (WARMUP > 0) await autocannon({ ...request, duration: WARMUP });
  const result = await autocannon({ ...request, duration: DURATION });
  return { label: testCase.label, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, bad: result.non2xx + result.errors + result.timeouts };
}

// ---------------------------------------------------------------------------------------------
// In-process: Verifier.verify with a warm cache against a bare SHA-256 of the same key

async function nsPerOp(operation: () => unknown, count: number): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < 7; round++) {
    const started = performance.now();
    for (let i = 0; i < count; i++) await operation();
    samples.push(((performance.now() - started) * 1e6) / count);
  }
  return samples.sort((a, b) => a - b)[3]!;
}

async function inProcess(place: Place, secret: string): Promise<{ verify: number; hash: number }> {
  const database = place.open();
  try {
    const verifier = new Verifier({
      getDb: () => database.db,
      catalogue: () => digaCatalogue,
      cache: new VerifyCache({ maxEntries: 1000, ttlMs: 3_600_000 }),
      usage: new UsageRecorder(() => database.db),
      limiter: new FailureLimiter(1_000_000_000),
    });
    const first = await verifier.verify(secret, undefined, '127.0.0.1');
    if (first.result.code !== 'VALID') throw new Error(`in-process verify answered ${first.result.code}`);
    const verify = await nsPerOp(() => verifier.verify(secret, undefined, '127.0.0.1'), 50_000);
    const hash = await nsPerOp(() => createHash('sha256').update(secret).digest('hex'), 50_000);
    return { verify, hash };
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function print(rows: Figures[], floor: Figures, next: Figures): void {
  const header = ['case', 'req/s', 'p50 ms', 'p99 ms', '% of node:http', '× Next', 'non-2xx/errors'];
  const table = rows.map((row) => [
    row.label,
    fmt(row.rps),
    fmt(row.p50, 1),
    fmt(row.p99, 1),
    `${fmt((100 * row.rps) / floor.rps, 1)}%`,
    `${fmt(row.rps / next.rps, 1)}×`,
    String(row.bad),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...table.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const cells of table) console.log(line(cells));
}

async function main(): Promise<void> {
  console.log(`bench:verify · ${CONNECTIONS} connections · ${DURATION} s per case after ${WARMUP} s warm-up · ${options.driver}`);
  const place = await temporaryPlace(options.driver);
  try {
    const secret = await seed(place);
    const verifyUrl = `http://127.0.0.1:${SERVER_PORT}/api/v1/keys/verify`;
    const valid = JSON.stringify({ key: secret });
    const unknown = JSON.stringify({ key: `kw_${'A'.repeat(32)}000000` });
    const malformed = JSON.stringify({ key: `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}` });

    const floorServer = start(['bench/floor-server.ts', String(FLOOR_PORT), secret], process.env);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const floor = await load({ label: 'bare node:http (floor)', url: `http://127.0.0.1:${FLOOR_PORT}/`, body: valid, expect: 'VALID' });
    await stop(floorServer);

    let server = await startKeyward(place, {});
    const next = await load({ label: 'Next GET /api/health/live', url: `http://127.0.0.1:${SERVER_PORT}/api/health/live`, expect: 'ok' });
    const cached = await load({ label: 'verify · valid key, cached', url: verifyUrl, body: valid, expect: '"VALID"' });
    const unknownKey = await load({ label: 'verify · unknown key, cached', url: verifyUrl, body: unknown, expect: 'NOT_FOUND' });
    const malformedKey = await load({ label: 'verify · malformed key', url: verifyUrl, body: malformed, expect: 'NOT_FOUND' });
    await stop(server);

    server = await startKeyward(place, { KEYWARD_VERIFY_CACHE_ENTRIES: '0' });
    const uncached = await load({ label: 'verify · valid key, no cache', url: verifyUrl, body: valid, expect: '"VALID"' });
    await stop(server);

    console.log('');
    print([floor, next, cached, uncached, unknownKey, malformedKey], floor, next);

    const timed = await inProcess(place, secret);
    console.log('');
    console.log(`in-process: Verifier.verify (cached) ${fmt(timed.verify)} ns/op · bare SHA-256 ${fmt(timed.hash)} ns/op · ratio ${fmt(timed.verify / timed.hash, 2)}×`);
    console.log('');
    const mark = (ok: boolean) => (ok ? 'met' : 'missed');
    console.log(`targets: cached ≥ 50% of node:http: ${mark(cached.rps >= floor.rps / 2)} (${fmt((100 * cached.rps) / floor.rps, 1)}%)`);
    console.log(`         uncached ≥ 25% of node:http: ${mark(uncached.rps >= floor.rps / 4)} (${fmt((100 * uncached.rps) / floor.rps, 1)}%)`);
    console.log(`         malformed ≥ cached: ${mark(malformedKey.rps >= cached.rps)} (${fmt(malformedKey.rps / cached.rps, 2)}×)`);
    console.log(`         in-process cached verify ≤ 3× bare hash: ${mark(timed.verify <= 3 * timed.hash)} (${fmt(timed.verify / timed.hash, 2)}×)`);
  } finally {
    await place.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:verify failed: ${error.message}`);
    process.exit(1);
  },
);
