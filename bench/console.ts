/**
 * How the API Keys page's query scales: `npm run bench:console [-- options]`.
 *
 * For PostgreSQL and for PGlite, one project is grown to 1,000, then 100,000, then 1,000,000
 * keys (beside a second project holding keys of its own, so filtering by project matters). After
 * each size the tables are vacuumed and analyzed, and every case below is timed through
 * listKeys — authorization, the total (the project's key count; for a search, the planner's
 * estimate of its matches, then either their count or, past EXACT_COUNT_LIMIT, that estimate),
 * the page itself and the grace-period lookup: the server-side work behind one page view — as the
 * median of repeated runs after a few warm-ups. A middle page is timed as a user reaches it, by
 * "Next page" (or "Previous page") from its neighbour, which carries a cursor; and opened straight
 * from its number (`?page=N`, an OFFSET), labelled as a jump. The figures are printed with the
 * ratio 1M / 1k; nothing is asserted. Issue 3's target, on PostgreSQL: the 1M median within 3×
 * of the 1k median and under 100 ms.
 *
 * PostgreSQL: a temporary database beside DATABASE_URL's (else on 127.0.0.1), dropped afterwards.
 * PGlite: a temporary data dir, removed afterwards.
 *
 * Options: --drivers postgres,pglite  --sizes 1000,100000,1000000  --pglite-max <n> (largest
 * PGlite size, default all)  --other <n> (keys in the other project, default 50000)
 * --runs 25  --warmups 3  --no-vacuum (time the tables as seeded: PGlite has no autovacuum, so
 * an embedded deployment never gets statistics or a visibility map unless someone runs VACUUM)
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { analyzeKeys, ensureProject, seedKeys } from '@/lib/seed/keys';
import type { Actor } from '@/lib/auth/authorize';
import { listKeys, type ListKeysRequest } from '@/lib/keys/list';
import { digaCatalogue as catalogue } from '@/lib/permissions/presets';
import { temporaryDatabase, type Driver } from '@/lib/testing/temporary-database';
import { median } from './stats';

/** A database to run on, and how to get rid of it afterwards. */
type Target = { database: Database; label: string; dispose(): Promise<void> };

// ---------------------------------------------------------------------------------------------
// What is measured

const base: ListKeysRequest = { q: '', page: 1, pageSize: 10, sort: 'created', dir: 'desc' };

/**
 * `middle`: the middle page, reached by "Next page" from the page before it or "Previous page"
 * from the page after it (with their cursors), or opened by its number alone (`jump`).
 * `other`: run against the other project (its size stays fixed while the main one grows).
 */
type Case = { label: string; query: Partial<ListKeysRequest>; middle?: 'next' | 'previous' | 'jump'; other?: boolean };

// "Checkout" is in about 1 name in 40 (so from 100,000 keys on its total is an estimate, and the
// middle page of a jump lies deep in its matches); "mei's zapier" in about 1 in 4,000, counted at
// every size; "pr", "e" and "xq" have no trigram for that GIN index to use: "pr" and "e" are common
// pieces of names, estimated from 100,000 keys on, "xq" is in none. The other project's 1,250 or
// so "Checkout" keys are just past EXACT_COUNT_LIMIT: estimated, unless the planner's estimate
// (from a sample of the table) comes out under it, and then counted.
const CASES: Case[] = [
  { label: 'first page · created ↓', query: {} },
  { label: 'first page · name ↑', query: { sort: 'name', dir: 'asc' } },
  { label: 'first page · last used ↓', query: { sort: 'last_used', dir: 'desc' } },
  { label: 'first page · last used ↑', query: { sort: 'last_used', dir: 'asc' } },
  { label: 'middle page · created ↓ · Next page', query: {}, middle: 'next' },
  { label: 'middle page · created ↓ · Previous page', query: {}, middle: 'previous' },
  { label: 'middle page · name ↑ · Next page', query: { sort: 'name', dir: 'asc' }, middle: 'next' },
  { label: 'middle page · last used ↓ · Next page', query: { sort: 'last_used', dir: 'desc' }, middle: 'next' },
  { label: 'middle page · created ↓ · jump ?page=N', query: {}, middle: 'jump' },
  { label: 'middle page · name ↑ · jump ?page=N', query: { sort: 'name', dir: 'asc' }, middle: 'jump' },
  { label: 'middle page · last used ↓ · jump ?page=N', query: { sort: 'last_used', dir: 'desc' }, middle: 'jump' },
  { label: 'search "Checkout" · first page', query: { q: 'Checkout' } },
  { label: 'search "Checkout" · name ↑', query: { q: 'Checkout', sort: 'name', dir: 'asc' } },
  { label: 'search "Checkout" · middle · Next page', query: { q: 'Checkout' }, middle: 'next' },
  { label: 'search "Checkout" · middle · jump ?page=N', query: { q: 'Checkout' }, middle: 'jump' },
  { label: `search "mei's zapier" · first page`, query: { q: "mei's zapier" } },
  { label: 'search "pr" · first page', query: { q: 'pr' } },
  { label: 'search "e" · first page', query: { q: 'e' } },
  { label: 'search "xq" (no match) · first page', query: { q: 'xq' } },
  { label: 'other project · first page', query: {}, other: true },
  { label: 'other project · search "Checkout"', query: { q: 'Checkout' }, other: true },
];

