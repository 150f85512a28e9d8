/**
 * The machine's real PostgreSQL stopped while verifications and management calls run, then
 * started again: verify answers 503 (never VALID for a key it cannot check), changes answer a
 * clear 503 and leave nothing half-written, readiness says the database is away, and Keyward
 * recovers without a restart. It stops the whole local cluster, so it runs alone, last, in
 * `npm run test:faults`; set KEYWARD_FAULTS_STOP_POSTGRES=0 to skip it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { setMembership } from '@/lib/projects/projects';
import { createUser } from '@/lib/users/users';
import { seedProject, serverProcessUnavailable, ServerProcess, type SeededProject } from '@/lib/testing/server-process';
import { postgresServerUrl } from '@/lib/testing/temporary-database';
import { apiClient, pause, projectState, type Api, secretsLoggedIn } from './support';

const CONSOLE_ADMIN = { email: 'console@outage.test', password: `pw-${process.pid}-${Date.now()}` };

function clusterVersion(): string | undefined {
  try {
    return readdirSync('/etc/postgresql')[0];
  } catch {
    return undefined;
  }
}

const version = clusterVersion();
const url = new URL(postgresServerUrl());
const why =
  (await serverProcessUnavailable()) ??
  (process.env.KEYWARD_FAULTS_STOP_POSTGRES === '0' ? 'KEYWARD_FAULTS_STOP_POSTGRES=0' : undefined) ??
  (!['127.0.0.1', 'localhost'].includes(url.hostname) || !version ? 'PostgreSQL is not a local cluster this test can stop and start' : undefined) ??
  (process.getuid?.() !== 0 ? 'stopping the cluster needs root' : undefined);
if (why) console.warn(`faults/postgres-down.test.ts skipped: ${why}.`);

function cluster(action: 'stop' | 'start'): void {
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'ignore' });
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await pause(250);
  }
}

/**
 * Runs a step of the console; when it fails, the error carries what the page showed and the
 * server's last output, so a failure in CI says where it stood.
 */
async function explained(page: Page, server: ServerProcess, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    const shown = await page
      .locator('body')
      .innerText({ timeout: 2_000 })
      .catch((reason: unknown) => `(unreadable: ${String(reason)})`);
    const printed = server.output().slice(-4_000);
    throw new Error(`${(error as Error).message}\n--- the page showed:\n${shown}\n--- the server printed last:\n${printed}`, { cause: error });
  }
}

