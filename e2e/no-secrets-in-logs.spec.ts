/**
 * Runs after every other browser test: nothing the run's servers printed may contain a
 * password or server secret the run used — neither the production servers' logs (the single
 * sign-on tests' own server's included, with its client secret, codes and tokens) nor that of
 * a `next dev` server driven through sign-in and a server action here. The production servers
 * print one JSON object a line (and, at the debug level e2e/serve.ts sets, a line for each verify
 * answer): every line must parse, and the strings inside are searched as JSON decoded them too,
 * so a secret escaped by the JSON encoding would not slip past. Verify and REST calls made here
 * carry secrets everywhere a client may put one — body, Authorization, cookie, query string,
 * x-request-id — and must appear in the log by their request id, route and status only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { client, rootKey, verifyOverHttp } from './api/helpers';
import { BASE_URL, E2E_ADMIN, E2E_PORTS, E2E_SECRETS_DIR, E2E_SSO_SERVER_LOG, e2eServerLog } from './support/env';
import { seedProject } from './support/seed';

function secretsOfTheRun(): string[] {
  return readdirSync(E2E_SECRETS_DIR)
    .filter((file) => /^e2e-secrets-.*\.txt$/.test(file))
    .flatMap((file) => readFileSync(path.join(E2E_SECRETS_DIR, file), 'utf8').split('\n'))
    .filter((line) => line.length >= 8);
}

/** Every string a JSON value holds, its object keys included. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsOf(inner)]);
  return [];
}

/** A production server's log as records: each of its lines must be one JSON object. */
function jsonRecords(log: string): Array<Record<string, unknown>> {
  return log
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new Error(`line ${i + 1} of the production log is not JSON (${line.length} characters)`);
      }
      expect(record, `line ${i + 1}`).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) });
      return record as Record<string, unknown>;
    });
}

/** `texts`: the log as printed and, for a JSON log, the strings its lines decode to. */
function expectNoSecrets(texts: string[], secrets: string[]): void {
  expect(texts.join('').length).toBeGreaterThan(0);
  for (const secret of secrets) {
    // Report which kind of secret leaked without printing it.
    expect(
      texts.some((text) => text.includes(secret)),
      `a secret (${secret.length} characters) appears in the log`,
    ).toBe(false);
  }
}

const productionLog = (port: number) => readFileSync(e2eServerLog(port), 'utf8');

test('verify and REST calls are logged as JSON lines by request id, route and status, without what they carried', async ({ request }) => {
  const { slug } = await seedProject();
  const root = await rootKey(slug);
  const api = client(request, root.secret);
  // Secrets in the query string and in a cookie, beside the Authorization header.
  const listed = await request.get(`/api/v1/keys?q=${root.secret}`, {
    headers: { authorization: `Bearer ${root.secret}`, cookie: `authjs.session-token=${E2E_ADMIN.password}`, 'x-forwarded-for': api.address },
  });
  expect(listed.status()).toBe(200);
  const made = await api.create({ name: 'Logged' });
  // A key sent as the request id is not echoed: the answer carries a new id.
  const verified = await verifyOverHttp(request, made.key);
  expect(verified.body.code).toBe('VALID');
  const echoed = await request.post('/api/v1/keys/verify', { data: { key: made.key }, headers: { 'x-request-id': made.key } });
  expect(echoed.headers()['x-request-id']).not.toBe(made.key);

  const ids = { list: listed.headers()['x-request-id']!, verify: verified.headers['x-request-id']!, echoed: echoed.headers()['x-request-id']! };
  for (const id of Object.values(ids)) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  // pino writes asynchronously: the lines arrive shortly after the answers.
  const lineOf = (id: string) => jsonRecords(productionLog(E2E_PORTS.diga)).find((record) => record.requestId === id);
  await expect.poll(() => lineOf(ids.echoed), { message: `${BASE_URL}: the last verify's line` }).toBeTruthy();
  expect(lineOf(ids.list)).toMatchObject({ level: 'info', msg: 'request', method: 'GET', route: '/api/v1/keys', status: 200, durationMs: expect.any(Number) });
  expect(lineOf(ids.verify)).toMatchObject({ level: 'debug', msg: 'request', method: 'POST', route: '/api/v1/keys/verify', status: 200, durationMs: expect.any(Number) });
  const log = productionLog(E2E_PORTS.diga);
  expectNoSecrets([log, ...jsonRecords(log).flatMap(stringsOf)], [root.secret, made.key, E2E_ADMIN.password]);
});

test('the production servers logged no password, key or server secret during the run', () => {
  const secrets = secretsOfTheRun();
  // Both servers' own secrets, and the passwords and keys the tests made.
  expect(secrets.length).toBeGreaterThanOrEqual(10);
  for (const port of Object.values(E2E_PORTS)) {
    const log = productionLog(port);
    expectNoSecrets([log, ...jsonRecords(log).flatMap(stringsOf)], secrets);
  }
  // The single sign-on tests' server, when they ran: its client secret, codes and tokens are among the secrets.
  if (existsSync(E2E_SSO_SERVER_LOG)) {
    expectNoSecrets([readFileSync(E2E_SSO_SERVER_LOG, 'utf8')], secrets);
  }
});

test.describe('next dev', () => {
  test.setTimeout(240_000);
  const port = 3211;
  const password = `dev-${randomBytes(12).toString('base64url')}`;
  let dataDir = '';
  let server: ChildProcess | undefined;
  let log = '';

  test.beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'keyward-dev-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      KEYWARD_DATA_DIR: dataDir,
      KEYWARD_ADMIN_EMAIL: 'dev-admin@e2e.test',
      KEYWARD_ADMIN_PASSWORD: password,
    };
    delete env.DATABASE_URL;
    delete env.AUTH_SECRET;
    delete env.KEYWARD_ENCRYPTION_KEY;
    server = spawn(path.join('node_modules', '.bin', 'next'), ['dev', '-p', String(port), '-H', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${port}/api/health/ready`).catch(() => undefined))?.status, { timeout: 180_000 })
      .toBe(200);
  });

  test.afterAll(async () => {
    server?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('signing in and running a server action under next dev logs no secret', async ({ page }) => {
    await page.goto(`http://127.0.0.1:${port}/login`);
    await page.getByLabel('Email').fill('dev-admin@e2e.test');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible({ timeout: 120_000 });

    await page.goto(`http://127.0.0.1:${port}/projects/default/settings/general`);
    await page.getByLabel('Project name').fill('Renamed under dev');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Project name saved.')).toBeVisible({ timeout: 60_000 });

    // The secrets next dev generated into its data dir must not be printed either.
    const generated = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    expectNoSecrets([log], [password, ...Object.values(generated)]);
  });
});
