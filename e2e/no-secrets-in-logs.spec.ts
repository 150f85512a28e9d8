/**
 * Runs after every other browser test: nothing the run's servers printed may contain a
 * password or server secret the run used — neither the production servers' logs (the single
 * sign-on tests' own server's included, with its client secret, codes and tokens) nor that of
 * a `next dev` server driven through sign-in and a server action here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_PORTS, E2E_SECRETS_DIR, E2E_SSO_SERVER_LOG, e2eServerLog } from './support/env';

function secretsOfTheRun(): string[] {
  return readdirSync(E2E_SECRETS_DIR)
    .filter((file) => /^e2e-secrets-.*\.txt$/.test(file))
    .flatMap((file) => readFileSync(path.join(E2E_SECRETS_DIR, file), 'utf8').split('\n'))
    .filter((line) => line.length >= 8);
}

function expectNoSecrets(log: string, secrets: string[]): void {
  expect(log.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    // Report which kind of secret leaked without printing it.
    expect(log.includes(secret), `a secret (${secret.length} characters) appears in the log`).toBe(false);
  }
}

test('the production servers logged no password, key or server secret during the run', () => {
  const secrets = secretsOfTheRun();
  // Both servers' own secrets, and the passwords and keys the tests made.
  expect(secrets.length).toBeGreaterThanOrEqual(10);
  for (const port of Object.values(E2E_PORTS)) expectNoSecrets(readFileSync(e2eServerLog(port), 'utf8'), secrets);
  // The single sign-on tests' server, when they ran: its client secret, codes and tokens are among the secrets.
  if (existsSync(E2E_SSO_SERVER_LOG)) expectNoSecrets(readFileSync(E2E_SSO_SERVER_LOG, 'utf8'), secrets);
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
    expectNoSecrets(log, [password, ...Object.values(generated)]);
  });
});
