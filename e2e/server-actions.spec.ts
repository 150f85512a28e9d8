/**
 * Every server action, called directly over HTTP the way a forged request would (the
 * `Next-Action` header, no page involved): with no session, with a member's session and with
 * an administrator session of another project. All are refused and nothing is written. The
 * list of actions comes from the source: an exported function of a 'use server' module that
 * has no case below fails this file, so a new action cannot ship without one.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Browser } from '@playwright/test';
import { auditEvents, createKeys, listKeys, recordSecret, seedProject, seedUser, signIn, type SeededUser } from './support/seed';

type Target = { slug: string; keyId: string };

/** The arguments each project action is called with, aimed at a real project and key. */
const PROJECT_ACTIONS: Record<string, (target: Target) => unknown[]> = {
  'app/projects/[slug]/settings/api-keys/actions.ts#createKeyAction': ({ slug }) => [slug, { name: 'Forged key' }],
  'app/projects/[slug]/settings/api-keys/actions.ts#rotateKeyAction': ({ slug, keyId }) => [slug, keyId, { gracePeriodSeconds: 0 }],
  'app/projects/[slug]/settings/api-keys/actions.ts#deleteKeyAction': ({ slug, keyId }) => [slug, keyId],
  'app/projects/[slug]/settings/api-keys/actions.ts#deleteKeyFromItsPageAction': ({ slug, keyId }) => [slug, keyId],
  'app/projects/[slug]/settings/api-keys/actions.ts#deleteKeysAction': ({ slug, keyId }) => [slug, { ids: [keyId], confirmWebhookKey: true }],
  'app/projects/[slug]/settings/api-keys/actions.ts#setWebhookKeyAction': ({ slug, keyId }) => [slug, keyId],
  'app/projects/[slug]/settings/api-keys/actions.ts#updateKeyAction': ({ slug, keyId }) => [slug, keyId, { name: 'Forged name' }],
  'app/projects/[slug]/settings/general/actions.ts#renameProjectAction': ({ slug }) => [slug, { name: 'Forged project' }],
  'app/projects/[slug]/settings/team/actions.ts#addMemberAction': ({ slug }) => [slug, { email: 'forged@evil.example', role: 'admin' }],
  'app/projects/[slug]/settings/team/actions.ts#changeRoleAction': ({ slug }) => [slug, randomUUID(), { role: 'admin' }],
  'app/projects/[slug]/settings/team/actions.ts#removeMemberAction': ({ slug }) => [slug, randomUUID()],
  'app/projects/[slug]/settings/webhooks/actions.ts#saveEndpointAction': ({ slug }) => [slug, { url: 'https://evil.example/hook', events: ['api_key.created'], enabled: true }],
  'app/projects/[slug]/settings/webhooks/actions.ts#sendTestEventAction': ({ slug }) => [slug],
};

/** Actions open to visitors by design, and why; each is still called below with hostile input. */
const PUBLIC_ACTIONS: Record<string, { why: string; args: unknown[] }> = {
  'app/login/actions.ts#signInWithPassword': { why: 'signing in', args: [{}, {}] },
  'app/login/actions.ts#signInWithSso': { why: 'single sign-on redirect', args: [{}] },
  'app/set-password/actions.ts#setPasswordAction': { why: 'the link token is the credential', args: [{ token: 'forged', password: 'forged password', confirm: 'forged password' }] },
  'app/projects/[slug]/session-actions.ts#signOutAction': { why: 'ends the caller’s own session', args: [] },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(file);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [file] : [];
  });
}

/** "file#exportName" of every exported function of every 'use server' module. */
function serverActionsInSource(): string[] {
  return ['app', 'components', 'lib'].flatMap(sourceFiles).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    if (!/^\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\s*)*['"]use server['"]/.test(text)) return [];
    const other = /^export (?!async function |type |interface )/m.exec(text);
    expect(other, `${file}: a 'use server' module should export only async functions`).toBeNull();
    return [...text.matchAll(/^export async function (\w+)/gm)].map((match) => `${file.split(path.sep).join('/')}#${match[1]}`);
  });
}