const fmt = (n: number) => n.toLocaleString('en-US');
const shortSize = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

type Timed = { ms: number; page: number; total: string };

async function timeCase(db: Database['db'], actor: Actor, testCase: Case, runs: number, warmups: number): Promise<Timed> {
  let query: ListKeysRequest = { ...base, ...testCase.query };
  const first = await listKeys(db, actor, query, { catalogue });
  const middle = Math.max(1, Math.floor(first.pageCount / 2));
  if (testCase.middle === 'next' && middle > 1) {
    const before = await listKeys(db, actor, { ...query, page: middle - 1 }, { catalogue });
    query = { ...query, page: middle, cursor: before.nextCursor };
  } else if (testCase.middle === 'previous' && middle < first.pageCount) {
    const after = await listKeys(db, actor, { ...query, page: middle + 1 }, { catalogue });
    query = { ...query, page: middle, cursor: after.previousCursor };
  } else if (testCase.middle) {
    query = { ...query, page: middle };
  }
  const samples: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const started = performance.now();
    await listKeys(db, actor, query, { catalogue });
    if (i >= warmups) samples.push(performance.now() - started);
  }
  return { ms: median(samples), page: query.page, total: `${first.totalIsEstimate ? '~' : ''}${fmt(first.total)}${first.totalIsCapped ? '+' : ''}` };
}

// ---------------------------------------------------------------------------------------------
// Databases

