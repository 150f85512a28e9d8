/**
 * Usage at volume: `npm run bench:usage [-- options]` (after `npm run build`).
 *
 * On a temporary database (PostgreSQL by default), one project with --keys keys (seeded in
 * batches, lib/seed/keys.ts): the production server (`dist/server.mjs`) is sent --baseline
 * verifications over HTTP (autocannon, keep-alive connections, each key in turn), stopped with
 * SIGTERM, and the reads of the key page and the usage page are timed; then it is started again,
 * sent the rest of --verifications, stopped again, and the reads are timed at that volume. The
 * verifications are a mix: most of every key plain (VALID), some requiring `calls: write` of
 * restricted keys that lack it (INSUFFICIENT_PERMISSIONS), some of keys made expired (EXPIRED).
 *
 * It prints: answers sent against answers stored in key_usage's minute rows (EQUAL, or the
 * difference), per code, and whether every other grain and the project's rows sum the same; the
 * count statements the server wrote and the rows they held (from the line it prints at an orderly
 * stop, see lib/verify/counts.ts); rows written per minute of load; the rows a day of such load
 * leaves at each grain (every count is written as a minute, an hour and a day row; minute rows
 * are kept 48 h, hour rows 90 days, day rows 400: lib/usage/rollup.ts), extrapolated from what was
 * stored; and the median server time of each read (lib/usage/query.ts, the functions the pages
 * call, authorization included) at both volumes, with their ratio. Issue 12's targets, on
 * PostgreSQL: each under 50 ms median at the large volume and within 3× of the baseline. Reads are
 * timed while the server is stopped, after VACUUM ANALYZE of the usage tables (what autovacuum does
 * within a minute of such a load). The load generator shares the machine's cores with the server:
 * throughput and timings are noisy, counts are not. Nothing is asserted.
 *
 * Options: --verifications 1000000  --keys 10000  --baseline 1000  --connections 32  --runs 15
 * --warmups 3  --driver postgres|pglite
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { apiKeys, apiKeySecrets } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { hashKey } from '@/lib/keys/crypto';
import { digaCatalogue } from '@/lib/permissions/presets';
import { analyzeKeys, ensureProject, seedKeys } from '@/lib/seed/keys';
import { serverProcessUnavailable, ServerProcess } from '@/lib/testing/server-process';
import type { Driver } from '@/lib/testing/temporary-database';
import { parseWrittenLine, type CountsWritten } from '@/lib/verify/counts';
import { compactRowBytes, printRetention, storedUsage, type StoredUsage } from './usage-store';
import { printReads, timeReads } from './usage-reads';

const { values: options } = parseArgs({
  options: {
    verifications: { type: 'string', default: '1000000' },
    keys: { type: 'string', default: '10000' },
    baseline: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '32' },
    runs: { type: 'string', default: '15' },
    warmups: { type: 'string', default: '3' },
    driver: { type: 'string', default: 'postgres' },
  },
});
const VERIFICATIONS = Number(options.verifications);
const KEYS = Number(options.keys);
const BASELINE = Math.min(Number(options.baseline), VERIFICATIONS);
const CONNECTIONS = Number(options.connections);
const driver = options.driver as Driver;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ---------------------------------------------------------------------------------------------
// The keys and what each verification of them answers

/** Request bodies by the code each answers, and the keys whose reads are timed. */
type Plan = { bodies: Record<'VALID' | 'INSUFFICIENT_PERMISSIONS' | 'EXPIRED', string[]>; keyPageKey: string; tablePage: string[] };

/** Shares of the verifications: the rest are VALID. */
const SHARE = { INSUFFICIENT_PERMISSIONS: 0.04, EXPIRED: 0.02 } as const;
/** One key in this many is made expired. */
const EXPIRED_EVERY = 50;