type Manifest = { node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }> };

/** The built action ids, and a page that serves each. */
function builtActions(): Map<string, { id: string; page: string }> {
  const manifest = JSON.parse(readFileSync('.next/server/server-reference-manifest.json', 'utf8')) as Manifest;
  return new Map(
    Object.entries(manifest.node).map(([id, entry]) => {
      const worker = Object.keys(entry.workers)[0]!.replace(/^app/, '').replace(/\/page$/, '') || '/';
      return [`${entry.filename}#${entry.exportedName}`, { id, page: worker }];
    }),
  );
}

async function callAction(request: APIRequestContext, action: { id: string; page: string }, slug: string, args: unknown[], origin?: string) {
  const response = await request.post(action.page.replace('[slug]', slug), {
    headers: {
      'next-action': action.id,
      accept: 'text/x-component',
      'content-type': 'text/plain;charset=UTF-8',
      ...(origin === undefined ? {} : { origin }),
    },
    data: JSON.stringify(args),
    maxRedirects: 0,
  });
  return { status: response.status(), body: await response.text() };
}

async function sessionFor(browser: Browser, baseURL: string | undefined, user: SeededUser, slug: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, user, `/login?callbackUrl=/projects/${slug}/settings/team`);
  await page.waitForURL((url) => url.pathname.endsWith('/settings/team'));
  return context;
}

test('every server action in the source has a case here, and is built', () => {
  const inSource = serverActionsInSource().sort();
  expect(inSource.length).toBeGreaterThan(10);
  expect(inSource).toEqual([...Object.keys(PROJECT_ACTIONS), ...Object.keys(PUBLIC_ACTIONS)].sort());
  const built = builtActions();
  for (const name of inSource) expect(built.has(name), `${name} is not in the build's action manifest`).toBe(true);
});

test('no session, a member, and another project’s admin: every project action is refused and nothing is written', async ({ browser, baseURL, playwright }) => {
  test.setTimeout(120_000);
  const project = await seedProject();
  const other = await seedProject();
  const member = await seedUser(project.slug, 'member');
  const outsider = await seedUser(other.slug, 'admin');
  await seedUser(project.slug, 'admin');
  const [key] = await createKeys(project.slug, 'Target', 1);
  const target = { slug: project.slug, keyId: key!.id };
  const anonymous = await playwright.request.newContext({ baseURL });
  const asMember = await sessionFor(browser, baseURL, member, project.slug);
  const asOutsider = await sessionFor(browser, baseURL, outsider, other.slug);
  // After the sign-ins, which the audit log records: from here on nothing may be written.
  const before = { keys: await listKeys(project.slug), events: await auditEvents(project.slug) };
  const built = builtActions();

  for (const [name, args] of Object.entries(PROJECT_ACTIONS)) {
    const action = built.get(name)!;
    const none = await callAction(anonymous, action, project.slug, args(target), baseURL);
    // Signed-out requests to console pages are sent to /login by the proxy, or refused by the action.
    expect(none.status === 307 || none.body.includes('"code":"unauthorized"'), `${name} without a session: ${none.status} ${none.body.slice(0, 200)}`).toBe(true);
    const byMember = await callAction(asMember.request, action, project.slug, args(target), baseURL);
    expect(byMember.body, `${name} as a member`).toContain('"code":"forbidden"');
    const byOutsider = await callAction(asOutsider.request, action, project.slug, args(target), baseURL);
    expect(byOutsider.body, `${name} as another project's admin`).toContain('"code":"not_found"');
  }

  expect(await listKeys(project.slug)).toEqual(before.keys);
  expect(await auditEvents(project.slug)).toEqual(before.events);
  await Promise.all([anonymous.dispose(), asMember.close(), asOutsider.close()]);
});

