/**
 * What each console page costs: `npm run bench:pages [-- options]` (after `npm run build`).
 *
 * Starts the production server (`dist/server.mjs`, as `npm start` runs it) on a temporary
 * database with a first administrator, signs in through the login page in Chromium, and for each
 * console route prints:
 * - its first-load JavaScript: every script the browser fetched from opening the page until the
 *   network went idle (the chart's chunk on a page that draws one included), each counted once,
 *   raw and gzipped (level 6, what a proxy would send), and the raw size as a multiple of Next's
 *   own not-found page (an unknown path, signed out), which is the framework's floor;
 * - the server's median time to answer the page's HTML (a GET with the session's cookie from this
 *   process, over loopback: rendering, its queries and the transfer), at --small keys in the
 *   project and again at --large.
 * Issue 15's targets: the API Keys page's JavaScript within 1.3× of the not-found page's, the
 * sign-in page's within 1.1×. Nothing is asserted; timings are noisy on a busy machine, sizes are
 * not.
 *
 * Options: --small 1000  --large 100000  --runs 15  --warmups 3  --driver postgres|pglite
 * --detail "API Keys" (also lists that route's scripts, largest first: where its weight comes from)
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { eq } from 'drizzle-orm';
import { apiKeys, projects } from '@/db/schema';
import { analyzeKeys, seedKeys } from '@/lib/seed/keys';
import { DEFAULT_PROJECT } from '@/lib/setup/bootstrap';
import { serverProcessUnavailable, ServerProcess } from '@/lib/testing/server-process';
import type { Driver } from '@/lib/testing/temporary-database';
import { fmt } from './load-report';
import { median } from './stats';

const { values: options } = parseArgs({
  options: {
    small: { type: 'string', default: '1000' },
    large: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '15' },
    warmups: { type: 'string', default: '3' },
    driver: { type: 'string', default: 'postgres' },
    detail: { type: 'string' },
  },
});
const SMALL = Number(options.small);
const LARGE = Number(options.large);
const RUNS = Number(options.runs);
const WARMUPS = Number(options.warmups);
const driver = options.driver as Driver;

const EMAIL = 'bench-pages@keyward.local';
const PASSWORD = randomBytes(18).toString('base64url');
const TARGETS: Record<string, number> = { 'API Keys': 1.3, 'Sign in': 1.1 };

type Route = { label: string; path: string; signedIn: boolean };

function routes(slug: string, keyId: string): Route[] {
  const settings = `/projects/${slug}/settings`;
  return [
    { label: 'Not found (Next)', path: '/no-such-page', signedIn: false },
    { label: 'Sign in', path: '/login', signedIn: false },
    { label: 'API Keys', path: `${settings}/api-keys`, signedIn: true },
    { label: 'Key page', path: `${settings}/api-keys/${keyId}`, signedIn: true },
    { label: 'Usage', path: `${settings}/usage`, signedIn: true },
    { label: 'Team', path: `${settings}/team`, signedIn: true },
    { label: 'Webhooks', path: `${settings}/webhooks`, signedIn: true },
    { label: 'Audit log', path: `${settings}/audit-log`, signedIn: true },
    { label: 'General', path: `${settings}/general`, signedIn: true },
  ];
}

type Weight = { raw: number; gzip: number; files: number; scripts: { url: string; raw: number }[] };

/** The scripts a fresh page fetches while opening `url`, until the network is idle. */
async function scriptWeight(context: BrowserContext, url: string): Promise<Weight> {
  const page = await context.newPage();
  const seen = new Map<string, Promise<Buffer | null>>();
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script' || seen.has(response.url())) return;
    seen.set(response.url(), response.body().catch(() => null));
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  const fetched = await Promise.all([...seen].map(async ([url, body]) => ({ url, body: await body })));
  const scripts = fetched.filter((script): script is { url: string; body: Buffer } => script.body !== null);
  await page.close();
  return {
    raw: scripts.reduce((sum, { body }) => sum + body.length, 0),
    gzip: scripts.reduce((sum, { body }) => sum + gzipSync(body, { level: 6 }).length, 0),
    files: scripts.length,
    scripts: scripts.map(({ url, body }) => ({ url: new URL(url).pathname, raw: body.length })).sort((a, b) => b.raw - a.raw),
  };
}

