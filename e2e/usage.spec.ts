/**
 * A key's page and Settings › Usage after a known number of real verifications: the chart's
 * table fallback lists exactly those numbers, ranges switch (by mouse and by keyboard) and stay
 * in the URL, the contract's names resolve once, axe finds nothing serious, and no secret is in
 * the page. The e2e servers flush counts every 500 ms (e2e/serve.ts).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { COUNTED_CODES } from '@/lib/usage/codes';
import { client, rootKey, testAddress, verifyOverHttp, type ApiKeyWithSecret } from './api/helpers';
import { expectNoSeriousViolations } from './support/axe';
import { listKeys, seedProject, seedUser, signIn } from './support/seed';

// axe-core is injected into the page, which the console's Content-Security-Policy would refuse.
test.use({ bypassCSP: true });

type Counts = Partial<Record<(typeof COUNTED_CODES)[number], number>>;

/** A project with an administrator and a key restricted to Calls at Read, verified 5 times validly and 3 times beyond its permissions. */
async function meteredKey(request: Parameters<typeof client>[0], name: string) {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const api = client(request, (await rootKey(project.slug)).secret);
  const key = await api.create({ name, permissions: { calls: 'read' } });
  const address = testAddress();
  for (let i = 0; i < 5; i++) expect((await verifyOverHttp(request, key.key, { calls: 'read' }, address)).body.code).toBe('VALID');
  for (let i = 0; i < 3; i++) expect((await verifyOverHttp(request, key.key, { calls: 'write' }, address)).body.code).toBe('INSUFFICIENT_PERMISSIONS');
  return { project, admin, api, key, address, keyPath: `/projects/${project.slug}/settings/api-keys/${key.id}` };
}

const EXPECTED: Counts = { VALID: 5, INSUFFICIENT_PERMISSIONS: 3 };

/** The table fallback as data: its header, and each row's time and numbers. */
async function readTable(table: Locator) {
  const header = await table.getByRole('columnheader').allInnerTexts();
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const sums: Record<string, number> = {};
  for (const row of rows) {
    header.slice(1).forEach((code, i) => {
      const n = Number(row[i + 1]);
      if (!Number.isInteger(n)) throw new Error(`Not a count: ${row[i + 1]}`);
      if (n) sums[code] = (sums[code] ?? 0) + n;
    });
  }
  return { header, rows, sums };
}