test('public actions given hostile input write nothing', async ({ playwright, baseURL }) => {
  const project = await seedProject();
  const before = await auditEvents(project.slug);
  const anonymous = await playwright.request.newContext({ baseURL });
  const built = builtActions();
  for (const [name, { args }] of Object.entries(PUBLIC_ACTIONS)) {
    const result = await callAction(anonymous, built.get(name)!, project.slug, args, baseURL);
    expect(result.status, `${name}: ${result.body.slice(0, 200)}`).toBeLessThan(500);
  }
  const forged = await callAction(anonymous, built.get('app/set-password/actions.ts#setPasswordAction')!, project.slug, PUBLIC_ACTIONS['app/set-password/actions.ts#setPasswordAction']!.args, baseURL);
  expect(forged.body).toContain('"code":"invalid_input"');
  expect(await auditEvents(project.slug)).toEqual(before);
  await anonymous.dispose();
});

test('an administrator’s own session cannot be used from another site: actions and REST refuse Origin evil.example or null', async ({ browser, baseURL }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const session = await sessionFor(browser, baseURL, admin, project.slug);
  const create = builtActions().get('app/projects/[slug]/settings/api-keys/actions.ts#createKeyAction')!;
  for (const origin of ['https://evil.example', 'null']) {
    const result = await callAction(session.request, create, project.slug, [project.slug, { name: `Cross-site ${origin}` }], origin);
    expect(result.body).not.toContain('"ok":true');
  }
  expect(await listKeys(project.slug)).toEqual([]);
  // The REST API never takes the session cookie as a credential: from another site, with the
  // administrator's cookies and no bearer key, a change is a 401.
  for (const origin of ['https://evil.example', 'null']) {
    const forged = await session.request.post('/api/v1/keys', { headers: { origin }, data: { name: 'Forged through REST' } });
    expect(forged.status()).toBe(401);
    const deleted = await session.request.put('/api/v1/webhook-key', { headers: { origin }, data: { keyId: 'key_anything' } });
    expect(deleted.status()).toBe(401);
  }
  expect(await listKeys(project.slug)).toEqual([]);
  // The same call from the console's own origin works: the refusal above was the origin's.
  const same = await callAction(session.request, create, project.slug, [project.slug, { name: 'Same site' }], baseURL);
  expect(same.body).toContain('"ok":true');
  const made = /"secret":"(kw_[0-9A-Za-z]+)"/.exec(same.body);
  if (made) recordSecret(made[1]!);
  expect((await listKeys(project.slug)).map((key) => key.name)).toEqual(['Same site']);
  await session.close();
});

test('an administrator’s bad limits are refused by the actions themselves, naming the field, and nothing is written', async ({ browser, baseURL }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const [key] = await createKeys(project.slug, 'Limited', 1);
  const session = await sessionFor(browser, baseURL, admin, project.slug);
  const before = { keys: await listKeys(project.slug), events: await auditEvents(project.slug) };
  const built = builtActions();
  const create = built.get('app/projects/[slug]/settings/api-keys/actions.ts#createKeyAction')!;
  const update = built.get('app/projects/[slug]/settings/api-keys/actions.ts#updateKeyAction')!;

  // What the console's form would never send: the server checks it again.
  const created = await callAction(session.request, create, project.slug, [project.slug, { name: 'Everyone', allowedAddresses: ['192.0.2.1', '0.0.0.0/0'] }], baseURL);
  expect(created.body).toContain('"code":"invalid_input"');
  expect(created.body).toContain('line 2: 0.0.0.0/0 allows every address');
  const updated = await callAction(session.request, update, project.slug, [project.slug, key!.id, { rateLimit: { limit: 0, windowSeconds: 60 }, usage: { remaining: -1 } }], baseURL);
  expect(updated.body).toContain('"code":"invalid_input"');
  expect(updated.body).toContain('"rateLimit.limit"');
  expect(updated.body).toContain('"usage.remaining"');

  expect(await listKeys(project.slug)).toEqual(before.keys);
  expect(await auditEvents(project.slug)).toEqual(before.events);
  await session.close();
});