async function seed(database: Database): Promise<{ actor: Actor; plan: Plan; projectId: string }> {
  const { db } = database;
  const { project, adminId } = await ensureProject(db, 'bench-usage', 'bench-usage@keyward.local');
  const secrets: string[] = [];
  const ms = await seedKeys(db, {
    projectId: project.id,
    count: KEYS,
    catalogue: digaCatalogue,
    concurrency: driver === 'postgres' ? 2 : 1,
    onSecret: (secret, index) => (secrets[index] = secret),
  });
  // What autovacuum would have done by the time anyone looks.
  await analyzeKeys(db);
  console.log(`seeded ${fmt(KEYS)} keys in ${fmt(ms / 1000, 1)} s`);
  const rows = await db
    .select({ hash: apiKeySecrets.hash, id: apiKeys.id, publicId: apiKeys.publicId, permissions: apiKeys.permissions })
    .from(apiKeySecrets)
    .innerJoin(apiKeys, eq(apiKeys.id, apiKeySecrets.apiKeyId))
    .where(eq(apiKeys.projectId, project.id));
  const byHash = new Map(rows.map((row) => [row.hash, row]));
  const keys = secrets.map((secret) => ({ secret, ...byHash.get(hashKey(secret))! }));
  const expired = keys.filter((_, i) => i % EXPIRED_EVERY === EXPIRED_EVERY - 1);
  await db
    .update(apiKeys)
    .set({ expiresAt: sql`now() - interval '1 day'` })
    .where(inArray(apiKeys.id, expired.map((key) => key.id)));
  const live = keys.filter((_, i) => i % EXPIRED_EVERY !== EXPIRED_EVERY - 1);
  const lacking = live.filter((key) => key.permissions !== null && key.permissions.calls !== 'write');
  const body = (key: string, require?: Record<string, string>) => JSON.stringify(require ? { key, require } : { key });
  const plan: Plan = {
    bodies: {
      VALID: live.map((key) => body(key.secret)),
      INSUFFICIENT_PERMISSIONS: lacking.map((key) => body(key.secret, { calls: 'write' })),
      EXPIRED: expired.map((key) => body(key.secret)),
    },
    // The key page of a key answered with two codes; the table's first page of 25.
    keyPageKey: lacking[0]!.publicId,
    tablePage: keys.slice(0, 25).map((key) => key.publicId),
  };
  const [restricted] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, project.id), isNotNull(apiKeys.permissions)));
  console.log(`${fmt(live.length)} live keys (${fmt(restricted?.n ?? 0)} restricted, ${fmt(lacking.length)} of them without calls: write) · ${fmt(expired.length)} expired`);
  return { actor: { type: 'user', userId: adminId!, projectSlug: project.slug }, plan, projectId: project.id };
}

// ---------------------------------------------------------------------------------------------
// Load: each code's verifications in one autocannon run of exactly that many requests

type Sent = { byCode: Record<string, number>; answers: number; other: number; errors: number; ms: number };

async function sendBodies(url: string, bodies: string[], amount: number): Promise<{ ok: number; other: number; errors: number }> {
  if (amount === 0) return { ok: 0, other: 0, errors: 0 };
  const connections = Math.min(CONNECTIONS, amount);
  const headers = { 'content-type': 'application/json' };
  const requests = (from: number) => bodies.map((_, i) => ({ method: 'POST' as const, headers, body: bodies[(from + i) % bodies.length] }));
  let connection = 0;
  const result = await autocannon({
    url,
    connections,
    amount,
    // A request this slow is a loaded machine, not a lost one: it is answered, and counted, later.
    timeout: 120,
    requests: requests(0),
    // Each connection goes through every key from its own place in the list.
    setupClient: (client: autocannon.Client) => client.setRequests(requests(Math.floor((connection++ * bodies.length) / connections))),
  });
  const ok = result.statusCodeStats?.['200']?.count ?? 0;
  // `errors` includes timeouts: a request that timed out may still have been answered and counted.
  return { ok, other: result['2xx'] + result.non2xx - ok, errors: result.errors };
}

/** `count` verifications, split by SHARE, against a running server. */
async function load(server: ServerProcess, plan: Plan, count: number): Promise<Sent> {
  const refused = Math.round(count * SHARE.INSUFFICIENT_PERMISSIONS);
  const expired = Math.round(count * SHARE.EXPIRED);
  const amounts = { VALID: count - refused - expired, INSUFFICIENT_PERMISSIONS: refused, EXPIRED: expired };
  const sent: Sent = { byCode: {}, answers: 0, other: 0, errors: 0, ms: 0 };
  const started = performance.now();
  for (const code of ['VALID', 'INSUFFICIENT_PERMISSIONS', 'EXPIRED'] as const) {
    const { ok, other, errors } = await sendBodies(`${server.url}/api/v1/keys/verify`, plan.bodies[code], amounts[code]);
    sent.byCode[code] = ok;
    sent.answers += ok;
    sent.other += other;
    sent.errors += errors;
  }
  sent.ms = performance.now() - started;
  return sent;
}

// ---------------------------------------------------------------------------------------------

/** One server run: start, send `count`, stop with SIGTERM; what it sent and what it said it wrote. */
async function run(server: ServerProcess, plan: Plan, count: number): Promise<{ sent: Sent; written: CountsWritten & { unwritten: number } }> {
  const before = server.output().length;
  await server.start();
  const sent = await load(server, plan, count);
  await server.stop();
  const written = parseWrittenLine(server.output().slice(before));
  if (!written) throw new Error(`the server did not say what it wrote; it printed:\n${server.output().slice(before).slice(-2000)}`);
  console.log(
    `sent ${fmt(sent.answers)} verifications answered 200 in ${fmt(sent.ms / 1000, 1)} s (${fmt(sent.answers / (sent.ms / 1000))}/s, noisy)` +
      `${sent.other ? ` · ${fmt(sent.other)} other statuses` : ''}${sent.errors ? ` · ${fmt(sent.errors)} errors` : ''} · ` +
      `server exit ${server.exit?.code ?? server.exit?.signal} · it wrote ${fmt(written.statements)} count statements, ${fmt(written.rows)} rows, ${fmt(written.answers)} answers` +
      `${written.unwritten ? `, ${fmt(written.unwritten)} not written` : ''}`,
  );
  return { sent, written };
}

