/** Edit permissions from the keyboard alone, under the retell catalogue (where they stay editable). */
import { expect, test } from '@playwright/test';
import { apiKeysPath } from '../support/console';
import { arrowTo, signInByKeyboard, tabTo } from '../support/keyboard';
import { createKeys, listKeys, seedProject, seedUser } from '../support/seed';

test('retell: edit a key’s permissions by keyboard', async ({ page }) => {
  // A key at a time, a Tab at a time.
  test.slow();
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await createKeys(project.slug, 'Agent bot', 1);
  await signInByKeyboard(page, admin, apiKeysPath(project.slug));

  const actions = page.getByRole('button', { name: 'Actions for Agent bot' });
  await tabTo(page, actions);
  await page.keyboard.press('Enter');
  await arrowTo(page, page.getByRole('menuitem', { name: 'Edit permissions' }));
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', { name: 'Edit permissions' });
  const restrict = dialog.getByRole('switch', { name: 'Restrict permissions' });
  await tabTo(page, restrict);
  await page.keyboard.press('Space');
  await expect(restrict).toBeChecked();
  const agent = dialog.getByRole('radiogroup', { name: 'Agent', exact: true });
  await tabTo(page, agent.getByRole('radio', { name: 'No Access' }));
  await page.keyboard.press('ArrowRight');
  await expect(agent.getByRole('radio', { name: 'Read' })).toBeChecked();
  // Call is action-only: the arrow goes from No Access straight to Edit.
  const call = dialog.getByRole('radiogroup', { name: 'Call', exact: true });
  await tabTo(page, call.getByRole('radio', { name: 'No Access' }));
  await page.keyboard.press('ArrowRight');
  await expect(call.getByRole('radio', { name: 'Edit' })).toBeChecked();
  await tabTo(page, dialog.getByRole('button', { name: 'Save' }));
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(actions).toBeFocused();
  await expect(page.getByRole('row').filter({ hasText: 'Agent bot' })).toContainText('Restricted');

  const [stored] = await listKeys(project.slug);
  expect(stored!.permissions).toEqual({ agent: 'read', testing: 'none', history: 'none', export: 'none', call: 'write', phone: 'none' });
});
