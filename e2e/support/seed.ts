/**
 * Seeds users, projects and keys for one test with the operator CLI's commands (./cli.ts).
 * Every password and key a test makes is recorded so the last test can check that none
 * reached a log.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { keyward, type CliTarget } from './cli';
import { E2E_TEST_SECRETS_FILE } from './env';

export function recordSecret(secret: string): void {
  mkdirSync(path.dirname(E2E_TEST_SECRETS_FILE), { recursive: true });
  appendFileSync(E2E_TEST_SECRETS_FILE, `${secret}\n`, { mode: 0o600 });
}

async function mustRun(args: string[], stdin?: string, target?: CliTarget): Promise<void> {
  const run = await keyward(args, stdin, target);
  expect(run.code, `keyward ${args.join(' ')}: ${run.stderr}`).toBe(0);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export type SeededUser = { email: string; password: string };

/** Seeds the server the running test talks to, or `target`, another one the test started. */
export async function seedProject(target?: CliTarget): Promise<{ slug: string; name: string }> {
  const slug = uniqueName('p');
  const name = `Project ${slug}`;
  await mustRun(['project', 'add', slug, '--name', name], undefined, target);
  return { slug, name };
}

export async function seedUser(projectSlug: string, role: 'admin' | 'member', target?: CliTarget): Promise<SeededUser> {
  const user = { email: `${uniqueName(role)}@e2e.test`, password: `pw-${randomBytes(12).toString('base64url')}` };
  recordSecret(user.password);
  await mustRun(['user', 'add', user.email, '--project', projectSlug, '--role', role, '--password-stdin'], `${user.password}\n`, target);
  return user;
}

export async function setRole(email: string, projectSlug: string, role: 'admin' | 'member'): Promise<void> {
  await mustRun(['user', 'set-role', email, '--project', projectSlug, '--role', role]);
}

/** Signs in through the login form, the way a person does. */
export async function signIn(page: Page, user: SeededUser, path = '/login'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export type KeyJson = {
  id: string;
  name: string;
  start: string;
  last4: string;
  restricted: boolean;
  permissions: Record<string, string> | null;
  webhook: boolean;
  previousSecretExpiresAt: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
};

/**
 * Creates keys through the operator CLI: "{prefix} 01" … (or "{prefix} 1" below ten; just
 * "{prefix}" for one), expiring at `expiresAt` and restricted to `permissions` if given.
 */
export async function createKeys(
  projectSlug: string,
  prefix: string,
  count: number,
  expiresAt?: Date,
  permissions?: Record<string, string>,
): Promise<{ id: string; secret: string }[]> {
  const expiry = expiresAt ? ['--expires', expiresAt.toISOString()] : [];
  const restriction = permissions ? ['--permissions', JSON.stringify(permissions)] : [];
  const run = await keyward(['key', 'create', prefix, '--project', projectSlug, '--count', String(count), ...expiry, ...restriction]);
  expect(run.code, run.stderr).toBe(0);
  const keys = run.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [id, secret] = line.split(' ');
      return { id: id!, secret: secret! };
    });
  keys.forEach((key) => recordSecret(key.secret));
  return keys;
}

/** What the database holds for the project's keys, newest first. */
export async function listKeys(projectSlug: string): Promise<KeyJson[]> {
  const run = await keyward(['key', 'list', projectSlug]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as KeyJson[];
}

export type AuditEventJson = { id: string; action: string; actorType: string; actorLabel: string; targetId: string | null; metadata: Record<string, unknown> };

/** The project's latest audit events (at most 100), newest first, from the database. */
export async function auditEvents(projectSlug: string, target?: CliTarget): Promise<AuditEventJson[]> {
  const run = await keyward(['audit', 'list', projectSlug], undefined, target);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as AuditEventJson[];
}

/** The verification answer for a key, optionally at another time. */
export async function verify(secret: string, require?: Record<string, string>, at?: string): Promise<Record<string, unknown>> {
  recordSecret(secret);
  const args = ['key', 'verify'];
  if (require) args.push('--require', Object.entries(require).map(([resource, level]) => `${resource}=${level}`).join(','));
  if (at) args.push('--at', at);
  const run = await keyward(args, `${secret}\n`);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}