function compare(label: string, sent: number, stored: number): string {
  return `${label}: sent ${fmt(sent)} · stored ${fmt(stored)} · ${sent === stored ? 'EQUAL' : `DIFFERENCE ${fmt(stored - sent)}`}`;
}

function printTotals(sentByCode: Record<string, number>, stored: StoredUsage): void {
  const sent = Object.values(sentByCode).reduce((a, b) => a + b, 0);
  console.log(compare('total (minute rows)', sent, stored.total));
  for (const code of Object.keys({ ...sentByCode, ...stored.byCode })) console.log(`  ${compare(code, sentByCode[code] ?? 0, stored.byCode[code] ?? 0)}`);
  const disagree = Object.entries(stored.sums).filter(([, sum]) => sum !== stored.total);
  console.log(
    disagree.length === 0
      ? `  every grain of key_usage and project_usage sums to the same ${fmt(stored.total)}`
      : `  grains that disagree: ${disagree.map(([grain, sum]) => `${grain} ${fmt(sum)}`).join(', ')}`,
  );
}

async function main(): Promise<void> {
  if (driver !== 'postgres' && driver !== 'pglite') throw new Error(`Unknown driver "${driver}".`);
  const unavailable = await serverProcessUnavailable(driver);
  if (unavailable) throw new Error(unavailable);
  console.log(`bench:usage · ${fmt(VERIFICATIONS)} verifications (${fmt(BASELINE)} first) across ${fmt(KEYS)} keys · ${CONNECTIONS} connections · ${driver}`);
  const server = await ServerProcess.create({
    prefix: 'keyward_bench_usage',
    driver,
    echo: true,
    env: {
      // EXPIRED answers count as failures of the bench's one address.
      KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE: String(1_000_000_000),
      // Counting is measured here, not lookups: keys stay cached. With the default 5 s lifetime,
      // 10,000 keys in turn at a few thousand verifications a second are mostly cache misses.
      KEYWARD_VERIFY_CACHE_TTL_MS: String(3_600_000),
    },
  });
  // PGlite admits one process at a time: this one opens the database only while the server is stopped.
  const open = () => server.open(4);
  try {
    let database = open();
    const { actor, plan, projectId } = await seed(database);
    await database.close();
    const reads = { runs: Number(options.runs), warmups: Number(options.warmups), keyPageKey: plan.keyPageKey, tablePage: plan.tablePage, projectId };

    console.log(`\n1. ${fmt(BASELINE)} verifications`);
    const first = await run(server, plan, BASELINE);
    database = open();
    const storedFirst = await storedUsage(database.db);
    printTotals(first.sent.byCode, storedFirst);
    const small = await timeReads(database.db, actor, reads);
    await database.close();

    console.log(`\n2. ${fmt(VERIFICATIONS - BASELINE)} more verifications (${fmt(VERIFICATIONS)} in all)`);
    const second = await run(server, plan, VERIFICATIONS - BASELINE);
    database = open();
    const stored = await storedUsage(database.db);
    const sentByCode = Object.fromEntries(Object.keys(first.sent.byCode).map((code) => [code, first.sent.byCode[code]! + second.sent.byCode[code]!]));
    printTotals(sentByCode, stored);
    const statements = first.written.statements + second.written.statements;
    const rowsWritten = first.written.rows + second.written.rows;
    const loadMinutes = (first.sent.ms + second.sent.ms) / 60_000;
    console.log(`count statements written: ${fmt(statements)} (${fmt(first.written.statements)} + ${fmt(second.written.statements)}), holding ${fmt(rowsWritten)} rows`);
    console.log(
      `key × minute × code counts written per minute of load: ${fmt(rowsWritten / loadMinutes)} (${fmt(rowsWritten)} over ${fmt(loadMinutes, 2)} min of load; ` +
        `each adds to its minute, hour and day rows and its project's)`,
    );
    const large = await timeReads(database.db, actor, reads);
    // After the reads: this rewrites the table.
    printRetention(stored, loadMinutes, await compactRowBytes(database.db));
    await database.close();

    console.log('');
    printReads(driver, small, large, BASELINE, VERIFICATIONS);
  } finally {
    await server.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:usage failed: ${error.message}`);
    process.exit(1);
  },
);
