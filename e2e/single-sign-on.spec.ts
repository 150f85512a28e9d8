/**
 * Single sign-on end to end, against a real OpenID provider this file starts
 * (e2e/support/oidc-provider.ts: oidc-provider, discovery, PKCE, state). The run's shared servers
 * have no single sign-on, so this file starts a production server of its own on a fresh database
 * of the run's driver, with AUTH_OIDC_* pointing at the provider, and restarts it when a test
 * needs other settings. What that server printed goes to the run's log check at the end.
 */
import { writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { ServerProcess } from '@/lib/testing/server-process';
import { keyward, type CliTarget } from './support/cli';
import { E2E_SSO_SERVER_LOG } from './support/env';
import { TestOidcProvider } from './support/oidc-provider';
import { auditEvents, recordSecret, seedProject, seedUser, uniqueName } from './support/seed';

// Sign-ins through two servers, and restarts of Keyward with other settings.
test.describe.configure({ timeout: 120_000 });

let provider: TestOidcProvider;
let keywardServer: ServerProcess;
let target: CliTarget;
let runningWith: string | undefined;

const SSO_BUTTON = 'Continue with single sign-on';

/** Keyward running with single sign-on and `extra` settings; restarted only when they change. */
async function keywardWith(extra: Record<string, string> = {}): Promise<void> {
  const settings = JSON.stringify(extra);
  if (keywardServer.running && runningWith === settings) return;
  runningWith = undefined;
  await keywardServer.stop();
  await keywardServer.start({ ...ssoSettings(), ...extra });
  runningWith = settings;
}

/**
 * Keyward's address as people use it. Next.js names every loopback address "localhost" inside
 * its route handlers, so on this machine AUTH_URL, and the redirect URI registered from it, say
 * localhost too: the callback then asks for the code with the very redirect URI the sign-in sent.
 */
const url = (path: string) => `http://localhost:${keywardServer.port}${path}`;

/** What an operator sets; the redirect URI registered at the provider is <AUTH_URL>/api/auth/callback/oidc. */
function ssoSettings(): Record<string, string> {
  return { AUTH_URL: url(''), AUTH_OIDC_ISSUER: provider.issuer, AUTH_OIDC_ID: provider.clientId, AUTH_OIDC_SECRET: provider.clientSecret };
}

/** Through Keyward's login page and the provider's, as a person does. */
async function signInWithSso(page: Page, email: string): Promise<void> {
  await page.goto(url('/login'));
  await page.getByRole('button', { name: SSO_BUTTON }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to the test identity provider' })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function expectNoSession(page: Page, slug: string): Promise<void> {
  expect((await page.context().cookies(url('/'))).find((cookie) => cookie.name.includes('session-token'))).toBeUndefined();
  await page.goto(url(`/projects/${slug}/settings/api-keys`));
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
}

/** `keyward user show`: the user as JSON, or undefined when there is none. */
async function userShown(email: string): Promise<{ passwordSet: boolean; projects: { slug: string; role: string }[] } | undefined> {
  const run = await keyward(['user', 'show', email], undefined, target);
  if (run.code !== 0) {
    expect(run.stderr).toContain(`No user has the email ${email}.`);
    return undefined;
  }
  return JSON.parse(run.stdout) as { passwordSet: boolean; projects: { slug: string; role: string }[] };
}

const refusal = (page: Page, text: string | RegExp) => page.getByRole('alert').filter({ hasText: text });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  keywardServer = await ServerProcess.create({ prefix: 'keyward_e2e_sso', driver: process.env.DATABASE_URL ? 'postgres' : 'pglite' });
  provider = await TestOidcProvider.start(url('/api/auth/callback/oidc'));
  target = { dataDir: keywardServer.dataDir, databaseUrl: keywardServer.databaseUrl, catalogue: 'diga', encryptionKey: () => keywardServer.secrets.KEYWARD_ENCRYPTION_KEY };
  for (const secret of [provider.clientSecret, keywardServer.secrets.AUTH_SECRET, keywardServer.secrets.KEYWARD_ENCRYPTION_KEY]) recordSecret(secret);
  await keywardWith();
});

test.afterAll(async () => {
  // For the run's last test (e2e/no-secrets-in-logs.spec.ts): the log, and what must not be in it.
  if (keywardServer) writeFileSync(E2E_SSO_SERVER_LOG, keywardServer.output(), { mode: 0o600 });
  for (const secret of provider?.handledSecrets ?? []) recordSecret(secret);
  await keywardServer?.dispose();
  await provider?.stop();
});