describe.skipIf(why)(`PostgreSQL stopped and started under load${why ? ` (skipped: ${why})` : ''}`, () => {
  let server: ServerProcess;
  let database: Database;
  let seeded: SeededProject;
  let api: Api;
  let stopped = false;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // No verification cache: every answer below comes from the database or says it could not.
    // The load below asks about a deleted key again and again, as fast as the server answers, for
    // as long as the outage and the recovery take: a number no test can bound. Its NOT_FOUNDs must
    // stay NOT_FOUND, so the failure limiter (faults of its own elsewhere) gets a budget they
    // cannot spend.
    server = await ServerProcess.create({
      prefix: 'keyward_faults_pg',
      env: { KEYWARD_VERIFY_CACHE_ENTRIES: '0', KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE: '1000000' },
    });
    database = server.open();
    seeded = await seedProject(database, { slug: 'outage' });
    const admin = await createUser(database.db, { email: CONSOLE_ADMIN.email, password: CONSOLE_ADMIN.password });
    await setMembership(database.db, seeded.projectId, admin.id, 'admin');
    await server.start();
    api = apiClient(server.url, seeded.bearer);
    browser = await chromium.launch({ executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined, args: ['--no-sandbox'] });
    page = await browser.newPage({ baseURL: server.url });
    await page.goto('/login?callbackUrl=/projects/outage/settings/api-keys');
    await page.getByLabel('Email').fill(CONSOLE_ADMIN.email);
    await page.getByLabel('Password').fill(CONSOLE_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API Keys', exact: true }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    if (stopped) cluster('start');
    await until(async () => (await fetch(`${server.url}/api/health/ready`).catch(() => undefined))?.status === 200, 'readiness after the test').catch(() => undefined);
    await database?.close();
    await server?.dispose();
  });

  it('answers 503 while the database is away, writes nothing half, and recovers by itself', async () => {
    const before = await api.call('POST', '/api/v1/keys', { name: 'Before the outage' });
    expect(before.status).toBe(201);
    const secret = before.body.key as string;
    expect((await api.verify(secret)).body.code).toBe('VALID');
    const deleted = await api.call('POST', '/api/v1/keys', { name: 'Deleted before the outage' });
    expect((await api.call('DELETE', `/api/v1/keys/${deleted.body.id as string}`)).status).toBe(204);
    const stateBefore = await projectState(database.db, seeded.projectId);

    // Load while the cluster goes down and stays down.
    let running = true;
    const down = { from: Infinity, until: Infinity };
    const seen = { verify: new Map<number, number>(), change: new Map<number, number>(), validWhileDown: [] as string[] };
    const load = (async () => {
      for (let i = 0; running; i++) {
        const sentAt = Date.now();
        let answeredAt = 0;
        const [verified, changed] = await Promise.all([
          api.verify(i % 2 ? secret : (deleted.body.key as string)).finally(() => (answeredAt = Date.now())),
          api.call('POST', '/api/v1/keys', { name: `During the outage ${i}` }),
        ]);
        seen.verify.set(verified.status, (seen.verify.get(verified.status) ?? 0) + 1);
        seen.change.set(changed.status, (seen.change.get(changed.status) ?? 0) + 1);
        // Sent after the cluster had stopped and answered before it was started again. (A request
        // sent during the outage may wait for a connection and be answered, truly, once it is back.)
        if (sentAt > down.from && answeredAt < down.until && verified.body.code === 'VALID') {
          seen.validWhileDown.push(JSON.stringify({ sentMsAfterStop: sentAt - down.from, answeredMsAfterStop: answeredAt - down.from, answer: verified.body }));
        }
      }
    })();
    await pause(300);
    cluster('stop');
    stopped = true;
    down.from = Date.now();
    await pause(3_000);

    const timed = async <T>(step: () => Promise<T>): Promise<[T, number]> => {
      const started = performance.now();
      const result = await step();
      return [result, Math.round(performance.now() - started)];
    };
    const [whileDown, verifyMs] = await timed(() => api.verify(secret));
    expect(whileDown.status).toBe(503);
    expect(whileDown.body).toMatchObject({ error: { code: 'unavailable' } });
    const [refused, createMs] = await timed(() => api.call('POST', '/api/v1/keys', { name: 'Refused' }));
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.body)).toMatch(/database is unavailable/i);
    expect((await fetch(`${server.url}/api/health/ready`)).status).toBe(503);
    expect((await fetch(`${server.url}/api/health/live`)).status).toBe(200);

    // The console, already open, says so in words: the create dialog's answer, then a page load.
    // Each of its queries fails as soon as PostgreSQL refuses the connection (db/client.ts caps
    // the reconnect delay), so the whole page, with all its queries, loads and says so.
    let pageMs = 0;
    await explained(page, server, async () => {
      await page.getByRole('button', { name: 'Create API key' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Create API key' });
      await dialog.getByLabel('Name').fill('Made during the outage');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.getByText(/cannot reach its database right now; nothing was changed/).waitFor();
      [, pageMs] = await timed(() => page.reload());
      await page.getByRole('heading', { name: 'This page could not be loaded' }).waitFor();
      expect(await page.content()).toContain('/api/health/ready');
    });
    console.log(`faults/postgres-down: ${Math.round((Date.now() - down.from) / 1000)} s into the outage, under load: verify answered 503 in ${verifyMs} ms, a creation 503 in ${createMs} ms, the console's page loaded with its message in ${pageMs} ms`);

    down.until = Date.now();
    cluster('start');
    stopped = false;
    await until(async () => (await fetch(`${server.url}/api/health/ready`)).status === 200, 'readiness after PostgreSQL came back');
    await until(async () => (await api.verify(secret)).body.code === 'VALID', 'verification after PostgreSQL came back');
    running = false;
    await load;

    // Never a 500, never VALID for a key it could not check, never VALID for the deleted key.
    expect([...seen.verify.keys()].filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect([...seen.change.keys()].filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(seen.validWhileDown, 'VALID answers to requests sent while PostgreSQL was stopped').toEqual([]);
    expect((await api.verify(deleted.body.key as string)).body.code).toBe('NOT_FOUND');

    // Nothing half-written: every key that exists is whole, and the counter agrees.
    const after = server.open(2);
    try {
      const state = await projectState(after.db, seeded.projectId);
      // The one key deleted on purpose before the outage: its creation and its deletion.
      expect(state.orphanAudit).toEqual({ 'api_key.created': 1, 'api_key.deleted': 1 });
      expect(state.countedKeys).toBe(state.keyCount);
      for (const key of state.keys.values()) {
        expect(key.secrets.filter((s) => s.current).length, key.id).toBe(1);
        expect(key.audit['api_key.created'], key.id).toBe(1);
      }
      expect(state.keyCount).toBeGreaterThanOrEqual(stateBefore.keyCount);
      // Recovered without a restart: changes work again on the same process.
      expect([...state.keys.values()].some((key) => key.name === 'Made during the outage')).toBe(false);
      await page.reload();
      await page.getByRole('heading', { name: 'API Keys', exact: true }).waitFor();
      const again = await api.call('POST', '/api/v1/keys', { name: 'After the outage' });
      expect(again.status).toBe(201);
      expect((await api.verify(again.body.key as string)).body.code).toBe('VALID');
    } finally {
      await after.close();
    }
    expect(server.running).toBe(true);
  });

  it('printed none of the keys its clients were given', () => {
    const { checked, found } = secretsLoggedIn(server.output());
    expect(server.output()).not.toContain(CONSOLE_ADMIN.password);
    expect(checked).toBeGreaterThan(1);
    expect(found).toBe(0);
  });
});
