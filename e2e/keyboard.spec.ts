/**
 * Every flow of Settings › API Keys and Team from the keyboard alone: no click anywhere. Focus
 * starts in Name, every control reached by Tab shows a focus ring, the secret is copied with the
 * Copy button, and focus comes back to where the person was when a dialog closes. What each
 * step did is checked in the database. Edit permissions: e2e/retell/keyboard.spec.ts.
 */
import { expect, test, type Page } from '@playwright/test';
import { apiKeysPath } from './support/console';
import { arrowTo, signInByKeyboard, tabTo } from './support/keyboard';
import { createKeys, listKeys, recordSecret, seedProject, seedUser, verify } from './support/seed';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });
// A key at a time, a Tab at a time: each flow takes many more steps than its mouse twin.
test.slow();

async function adminByKeyboard(page: Page, path: (slug: string) => string) {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signInByKeyboard(page, admin, path(project.slug));
  return project.slug;
}

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

test('create a restricted key, copy its secret and close the show-once dialog, by keyboard', async ({ page }) => {
  const slug = await adminByKeyboard(page, apiKeysPath);
  const createButton = page.getByRole('button', { name: 'Create API key' });
  await tabTo(page, createButton);
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.type('Keyboard key');
  await tabTo(page, dialog.getByRole('switch', { name: 'Restrict permissions' }));
  await page.keyboard.press('Space');
  await expect(dialog.getByRole('switch', { name: 'Restrict permissions' })).toBeChecked();

  // One tab stop per resource (its chosen level); arrows move along its levels.
  const calls = dialog.getByRole('radiogroup', { name: 'Calls', exact: true });
  await tabTo(page, calls.getByRole('radio', { name: 'No access' }));
  await page.keyboard.press('ArrowRight');
  await expect(calls.getByRole('radio', { name: 'Read' })).toBeChecked();
  const contacts = dialog.getByRole('radiogroup', { name: 'Contacts', exact: true });
  await tabTo(page, contacts.getByRole('radio', { name: 'No access' }));
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(contacts.getByRole('radio', { name: 'Write' })).toBeChecked();
  // A category's "All" button sets its every resource.
  await tabTo(page, dialog.getByRole('button', { name: 'Set all Administration to Read' }));
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('radiogroup', { name: 'Billing', exact: true }).getByRole('radio', { name: 'Read' })).toBeChecked();

  await tabTo(page, dialog.getByRole('button', { name: 'Create', exact: true }));
  await page.keyboard.press('Enter');

  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  const field = saved.getByRole('textbox', { name: 'API key' });
  await expect(field).toBeVisible();
  const secret = await field.inputValue();
  await tabTo(page, saved.getByRole('button', { name: 'Copy' }));
  await page.keyboard.press('Enter');
  await expect(saved.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await clipboard(page)).toBe(secret);
  await tabTo(page, saved.getByRole('button', { name: 'Done' }));
  await page.keyboard.press('Enter');
  await expect(saved).toBeHidden();
  // Back where the flow began.
  await expect(createButton).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: 'Keyboard key' })).toContainText('Restricted');

  const [stored] = await listKeys(slug);
  expect(stored!.permissions).toMatchObject({ calls: 'read', contacts: 'write', phones: 'read', members: 'read', billing: 'read', api_keys: 'read', notifications: 'read', messages: 'none' });
  expect(await verify(secret, { contacts: 'write' })).toMatchObject({ code: 'VALID' });
});