test('a member signs in through the identity provider, with PKCE and state, and lands on their project', async ({ page }) => {
  await keywardWith();
  const project = await seedProject(target);
  const member = await seedUser(project.slug, 'member', target);

  await page.goto(url('/login'));
  // The contract's "Sign in" still names one button with single sign-on offered beside it.
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(1);
  await page.getByRole('button', { name: SSO_BUTTON }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Sign in to the test identity provider' })).toBeVisible();
  await page.getByLabel('Email').fill(member.email);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page).toHaveURL(url(`/projects/${project.slug}/settings/api-keys`));
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  await expect(page.getByText('Only administrators can manage API keys')).toBeVisible();

  const request = provider.authorizationRequests.at(-1)!.searchParams;
  expect(Object.fromEntries(request)).toMatchObject({
    client_id: provider.clientId,
    redirect_uri: url('/api/auth/callback/oidc'),
    response_type: 'code',
    code_challenge_method: 'S256',
  });
  expect(request.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  expect(request.get('state')?.length).toBeGreaterThan(20);
  expect(request.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));

  const [signedIn] = await auditEvents(project.slug, target);
  expect(signedIn).toMatchObject({ action: 'user.signed_in', actorType: 'user', actorLabel: member.email, metadata: { method: 'sso' } });
});

test('an email that is no member of any project is refused with a clear message, and nothing is written', async ({ page }) => {
  await keywardWith();
  const stranger = `${uniqueName('stranger')}@e2e.test`;
  await signInWithSso(page, stranger);
  await expect(page).toHaveURL(/\/login\?/);
  await expect(refusal(page, 'Single sign-on is open only to members of a Keyward project. Ask a project administrator to add you.')).toBeVisible();
  expect(await userShown(stranger)).toBeUndefined();

  // Someone removed from every project keeps an account, and stays out.
  const project = await seedProject(target);
  const removed = await seedUser(project.slug, 'member', target);
  expect((await keyward(['user', 'remove', removed.email, '--project', project.slug], undefined, target)).code).toBe(0);
  const eventsBefore = await auditEvents(project.slug, target);
  await page.context().clearCookies();
  await signInWithSso(page, removed.email);
  await expect(refusal(page, 'Single sign-on is open only to members of a Keyward project.')).toBeVisible();
  expect(await userShown(removed.email)).toMatchObject({ projects: [] });
  expect(await auditEvents(project.slug, target)).toEqual(eventsBefore);
  await expectNoSession(page, project.slug);
});

test('an email the provider has not verified is refused, though it is a member\'s', async ({ page }) => {
  await keywardWith();
  const project = await seedProject(target);
  const member = await seedUser(project.slug, 'admin', target);
  provider.markUnverified(member.email);

  await signInWithSso(page, member.email);
  await expect(refusal(page, 'Your identity provider did not confirm that your email address is verified')).toBeVisible();
  expect((await auditEvents(project.slug, target)).map((event) => event.action)).not.toContain('user.signed_in');
  await expectNoSession(page, project.slug);
});

test('signing out after single sign-on ends the session, and both are in the audit log', async ({ page }) => {
  await keywardWith();
  const project = await seedProject(target);
  const member = await seedUser(project.slug, 'admin', target);
  await signInWithSso(page, member.email);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'User menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expectNoSession(page, project.slug);

  const [signedOut, signedIn] = await auditEvents(project.slug, target);
  expect(signedIn).toMatchObject({ action: 'user.signed_in', actorLabel: member.email, metadata: { method: 'sso' } });
  expect(signedOut).toMatchObject({ action: 'user.signed_out', actorLabel: member.email, metadata: { sessionId: signedIn!.metadata.sessionId } });
});

