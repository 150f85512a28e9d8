/**
 * The permission dialogs under the retell catalogue, which the default one does not show: Edit
 * permissions, and the grid's dash where an action-only resource has no Read. No serious axe
 * violation in either theme (e2e/accessibility.spec.ts covers every other screen).
 */
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations } from '../support/axe';
import { adminOnEmptyProject, chooseTheme } from '../support/console';
import { createKeys } from '../support/seed';

// axe-core is injected into the page, which the console's Content-Security-Policy would refuse.
test.use({ bypassCSP: true });

async function check(page: Page, where: string) {
  expect.soft(await seriousViolations(page), `axe on ${where}`).toEqual([]);
}

for (const { theme, system } of [
  { theme: 'Light', system: 'dark' },
  { theme: 'Dark', system: 'light' },
] as const) {
  test(`retell, ${theme.toLowerCase()} theme: the create and edit permissions dialogs`, async ({ page }) => {
    test.slow();
    await page.emulateMedia({ colorScheme: system });
    const { slug } = await adminOnEmptyProject(page);
    await createKeys(slug, 'Agent bot', 1);
    await page.reload();
    await chooseTheme(page, theme);

    await page.getByRole('button', { name: 'Create API key' }).click();
    const create = page.getByRole('dialog', { name: 'Create API key' });
    await create.getByRole('switch', { name: 'Restrict permissions' }).click();
    await expect(create.getByText('No Read level').first()).toBeAttached();
    await check(page, 'the create dialog, restricted, with action-only resources');
    await create.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Actions for Agent bot' }).click();
    await page.getByRole('menuitem', { name: 'Edit permissions' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit permissions' });
    await check(page, 'the edit permissions dialog, full access');
    await edit.getByRole('switch', { name: 'Restrict permissions' }).click();
    await edit.getByRole('radiogroup', { name: 'Agent', exact: true }).getByRole('radio', { name: 'Read', exact: true }).check();
    await check(page, 'the edit permissions dialog, restricted');
  });
}