test('rotate, set as webhook key and delete, by keyboard', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const [first] = await createKeys(project.slug, 'Signer', 2);
  await signInByKeyboard(page, admin, apiKeysPath(project.slug));

  // Rotate "Signer 1", keeping the old secret for an hour.
  const actions = page.getByRole('button', { name: 'Actions for Signer 1' });
  await tabTo(page, actions);
  await page.keyboard.press('Enter');
  await arrowTo(page, page.getByRole('menuitem', { name: 'Rotate' }));
  await page.keyboard.press('Enter');
  const rotate = page.getByRole('dialog', { name: 'Rotate API key' });
  await tabTo(page, rotate.getByRole('radio', { name: 'Immediately' }));
  await page.keyboard.press('ArrowRight');
  await expect(rotate.getByRole('radio', { name: '1 hour' })).toBeChecked();
  await tabTo(page, rotate.getByRole('button', { name: 'Rotate' }));
  await page.keyboard.press('Enter');
  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  const secret = await saved.getByRole('textbox', { name: 'API key' }).inputValue();
  // Escape asks first; Enter on the focused "Keep open" returns to the secret.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Keep open' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Close without saving?' })).toBeHidden();
  await tabTo(page, saved.getByRole('button', { name: 'Done' }));
  await page.keyboard.press('Enter');
  await expect(saved).toBeHidden();
  await expect(actions).toBeFocused();
  expect(await verify(secret)).toMatchObject({ code: 'VALID' });
  expect(await verify(first!.secret)).toMatchObject({ code: 'VALID' });
  expect((await listKeys(project.slug)).find((key) => key.name === 'Signer 1')!.previousSecretExpiresAt).not.toBeNull();

  // Make it the webhook key: the menu again, from the button that has the focus.
  await page.keyboard.press('Enter');
  await arrowTo(page, page.getByRole('menuitem', { name: 'Set as webhook key' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('row').filter({ hasText: 'Signer 1' })).toContainText('Webhook key');
  expect((await listKeys(project.slug)).filter((key) => key.webhook).map((key) => key.name)).toEqual(['Signer 1']);

  // Delete "Signer 2": the dialog opens on Cancel; Tab reaches Delete.
  await tabTo(page, page.getByRole('button', { name: 'Actions for Signer 2' }));
  await page.keyboard.press('Enter');
  await arrowTo(page, page.getByRole('menuitem', { name: 'Delete' }));
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Delete API key' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await tabTo(page, confirm.getByRole('button', { name: 'Delete' }));
  await page.keyboard.press('Enter');
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: 'Signer 2' })).toHaveCount(0);
  // The row went with its menu button: focus waits on the page's heading, not the top of the document.
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeFocused();
  expect((await listKeys(project.slug)).map((key) => key.name)).toEqual(['Signer 1']);
});

test('set a key’s limits, by keyboard', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const [key] = await createKeys(project.slug, 'Partner', 1);
  await signInByKeyboard(page, admin, apiKeysPath(project.slug));

  const actions = page.getByRole('button', { name: 'Actions for Partner' });
  await tabTo(page, actions);
  await page.keyboard.press('Enter');
  await arrowTo(page, page.getByRole('menuitem', { name: 'Edit limits' }));
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Edit limits' });
  await expect(dialog.getByRole('textbox', { name: 'Allowed IP addresses' })).toBeFocused();
  await page.keyboard.type('203.0.113.0/24');
  await page.keyboard.press('Enter');
  await page.keyboard.type('2001:db8::/32');
  await tabTo(page, dialog.getByRole('spinbutton', { name: 'Requests' }));
  await page.keyboard.type('10');
  await tabTo(page, dialog.getByRole('combobox', { name: 'Per' }));
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('combobox', { name: 'Per' })).toHaveValue('3600');
  await tabTo(page, dialog.getByRole('spinbutton', { name: 'Uses' }));
  await page.keyboard.type('50');
  await tabTo(page, dialog.getByRole('combobox', { name: 'Refill' }));
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('combobox', { name: 'Refill' })).toHaveValue('day');
  await tabTo(page, dialog.getByRole('spinbutton', { name: 'Refill amount' }));
  await page.keyboard.type('50');
  await tabTo(page, dialog.getByRole('button', { name: 'Save' }));
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(actions).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: 'Partner' })).toContainText('50 uses left');
  const [stored] = await listKeys(project.slug);
  expect(stored).toMatchObject({
    id: key!.id,
    allowedAddresses: ['203.0.113.0/24', '2001:db8::/32'],
    rateLimit: { limit: 10, windowSeconds: 3600 },
    usage: { remaining: 50, refill: { amount: 50, interval: 'day' } },
  });
});

test('add a team member and pass on their set-password link, by keyboard', async ({ page }) => {
  const slug = await adminByKeyboard(page, (project) => `/projects/${project}/settings/team`);
  const email = `keyboard-${Date.now().toString(36)}@e2e.test`;
  const add = page.getByRole('button', { name: 'Add member' });
  await tabTo(page, add);
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', { name: 'Add member' });
  await expect(dialog.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(email);
  await tabTo(page, dialog.getByRole('radio', { name: /^Member/ }));
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('radio', { name: /^Admin/ })).toBeChecked();
  await tabTo(page, dialog.getByRole('button', { name: 'Add member' }));
  await page.keyboard.press('Enter');

  const share = page.getByRole('dialog', { name: 'Share the set-password link' });
  const link = await share.getByLabel('Set-password link').inputValue();
  expect(link).toContain('#token=');
  recordSecret(link.split('#token=')[1]!);
  await tabTo(page, share.getByRole('button', { name: 'Copy' }));
  await page.keyboard.press('Enter');
  expect(await clipboard(page)).toBe(link);
  await tabTo(page, share.getByRole('button', { name: 'Done' }));
  await page.keyboard.press('Enter');
  await expect(share).toBeHidden();
  await expect(add).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Admin');
  expect(slug).toBeTruthy();
});