test('with the provider down the login page says so, password sign-in still works, and single sign-on is back with the provider', async ({ page, browser }) => {
  await keywardWith();
  const project = await seedProject(target);
  const member = await seedUser(project.slug, 'member', target);

  await provider.stop();
  try {
    await page.goto(url('/login'));
    await page.getByRole('button', { name: SSO_BUTTON }).click();
    await expect(refusal(page, 'Single sign-on is unavailable: Keyward could not reach the identity provider. Try again later, or sign in with your password.')).toBeVisible();
    await expect(page).toHaveURL(/\/login\?/);
    // The operator's side: why, in one line.
    expect(keywardServer.messages()).toContain('[auth] TypeError: fetch failed (ECONNREFUSED)');

    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(url(`/projects/${project.slug}/settings/api-keys`));
    const [signedIn] = await auditEvents(project.slug, target);
    expect(signedIn).toMatchObject({ action: 'user.signed_in', metadata: { method: 'password' } });
  } finally {
    await provider.restart();
  }

  const elsewhere = await browser.newContext();
  const later = await elsewhere.newPage();
  await signInWithSso(later, member.email);
  await expect(later).toHaveURL(url(`/projects/${project.slug}/settings/api-keys`));
  await elsewhere.close();
});

test('KEYWARD_OIDC_ALLOW_NEW_USERS lets a new person in with its fixed role, created with the membership and audited as a team change by single sign-on', async ({ page }) => {
  const project = await seedProject(target);
  await keywardWith({ KEYWARD_OIDC_ALLOW_NEW_USERS: `${project.slug}:member` });
  const newcomer = `${uniqueName('newcomer')}@e2e.test`;

  await signInWithSso(page, newcomer);
  await expect(page).toHaveURL(url(`/projects/${project.slug}/settings/api-keys`));
  await expect(page.getByText('Only administrators can manage API keys')).toBeVisible();

  expect(await userShown(newcomer)).toMatchObject({ passwordSet: false, projects: [{ slug: project.slug, role: 'member' }] });
  const [signedIn, added] = await auditEvents(project.slug, target);
  expect(added).toMatchObject({ action: 'member.added', actorType: 'system', actorLabel: 'single sign-on', metadata: { email: newcomer, role: 'member', newUser: true } });
  expect(signedIn).toMatchObject({ action: 'user.signed_in', actorType: 'user', actorLabel: newcomer, metadata: { method: 'sso' } });
});

test('KEYWARD_OIDC_ALLOW_NEW_USERS naming a project that does not exist refuses a new person with a clear message, and creates nothing', async ({ page }) => {
  const missing = uniqueName('gone');
  await keywardWith({ KEYWARD_OIDC_ALLOW_NEW_USERS: `${missing}:admin` });
  const newcomer = `${uniqueName('newcomer')}@e2e.test`;

  await signInWithSso(page, newcomer);
  await expect(refusal(page, 'Single sign-on cannot add new people right now: the project it adds them to does not exist.')).toBeVisible();
  expect(await userShown(newcomer)).toBeUndefined();
  // The operator learns which setting to fix.
  expect(keywardServer.messages()).toContain(`KEYWARD_OIDC_ALLOW_NEW_USERS names project "${missing}", which does not exist`);
});

test('a malformed KEYWARD_OIDC_ALLOW_NEW_USERS, or one with an unknown role, stops Keyward at start-up with a clear message', async () => {
  for (const [value, why] of [
    ['tools', 'one colon between the project and the role'],
    ['tools:owner', 'the role "owner" is neither admin nor member'],
  ]) {
    runningWith = undefined;
    await keywardServer.stop();
    await expect(keywardServer.start({ ...ssoSettings(), KEYWARD_OIDC_ALLOW_NEW_USERS: value! })).rejects.toThrow('The server exited before it was ready');
    expect(keywardServer.exit?.code).toBe(1);
    // Its last words may arrive just after it exits.
    await expect
      .poll(() => keywardServer.messages())
      .toContain(`Keyward cannot start: KEYWARD_OIDC_ALLOW_NEW_USERS must be <project>:<role>, e.g. "acme:member"; ${why} (got "${value}").`);
  }
});

test('the single sign-on server logged no client secret, code, token or PKCE verifier', async ({ page }) => {
  await keywardWith();
  const project = await seedProject(target);
  const member = await seedUser(project.slug, 'member', target);
  await signInWithSso(page, member.email);
  await expect(page).toHaveURL(url(`/projects/${project.slug}/settings/api-keys`));

  const log = keywardServer.output();
  const secrets = [provider.clientSecret, keywardServer.secrets.AUTH_SECRET, ...provider.handledSecrets];
  // A code, a verifier and two tokens for each sign-in through the provider.
  expect(provider.handledSecrets.size).toBeGreaterThanOrEqual(4);
  for (const secret of secrets) expect(log.includes(secret), `a secret (${secret.length} characters) appears in the log`).toBe(false);
});
