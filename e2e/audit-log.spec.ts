/** Settings › Audit log: what the console did, by whom, filtered in the URL, and as CSV. */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createKeys, seedProject, seedUser, setRole, signIn } from './support/seed';

test('console changes appear once with their actor, filter through the URL, and export as the view shows them', async ({ page, browser, baseURL }) => {
  // Two sign-ins, a dozen console changes and an export: a long walk, given three times the budget.
  test.slow();
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const member = await seedUser(project.slug, 'member');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);

  await page.getByRole('button', { name: 'Create API key' }).first().click();
  const create = page.getByRole('dialog', { name: 'Create API key' });
  await create.getByLabel('Name').fill('Audited key');
  await create.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('dialog', { name: 'Save your API key' }).getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Actions for Audited key' }).click();
  await page.getByRole('menuitem', { name: 'Set as webhook key' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Audited key' })).toContainText('Webhook key');

  await page.goto(`/projects/${project.slug}/settings/team`);
  await page.getByRole('button', { name: `Actions for ${member.email}` }).click();
  await page.getByRole('menuitem', { name: 'Make admin' }).click();
  await expect(page.getByRole('row').filter({ hasText: member.email })).toContainText('Admin');

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const rows = page.getByRole('row');
  await expect(rows.filter({ hasText: 'api_key.created' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'webhook_key.changed' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'member.role_changed' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'api_key.created' })).toContainText(admin.email);
  // Newest first.
  await expect(rows.nth(1)).toContainText('member.role_changed');

  await page.getByLabel('Action').selectOption('api_key.created');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/[?&]action=api_key\.created/);
  await expect(rows).toHaveCount(2);
  await page.reload();
  await expect(rows).toHaveCount(2);

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = readFileSync((await (await download).path())!, 'utf8').trimEnd().split('\r\n');
  expect(csv).toHaveLength(2);
  expect(csv[1]).toContain('"api_key.created"');
  expect(csv[1]).toContain(admin.email);

  // Members do not see it, nor can they export it.
  const other = await seedUser(project.slug, 'member');
  const memberContext = await browser.newContext({ baseURL });
  const memberPage = await memberContext.newPage();
  await signIn(memberPage, other, `/login?callbackUrl=/projects/${project.slug}/settings/audit-log`);
  await expect(memberPage.getByText('Only administrators can view the audit log.')).toBeVisible();
  const response = await memberPage.request.get(`/projects/${project.slug}/settings/audit-log/export`);
  expect(response.status()).toBe(403);
  expect((await response.json()).error).toEqual({ code: 'forbidden', message: 'Only administrators can view the audit log.' });
  await memberContext.close();

  // An administrator of another project: the project is not found for them, like a missing one.
  const elsewhere = await seedProject();
  const stranger = await seedUser(elsewhere.slug, 'admin');
  const strangerContext = await browser.newContext({ baseURL });
  const strangerPage = await strangerContext.newPage();
  await signIn(strangerPage, stranger, `/login?callbackUrl=/projects/${elsewhere.slug}/settings/audit-log`);
  await strangerPage.waitForURL((url) => url.pathname === `/projects/${elsewhere.slug}/settings/audit-log`);
  const hidden = await strangerPage.request.get(`/projects/${project.slug}/settings/audit-log/export`);
  expect(hidden.status()).toBe(404);
  expect((await hidden.json()).error.code).toBe('not_found');
  await strangerContext.close();
});

test('details read as a list: what changed as old → new, permissions by their labels, nothing clipped', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const member = await seedUser(project.slug, 'member');
  // A long name: it must wrap in the Details column, not be cut off.
  const longName = `Reporting ${'pipeline-'.repeat(9)}end`;
  const [restricted] = await createKeys(project.slug, longName, 1, undefined, { api_keys: 'read', calls: 'write' });
  await setRole(member.email, project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/audit-log`);
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();

  const created = page.getByRole('row').filter({ hasText: 'api_key.created' });
  const details = created.getByRole('cell').last().getByRole('listitem');
  await expect(details).toHaveText([`Name: ${longName}`, 'Permissions: Calls: Write, API Keys: Read', 'Expires: Never']);
  await expect(page.getByRole('row').filter({ hasText: 'member.role_changed' }).getByRole('listitem')).toHaveText([`Email: ${member.email}`, 'Role: Member → Admin']);
  // No raw JSON left in the column.
  await expect(created).not.toContainText('{"');

  // Every line is shown whole: the cell neither scrolls nor hides what overflows.
  const cell = created.getByRole('cell').last();
  const fits = await cell.evaluate((element) => element.scrollWidth <= element.clientWidth && getComputedStyle(element).textOverflow !== 'ellipsis');
  expect(fits).toBe(true);
  const [line, box] = [await details.first().boundingBox(), await cell.boundingBox()];
  expect(line!.x + line!.width).toBeLessThanOrEqual(box!.x + box!.width);

  // The key page's History reads the same way.
  await page.goto(`/projects/${project.slug}/settings/api-keys/${restricted!.id}`);
  const history = page.getByRole('region', { name: /^Events about/ });
  await expect(history.getByRole('row').filter({ hasText: 'api_key.created' })).toContainText('Permissions: Calls: Write, API Keys: Read');
});
