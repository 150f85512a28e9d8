/**
 * Settings › API Keys: choosing keys with the checkbox column and deleting them together, through
 * the console contract's names ("Select {name}", "Select all on this page", "Delete selected",
 * dialog "Delete API keys", "Delete N keys"), checked against what the database holds.
 */
import { expect, test, type Page } from '@playwright/test';
import { auditEvents, createKeys, listKeys, seedProject, seedUser, signIn, verify } from './support/seed';

async function adminOnKeys(page: Page, keys: { prefix: string; count: number }) {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const created = await createKeys(project.slug, keys.prefix, keys.count);
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  return { project, admin, created };
}

const deleteSelected = (page: Page) => page.getByRole('button', { name: 'Delete selected' });
const select = (page: Page, name: string) => page.getByRole('checkbox', { name: `Select ${name}`, exact: true });

test('several keys chosen, one confirmation naming them, gone together, each in the audit log', async ({ page }) => {
  // Twelve keys, two pages, a search, a delete and the audit log: a long walk, given three times the budget.
  test.slow();
  const { project, created } = await adminOnKeys(page, { prefix: 'Batch', count: 12 });
  const secretOf = (name: string) => created[Number(name.slice(-2)) - 1]!.secret;
  await expect(page.getByText('Page 1 of 2')).toBeVisible();
  await expect(deleteSelected(page)).toBeDisabled();

  // "Select all on this page" takes this page's ten rows, and only them.
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await expect(page.getByRole('row').getByRole('checkbox', { checked: true })).toHaveCount(11);
  await expect(deleteSelected(page)).toHaveText('Delete selected (10)');
  // Another page starts with nothing selected.
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByText('Page 2 of 2')).toBeVisible();
  await expect(deleteSelected(page)).toBeDisabled();
  await expect(page.getByRole('checkbox', { name: 'Select all on this page' })).not.toBeChecked();

  // So does a search.
  const onPageTwo = (await page.getByRole('row').nth(1).getByRole('link').first().innerText()).trim();
  await select(page, onPageTwo).check();
  await expect(deleteSelected(page)).toHaveText('Delete selected (1)');
  await page.getByRole('searchbox', { name: 'Search keys' }).fill('Batch 0');
  await expect(page).toHaveURL(/[?&]q=Batch\+0/);
  await expect(page.getByRole('row').filter({ hasText: /Batch 0\d/ })).toHaveCount(9);
  await expect(deleteSelected(page)).toBeDisabled();

  await select(page, 'Batch 02').check();
  await select(page, 'Batch 05').check();
  await select(page, 'Batch 07').check();
  await select(page, 'Batch 07').uncheck();
  await expect(page.getByRole('checkbox', { name: 'Select all on this page' })).toHaveJSProperty('indeterminate', true);
  await deleteSelected(page).click();

  const dialog = page.getByRole('dialog', { name: 'Delete API keys' });
  await expect(dialog).toContainText('Delete 2 keys?');
  const listed = dialog.getByRole('list', { name: 'Keys to delete' }).getByRole('listitem');
  await expect(listed).toHaveCount(2);
  expect((await listed.allInnerTexts()).sort()).toEqual(['Batch 02', 'Batch 05']);
  await dialog.getByRole('button', { name: 'Delete 2 keys' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: /Batch 0[25]/ })).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: /Batch 0\d/ })).toHaveCount(7);
  await expect(deleteSelected(page)).toBeDisabled();
  await expect(deleteSelected(page)).toBeFocused();

  const names = (await listKeys(project.slug)).map((key) => key.name);
  expect(names).toHaveLength(10);
  expect(names).not.toContain('Batch 02');
  expect(names).not.toContain('Batch 05');
  for (const name of ['Batch 02', 'Batch 05']) expect(await verify(secretOf(name))).toMatchObject({ valid: false, code: 'NOT_FOUND' });
  expect(await verify(secretOf('Batch 07'))).toMatchObject({ valid: true });

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const deletions = page.getByRole('row').filter({ hasText: 'api_key.deleted' });
  await expect(deletions).toHaveCount(2);
  await expect(deletions.filter({ hasText: 'Name: Batch 02' })).toHaveCount(1);
  await expect(deletions.filter({ hasText: 'Name: Batch 05' })).toHaveCount(1);
  await expect(deletions.first()).toContainText('Signed the webhooks: No');
  expect((await auditEvents(project.slug)).filter((event) => event.action === 'api_key.deleted')).toHaveLength(2);
});

test('the webhook key in a batch: refused as a whole until its own checkbox is ticked', async ({ page }) => {
  const { project } = await adminOnKeys(page, { prefix: 'Hook', count: 3 });
  await page.getByRole('button', { name: 'Actions for Hook 1' }).click();
  await page.getByRole('menuitem', { name: 'Set as webhook key' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Hook 1' })).toContainText('Webhook key');

  await select(page, 'Hook 1').check();
  await select(page, 'Hook 2').check();
  await deleteSelected(page).click();
  const dialog = page.getByRole('dialog', { name: 'Delete API keys' });
  await expect(dialog).toContainText('“Hook 1” is the project\'s webhook key');
  const confirmWebhook = dialog.getByRole('checkbox', { name: 'Also delete the webhook key “Hook 1”' });
  await expect(confirmWebhook).not.toBeChecked();

  // Not confirmed: the server refuses the batch and nothing is deleted.
  await dialog.getByRole('button', { name: 'Delete 2 keys' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Nothing was deleted.');
  await expect(dialog).toBeVisible();
  expect((await listKeys(project.slug)).map((key) => key.name).sort()).toEqual(['Hook 1', 'Hook 2', 'Hook 3']);

  await confirmWebhook.check();
  await dialog.getByRole('button', { name: 'Delete 2 keys' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: /Hook [12]/ })).toHaveCount(0);
  const left = await listKeys(project.slug);
  expect(left.map((key) => [key.name, key.webhook])).toEqual([['Hook 3', false]]);
  const deleted = (await auditEvents(project.slug)).filter((event) => event.action === 'api_key.deleted');
  expect(deleted.map((event) => event.metadata).sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual([
    { name: 'Hook 1', wasWebhookKey: true },
    { name: 'Hook 2', wasWebhookKey: false },
  ]);
});