async function temporaryTarget(driver: Driver): Promise<Target> {
  const temporary = await temporaryDatabase(driver, { prefix: 'keyward_bench' });
  const database = temporary.open(4);
  return {
    database,
    label: driver === 'postgres' ? `PostgreSQL (temporary database ${temporary.name})` : `PGlite (temporary data dir ${temporary.name})`,
    dispose: async () => {
      await database.close();
      await temporary.drop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One driver: grow the project size by size, timing every case at each size

type Options = { sizes: number[]; other: number; runs: number; warmups: number; vacuum: boolean };
type Result = { label: string; sizes: number[]; seedSeconds: number[]; medians: number[][]; notes: string[] };

async function benchTarget(target: Target, options: Options): Promise<Result> {
  const { database } = target;
  const { db } = database;
  console.log(`\n${target.label}`);
  await migrateDatabase(database);

  const suffix = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const admin = `bench-${suffix}@keyward.local`;
  const { project, adminId } = await ensureProject(db, `bench-${suffix}`, admin);
  const other = await ensureProject(db, `bench-${suffix}-other`, admin);
  const actor: Actor = { type: 'user', userId: adminId!, projectSlug: project.slug };
  const otherActor: Actor = { type: 'user', userId: adminId!, projectSlug: other.project.slug };
  const concurrency = database.driver === 'postgres' ? 2 : 1;
  const result: Result = { label: target.label, sizes: options.sizes, seedSeconds: [], medians: CASES.map(() => []), notes: [] };

  const otherMs = await seedKeys(db, { projectId: other.project.id, count: options.other, concurrency, catalogue });
  console.log(`  other project: ${fmt(options.other)} keys seeded in ${(otherMs / 1000).toFixed(1)} s`);

  let held = 0;
  for (const size of options.sizes) {
    let lastLog = 0;
    const ms = await seedKeys(db, {
      projectId: project.id,
      count: size - held,
      concurrency,
      catalogue,
      onProgress: (written, elapsed) => {
        if (elapsed - lastLog < 15_000) return;
        lastLog = elapsed;
        console.log(`    … ${fmt(held + written)} keys (${(elapsed / 1000).toFixed(0)} s)`);
      },
    });
    held = size;
    let after = 'not vacuumed or analyzed';
    if (options.vacuum) {
      const analyzeStarted = performance.now();
      await analyzeKeys(db);
      after = `vacuum + analyze ${((performance.now() - analyzeStarted) / 1000).toFixed(1)} s`;
    }
    result.seedSeconds.push(ms / 1000);
    console.log(`  ${fmt(size)} keys: seeded in ${(ms / 1000).toFixed(1)} s, ${after}; timing…`);

    const seen = new Set<string>();
    for (const [i, testCase] of CASES.entries()) {
      const timed = await timeCase(db, testCase.other ? otherActor : actor, testCase, options.runs, options.warmups);
      result.medians[i]!.push(timed.ms);
      const search = testCase.query.q ? `"${testCase.query.q}"` : '';
      if (testCase.middle) seen.add(`${search ? `${search} ` : ''}middle page = ${fmt(timed.page)}`);
      else if (search) seen.add(`${testCase.other ? 'other project ' : ''}${search} matches ${timed.total}`);
    }
    result.notes.push(`${shortSize(size)}: ${[...seen].join(', ')}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Output

function printResult(result: Result, driver: Driver): void {
  const { sizes } = result;
  const first = 0;
  const last = sizes.length - 1;
  const ratioLabel = `${shortSize(sizes[last]!)}/${shortSize(sizes[first]!)}`;
  const target = driver === 'postgres' && sizes[last] === 1_000_000 && sizes[first] === 1000;
  const header = ['median ms', ...sizes.map(shortSize), ratioLabel, ...(target ? ['target'] : [])];
  const rows = CASES.map((testCase, i) => {
    const medians = result.medians[i]!;
    const ratio = medians[last]! / medians[first]!;
    const meets = ratio <= 3 && medians[last]! < 100;
    return [testCase.label, ...medians.map((ms) => ms.toFixed(2)), `${ratio.toFixed(1)}×`, ...(target ? [meets ? 'met' : 'MISSED'] : [])];
  });
  const widths = header.map((_, col) => Math.max(...[header, ...rows].map((row) => row[col]!.length)));
  const line = (cells: string[]) => cells.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');

  console.log(`\n${result.label}`);
  console.log(`seeding (s): ${sizes.map((size, i) => `→${shortSize(size)} ${result.seedSeconds[i]!.toFixed(1)}`).join(', ')}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  for (const note of result.notes) console.log(`  ${note}`);
  console.log('  (n+ = a search count capped at SEARCH_COUNT_CAP, ~n = the planner\'s estimate of a search matching more than EXACT_COUNT_LIMIT)');
  if (target) console.log('  target (issue 3): 1M median ≤ 3× the 1k median and < 100 ms');
}

// ---------------------------------------------------------------------------------------------

function wholeNumber(name: string, raw: string, min = 1): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}".`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      drivers: { type: 'string', default: 'postgres,pglite' },
      sizes: { type: 'string', default: '1000,100000,1000000' },
      'pglite-max': { type: 'string' },
      other: { type: 'string', default: '50000' },
      runs: { type: 'string', default: '25' },
      warmups: { type: 'string', default: '3' },
      'no-vacuum': { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes
    .split(',')
    .map((size) => wholeNumber('sizes', size.trim()))
    .sort((a, b) => a - b);
  const runs = wholeNumber('runs', values.runs);
  const warmups = wholeNumber('warmups', values.warmups, 0);
  const other = wholeNumber('other', values.other, 0);
  const pgliteMax = values['pglite-max'] ? wholeNumber('pglite-max', values['pglite-max']) : Infinity;
  const drivers = values.drivers.split(',').map((d) => d.trim()) as Driver[];

  for (const driver of drivers) {
    if (driver !== 'postgres' && driver !== 'pglite') throw new Error(`Unknown driver "${driver}".`);
    const target = await temporaryTarget(driver);
    try {
      const driverSizes = driver === 'pglite' ? sizes.filter((size) => size <= pgliteMax) : sizes;
      const result = await benchTarget(target, { sizes: driverSizes, other, runs, warmups, vacuum: !values['no-vacuum'] });
      console.log(`\nMedians of ${runs} runs after ${warmups} warm-ups, page size 10, through listKeys (milliseconds):`);
      printResult(result, driver);
    } finally {
      await target.dispose();
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
