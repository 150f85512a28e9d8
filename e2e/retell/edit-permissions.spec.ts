/** Against the server started with KEYWARD_PERMISSIONS=retell: permissions stay editable. */
import { expect, test } from '@playwright/test';
import { createKeys, listKeys, seedProject, seedUser, signIn, verify } from '../support/seed';

test('retell: a key’s permissions and limits are edited in place and its secret keeps working', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const [key] = await createKeys(project.slug, 'Agent bot', 1);
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);

  await page.getByRole('button', { name: 'Actions for Agent bot' }).click();
  await page.getByRole('menuitem', { name: 'Edit permissions' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit permissions' });
  await dialog.getByRole('switch', { name: 'Restrict permissions' }).click();
  // Export is action-only: No Access or Edit, no Read.
  await expect(dialog.getByRole('radiogroup', { name: 'Export', exact: true }).getByRole('radio', { name: 'Read' })).toHaveCount(0);
  await dialog.getByRole('radiogroup', { name: 'Agent', exact: true }).getByRole('radio', { name: 'Read', exact: true }).check();
  await dialog.getByRole('radiogroup', { name: 'Call', exact: true }).getByRole('radio', { name: 'Edit', exact: true }).check();
  // Limits are edited in the same dialog.
  await dialog.getByRole('spinbutton', { name: 'Requests' }).fill('20');
  await dialog.getByRole('combobox', { name: 'Per' }).selectOption('Second');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: 'Agent bot' })).toContainText('Restricted');

  const [stored] = await listKeys(project.slug);
  expect(stored!.permissions).toEqual({ agent: 'read', testing: 'none', history: 'none', export: 'none', call: 'write', phone: 'none' });
  expect(stored).toMatchObject({ rateLimit: { limit: 20, windowSeconds: 1 }, allowedAddresses: null, usage: null });
  await expect(page.getByRole('row').filter({ hasText: 'Agent bot' })).toContainText('Limited');
  expect(await verify(key!.secret, { call: 'write' })).toMatchObject({ code: 'VALID' });
  expect(await verify(key!.secret, { agent: 'write' })).toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS' });
});

test('retell: the create dialog shows Edit, and a dash where an action-only resource has no Read', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
  await page.getByRole('button', { name: 'Create API key' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await dialog.getByRole('switch', { name: 'Restrict permissions' }).click();
  for (const group of ['Build', 'Monitor', 'Deploy']) await expect(dialog.getByRole('heading', { name: group })).toBeVisible();
  await expect(dialog.getByRole('radiogroup', { name: 'Call', exact: true }).getByRole('radio')).toHaveCount(2);
  await expect(dialog.getByRole('radiogroup', { name: 'Phone', exact: true }).getByRole('radio', { name: 'Edit', exact: true })).toBeVisible();
});