/** Reloads the page until the usage totals show `total` verifications (counts are flushed every 500 ms). */
async function waitForTotal(page: Page, total: number) {
  const shown = page.locator('dl > div').filter({ has: page.locator('dt', { hasText: /^Total$/ }) }).locator('dd');
  await expect(async () => {
    await page.reload();
    await expect(shown).toHaveText(String(total), { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}

test('the key page: facts, the chart’s table lists exactly the verifications made, ranges switch by mouse and keyboard', async ({ page, request }) => {
  // Seeding, real verifications, reloads until the counts arrive, three ranges and two axe runs.
  test.slow();
  const { admin, key, address, keyPath, project } = await meteredKey(request, 'Billing sync');
  await signIn(page, admin, `/login?callbackUrl=${encodeURIComponent(`/projects/${project.slug}/settings/api-keys`)}`);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();

  // The name in the table links to the key's page; the table's 7-day column counts the same 8.
  const row = page.getByRole('row').filter({ hasText: 'Billing sync' });
  await expect(async () => {
    await page.reload();
    await expect(row.getByRole('cell').filter({ hasText: /^\s*8\s*$/ })).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await row.getByRole('link', { name: 'Billing sync' }).click();
  await expect(page).toHaveURL(new RegExp(`${keyPath}$`));

  await expect(page.getByRole('heading', { name: 'Billing sync' })).toHaveCount(1);
  await waitForTotal(page, 8);
  const facts = page.locator('dl').first();
  await expect(facts).toContainText(key.id);
  await expect(facts).toContainText(`${key.start}…${key.last4}`);
  await expect(facts).toContainText('by API key “root”');
  await expect(facts).toContainText(`from ${address}`);
  await expect(facts).toContainText('Never'); // expires
  // Permissions in full: Calls at Read, everything else at No access.
  const grid = page.getByRole('table', { name: /What “Billing sync” may do/ });
  await expect(grid.getByRole('row', { name: 'Calls Read', exact: true })).toHaveCount(1);
  await expect(grid.getByRole('row', { name: 'Contacts No access', exact: true })).toHaveCount(1);

  // The contract's names, each exactly once.
  for (const [role, name] of [
    ['heading', 'Usage'],
    ['heading', 'History'],
    ['button', '24 hours'],
    ['button', '7 days'],
    ['button', '30 days'],
    ['button', 'Show as table'],
    ['img', 'Verifications, last 24 hours'],
    ['button', 'Actions for Billing sync'],
  ] as const) {
    await expect(page.getByRole(role, { name }), `${role} "${name}"`).toHaveCount(1);
  }
  await expect(page.getByRole('button', { name: '24 hours' })).toHaveAttribute('aria-pressed', 'true');

  // The table fallback: Time and one column per code, a row per hour, the exact numbers.
  const showTable = page.getByRole('button', { name: 'Show as table' });
  await expect(showTable).toHaveAttribute('aria-expanded', 'false');
  await showTable.click();
  await expect(showTable).toHaveAttribute('aria-expanded', 'true');
  const table = page.getByRole('table', { name: /Verifications per hour/ });
  await expect(table).toBeVisible();
  let read = await readTable(table);
  expect(read.header).toEqual(['Time', ...COUNTED_CODES]);
  expect(read.rows).toHaveLength(24);
  expect(read.sums).toEqual(EXPECTED);
  await expectNoSeriousViolations(page, 'the key page, table shown');

  // History: the key's creation, by the root key.
  await expect(page.getByRole('table', { name: /Events about “Billing sync”/ })).toContainText('api_key.created');

  // 7 days by mouse: the URL keeps it, the server renders a week of hours.
  await page.getByRole('button', { name: '7 days' }).click();
  await expect(page).toHaveURL(/[?&]range=7d/);
  await expect(page.getByRole('img', { name: 'Verifications, last 7 days' })).toBeVisible();
  await expect(page.getByRole('button', { name: '7 days' })).toHaveAttribute('aria-pressed', 'true');
  read = await readTable(page.getByRole('table', { name: /Verifications per hour by outcome code, last 7 days/ }));
  expect(read.rows).toHaveLength(168);
  expect(read.sums).toEqual(EXPECTED);

  // 30 days by keyboard, then the table hidden and shown again by keyboard.
  await page.getByRole('button', { name: '7 days' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: '30 days' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('img', { name: 'Verifications, last 30 days' })).toBeVisible();
  await expect(page).toHaveURL(/[?&]range=30d/);
  read = await readTable(page.getByRole('table', { name: /Verifications per day by outcome code, last 30 days/ }));
  expect(read.rows).toHaveLength(30);
  expect(read.sums).toEqual(EXPECTED);
  await page.getByRole('button', { name: '30 days' }).focus();
  await page.keyboard.press('Tab');
  await expect(showTable).toBeFocused();
  await page.keyboard.press('Space');
  await expect(showTable).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('table', { name: /Verifications per day/ })).toBeHidden();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('table', { name: /Verifications per day/ })).toBeVisible();

  // A reload keeps the range; axe finds nothing serious with the table hidden either.
  await page.reload();
  await expect(page.getByRole('button', { name: '30 days' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('img', { name: 'Verifications, last 30 days' })).toBeVisible();
  await expectNoSeriousViolations(page, 'the key page, 30 days');

  // No secret in the page, as rendered or as sent.
  for (const html of [await page.content(), await (await page.request.get(keyPath)).text()]) {
    expect(html).not.toContain(key.key);
    expect(html).not.toContain(key.key.slice(3, 20));
  }
});

test('the key page’s menu acts on the key; after Delete the list is shown without it', async ({ page, request }) => {
  const { admin, key, keyPath, project } = await meteredKey(request, 'Old integration');
  await signIn(page, admin, `/login?callbackUrl=${encodeURIComponent(keyPath)}`);
  await expect(page.getByRole('heading', { name: 'Old integration' })).toBeVisible();

  const actions = page.getByRole('button', { name: 'Actions for Old integration' });
  await actions.click();
  for (const name of ['Rotate', 'Set as webhook key', 'Delete']) await expect(page.getByRole('menuitem', { name })).toHaveCount(1);
  await page.getByRole('menuitem', { name: 'Set as webhook key' }).click();
  await expect(page.getByText('Webhook key', { exact: true })).toHaveCount(1);
  await expect(page.getByText('Webhook key')).toHaveCount(1);
  expect((await listKeys(project.slug)).find((stored) => stored.id === key.id)?.webhook).toBe(true);

  await actions.click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete API key' });
  await expect(confirm).toContainText('Old integration');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.slug}/settings/api-keys$`));
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Old integration' })).toHaveCount(0);
  expect((await listKeys(project.slug)).map((stored) => stored.id)).not.toContain(key.id);
  expect((await page.goto(keyPath))?.status()).toBe(404);
});

test('the key page is for administrators: a member is told so and sees nothing of the key', async ({ page, request }) => {
  const { keyPath, project } = await meteredKey(request, 'Guarded');
  const member = await seedUser(project.slug, 'member');
  await signIn(page, member, `/login?callbackUrl=${encodeURIComponent(keyPath)}`);
  await expect(page.getByText('Only administrators can manage API keys')).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${keyPath}$`));
  expect(await page.content()).not.toContain('Guarded');
});

test('another project’s key, or an unknown one, is a 404 page', async ({ page, request }) => {
  const { key, keyPath } = await meteredKey(request, 'Elsewhere');
  const other = await seedProject();
  const outsider = await seedUser(other.slug, 'admin');
  await signIn(page, outsider);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  for (const path of [`/projects/${other.slug}/settings/api-keys/${key.id}`, `/projects/${other.slug}/settings/api-keys/key_doesnotexist`, keyPath]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  }
});

test('Settings › Usage: the project’s chart and table, and its top keys by volume and by refusals', async ({ page, request }) => {
  test.slow();
  const { admin, api, key, project } = await meteredKey(request, 'Busy key');
  // A second key, used less and never refused, then deleted: its counts stay, as "Deleted key".
  const gone: ApiKeyWithSecret = await api.create({ name: 'Short-lived' });
  for (let i = 0; i < 2; i++) expect((await verifyOverHttp(request, gone.key)).body.code).toBe('VALID');
  expect((await api.delete(`/keys/${gone.id}`)).status()).toBe(204);

  await signIn(page, admin, `/login?callbackUrl=${encodeURIComponent(`/projects/${project.slug}/settings/api-keys`)}`);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  await page.getByRole('navigation', { name: 'Project settings' }).getByRole('link', { name: 'Usage' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.slug}/settings/usage$`));
  await expect(page.getByRole('heading', { name: 'Usage' })).toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'Top keys' })).toHaveCount(1);

  // Every REST call made with a key is counted too: the root key's three (two creates, a delete) are VALID answers.
  await waitForTotal(page, 13);
  await expect(page.getByRole('img', { name: 'Verifications, last 24 hours' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Show as table' }).click();
  const read = await readTable(page.getByRole('table', { name: /Verifications per hour/ }));
  expect(read.rows).toHaveLength(24);
  expect(read.sums).toEqual({ VALID: 10, INSUFFICIENT_PERMISSIONS: 3 });

  const byVolume = page.getByRole('table', { name: 'Top keys by volume' });
  const volumes = await byVolume.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  expect(volumes).toEqual([
    ['Busy key', '8', '3'],
    ['root', '3', '0'],
    ['Deleted key', '2', '0'],
  ]);
  await expect(byVolume.getByRole('link')).toHaveCount(2);
  const byRefusals = page.getByRole('table', { name: 'Top keys by refusals' });
  await expect(byRefusals.getByRole('row')).toHaveCount(2); // the header and "Busy key"
  await expect(byRefusals.getByRole('row', { name: /Busy key/ })).toContainText('3');
  await expectNoSeriousViolations(page, 'Settings › Usage');

  await page.getByRole('button', { name: '7 days' }).click();
  await expect(page).toHaveURL(/[?&]range=7d/);
  await expect(page.getByRole('img', { name: 'Verifications, last 7 days' })).toBeVisible();
  await page.getByRole('table', { name: 'Top keys by refusals' }).getByRole('link', { name: 'Busy key' }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/api-keys/${key.id}$`));
  await expect(page.getByRole('heading', { name: 'Busy key' })).toBeVisible();
});