/** Median milliseconds to GET each route's HTML, the routes taking turns so that drift hits all alike. */
async function renderTimes(base: string, list: Route[], cookie: string): Promise<number[]> {
  const samples: number[][] = list.map(() => []);
  for (let round = 0; round < WARMUPS + RUNS; round++) {
    for (const [i, route] of list.entries()) {
      const started = performance.now();
      const response = await fetch(base + route.path, { headers: route.signedIn ? { cookie } : {}, redirect: 'manual' });
      await response.arrayBuffer();
      const ms = performance.now() - started;
      const expected = route.label.startsWith('Not found') ? 404 : 200;
      if (response.status !== expected) throw new Error(`${route.path} answered ${response.status}, not ${expected}`);
      if (round >= WARMUPS) samples[i]!.push(ms);
    }
  }
  return samples.map(median);
}

async function signIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/projects/'));
}

const kib = (bytes: number) => fmt(bytes / 1024, 1);

async function main(): Promise<void> {
  const unavailable = await serverProcessUnavailable(driver);
  if (unavailable) throw new Error(unavailable);
  console.log(`bench:pages · production build · ${driver} · render medians of ${RUNS} after ${WARMUPS} warm-ups at ${fmt(SMALL)} and ${fmt(LARGE)} keys`);
  const server = await ServerProcess.create({
    prefix: 'keyward_bench_pages',
    driver,
    env: { KEYWARD_ADMIN_EMAIL: EMAIL, KEYWARD_ADMIN_PASSWORD: PASSWORD },
  });
  const executablePath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    // PGlite admits one process at a time: keys are seeded while the server is stopped.
    const grow = async (count: number) => {
      if (server.running) await server.stop();
      const database = server.open(4);
      try {
        const [project] = await database.db.select().from(projects).where(eq(projects.slug, DEFAULT_PROJECT.slug));
        if (!project) throw new Error('the first administrator’s project is missing');
        await seedKeys(database.db, { projectId: project.id, count, concurrency: driver === 'postgres' ? 4 : 1 });
        await analyzeKeys(database.db);
        const [key] = await database.db.select({ id: apiKeys.publicId }).from(apiKeys).where(eq(apiKeys.projectId, project.id)).limit(1);
        return key!.id;
      } finally {
        await database.close();
        await server.start();
      }
    };
    await server.start();
    const keyId = await grow(SMALL);
    const list = routes(DEFAULT_PROJECT.slug, keyId);

    const signedOut = await browser.newContext();
    const signedInContext = await browser.newContext();
    const page = await signedInContext.newPage();
    await signIn(page, server.url);
    await page.close();
    const cookie = (await signedInContext.cookies(server.url)).map((c) => `${c.name}=${c.value}`).join('; ');

    const weights: Weight[] = [];
    for (const route of list) weights.push(await scriptWeight(route.signedIn ? signedInContext : signedOut, server.url + route.path));
    const detailed = list.findIndex((route) => route.label === options.detail);
    if (options.detail && detailed < 0) throw new Error(`--detail: no route "${options.detail}"`);
    if (detailed >= 0) {
      console.log(`${options.detail}'s scripts:`);
      for (const script of weights[detailed]!.scripts) console.log(`  ${kib(script.raw).padStart(7)} KiB  ${script.url}`);
    }
    const small = await renderTimes(server.url, list, cookie);
    console.log(`seeding ${fmt(LARGE - SMALL)} more keys…`);
    await grow(LARGE - SMALL);
    const large = await renderTimes(server.url, list, cookie);

    const floor = weights[0]!.raw;
    const header = ['route', 'scripts', 'JS KiB', 'gzip KiB', '× not-found', `ms @ ${fmt(SMALL)}`, `ms @ ${fmt(LARGE)}`, 'target'];
    const rows = list.map((route, i) => {
      const ratio = weights[i]!.raw / floor;
      const target = TARGETS[route.label];
      return [route.label, String(weights[i]!.files), kib(weights[i]!.raw), kib(weights[i]!.gzip), `${fmt(ratio, 2)}×`, fmt(small[i]!, 1), fmt(large[i]!, 1), target ? `≤ ${target}×: ${ratio <= target ? 'met' : 'missed'}` : ''];
    });
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((cells) => cells[i]!.length)));
    const line = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
    console.log('');
    console.log(line(header));
    for (const cells of rows) console.log(line(cells));
  } finally {
    await browser.close();
    await server.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:pages failed: ${error.message}`);
    process.exit(1);
  },
);
