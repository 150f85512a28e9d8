/**
 * The example of README's "Driving Keyward from your Playwright suite", run by this repository's
 * own browser tests so that it keeps working: seed a project, a user and a key with the operator
 * CLI (a real `npm run keyward -- …` process), sign in, create a key through the console's stable
 * names, read its secret from the show-once dialog, and use it on the REST API. Apart from where
 * this run's server keeps its data (keywardEnv) and the log check's list of secrets
 * (recordSecret), it uses nothing of Keyward's code: an outside suite can copy it as it is.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { catalogueOf, currentPort, e2eDataDir, e2eDatabaseUrl, e2eServerEnvFile } from './support/env';
import { recordSecret } from './support/seed';

/**
 * The environment of the Keyward server under test, which the CLI needs to reach the same
 * database. In your suite: the DATABASE_URL and KEYWARD_ENCRYPTION_KEY (or the KEYWARD_DATA_DIR)
 * your server runs with.
 */
function keywardEnv(): NodeJS.ProcessEnv {
  const port = currentPort();
  const env: NodeJS.ProcessEnv = { ...process.env, KEYWARD_DATA_DIR: e2eDataDir(port), KEYWARD_PERMISSIONS: catalogueOf(port) };
  // The CLI outside production: it does not demand the server's AUTH_SECRET, which it never uses.
  Reflect.deleteProperty(env, 'NODE_ENV');
  Reflect.deleteProperty(env, 'DATABASE_URL');
  const databaseUrl = e2eDatabaseUrl(port);
  if (databaseUrl) {
    env.DATABASE_URL = databaseUrl;
    env.KEYWARD_ENCRYPTION_KEY = (JSON.parse(readFileSync(e2eServerEnvFile(port), 'utf8')) as { KEYWARD_ENCRYPTION_KEY: string }).KEYWARD_ENCRYPTION_KEY;
  }
  return env;
}

/** `npm run keyward -- <args>`, with `stdin` on its standard input; answers what it printed. */
function keyward(args: string[], stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'keyward', '--', ...args], { env: keywardEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`keyward ${args[0]} ${args[1]} exited with ${code}: ${stderr}`))));
    child.stdin.end(stdin);
  });
}

test('an outside suite seeds with the CLI, creates a key in the console, and uses its secret', async ({ page, request }) => {
  // Three CLI processes and a sign-in: a long walk on a busy machine.
  test.slow();
  const slug = `example-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const email = `qa-${slug}@example.test`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  recordSecret(password);

  await keyward(['project', 'add', slug, '--name', 'Example shop']);
  await keyward(['user', 'add', email, '--project', slug, '--role', 'admin', '--password-stdin'], `${password}\n`);
  // One line per key: "<key id> <secret>".
  const [seededId, seededSecret] = (await keyward(['key', 'create', 'Seeded reader', '--project', slug, '--permissions', '{"calls":"read"}'])).trim().split(' ');
  recordSecret(seededSecret!);

  await page.goto(`/login?callbackUrl=/projects/${slug}/settings/api-keys`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Seeded reader' })).toContainText(seededId!);

  await page.getByRole('button', { name: 'Create API key' }).click();
  const create = page.getByRole('dialog', { name: 'Create API key' });
  await create.getByLabel('Name').fill('From the suite');
  await create.getByRole('button', { name: 'Create' }).click();
  // The secret is shown once, in the read-only field "API key" of dialog "Save your API key".
  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  const secret = await saved.getByRole('textbox', { name: 'API key' }).inputValue();
  recordSecret(secret);
  await saved.getByRole('button', { name: 'Done' }).click();
  await expect(saved).toBeHidden();

  const verified = await request.post('/api/v1/keys/verify', { data: { key: secret, require: { calls: 'write' } } });
  expect(await verified.json()).toMatchObject({ valid: true, code: 'VALID' });
  expect(await (await request.post('/api/v1/keys/verify', { data: { key: seededSecret, require: { calls: 'write' } } })).json()).toMatchObject({
    valid: false,
    code: 'INSUFFICIENT_PERMISSIONS',
  });
  const listed = await request.get('/api/v1/keys', { headers: { authorization: `Bearer ${secret}` } });
  expect(((await listed.json()) as { data: { name: string }[] }).data.map((key) => key.name)).toEqual(['From the suite', 'Seeded reader']);
});
