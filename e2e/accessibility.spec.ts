/**
 * axe-core (WCAG 2.1 A and AA rules) finds no serious or critical violation on any screen or
 * dialog of the console, in the light theme and in the dark one. Each theme is reached both
 * ways: the sign-in page follows the system's colour scheme; signed in, the user menu's choice
 * overrides a system that says the opposite. Edit permissions, which the default catalogue does
 * not offer, is checked on the retell server (e2e/retell/accessibility.spec.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations } from './support/axe';
import { adminOnEmptyProject, apiKeysPath, chooseTheme, fillProject, looksDark } from './support/console';
import { seedUser } from './support/seed';

// axe-core is injected into the page, which the console's Content-Security-Policy would refuse.
test.use({ bypassCSP: true });

/** Every screen is checked before the test stops, so one run lists every violation. */
async function check(page: Page, where: string) {
  expect.soft(await seriousViolations(page), `axe on ${where}`).toEqual([]);
}

const THEMES = [
  { theme: 'Light', system: 'dark' },
  { theme: 'Dark', system: 'light' },
] as const;

for (const { theme, system } of THEMES) {
  test.describe(`${theme.toLowerCase()} theme`, () => {
    test('sign-in, following the system', async ({ browser }) => {
      // Signed out: a context without the saved administrator.
      const context = await browser.newContext({ bypassCSP: true, colorScheme: theme === 'Dark' ? 'dark' : 'light' });
      const page = await context.newPage();
      await page.goto('/login');
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
      expect(await looksDark(page)).toBe(theme === 'Dark');
      await check(page, 'sign-in');
      // A failed sign-in shows its error.
      await page.getByLabel('Email').fill('nobody@e2e.test');
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('main').getByRole('alert')).toBeVisible();
      await check(page, 'sign-in with an error');
      await context.close();
    });

    test('API Keys, empty: the create dialog with restrictions, then the secret shown once', async ({ page }) => {
      test.slow();
      await page.emulateMedia({ colorScheme: system });
      await adminOnEmptyProject(page);
      await chooseTheme(page, theme);
      expect(await looksDark(page)).toBe(theme === 'Dark');
      await check(page, 'API Keys, empty');

      await page.getByRole('button', { name: 'Create API key' }).click();
      const create = page.getByRole('dialog', { name: 'Create API key' });
      await check(page, 'the create dialog, full access');
      await create.getByLabel('Name').fill('Call reader');
      await create.getByLabel('Expires').selectOption('custom');
      await create.getByRole('switch', { name: 'Restrict permissions' }).click();
      await create.getByRole('radiogroup', { name: 'Calls', exact: true }).getByRole('radio', { name: 'Read' }).check();
      await create.getByRole('radiogroup', { name: 'Contacts', exact: true }).getByRole('radio', { name: 'Write' }).check();
      await check(page, 'the create dialog, restricted');
      // Its Limits section, filled in with mistakes: two bad address lines, a refill without uses.
      await create.getByRole('textbox', { name: 'Allowed IP addresses' }).fill('203.0.113.0/24\nnot-an-address\n0.0.0.0/0');
      await create.getByRole('spinbutton', { name: 'Requests' }).fill('100');
      await create.getByRole('combobox', { name: 'Refill' }).selectOption('Monthly');
      await create.getByRole('spinbutton', { name: 'Refill amount' }).fill('1000');
      await check(page, 'the create dialog, limits filled in');
      // The errors it shows: no expiry date chosen, and the limits'.
      await create.getByRole('button', { name: 'Create' }).click();
      await expect(create.getByText('Choose the date the key expires.')).toBeVisible();
      await expect(create.getByText('line 2: not an address or range')).toBeVisible();
      await expect(create.getByText('Enter the uses the key starts with, or set Refill to Never.')).toBeVisible();
      await check(page, 'the create dialog with errors');
      await create.getByRole('textbox', { name: 'Allowed IP addresses' }).fill('203.0.113.0/24');
      await create.getByRole('spinbutton', { name: 'Uses' }).fill('1000');
      await create.getByLabel('Expires').selectOption('30');
      await create.getByRole('button', { name: 'Create' }).click();

      const saved = page.getByRole('dialog', { name: 'Save your API key' });
      await expect(saved.getByRole('textbox', { name: 'API key' })).toBeVisible();
      await check(page, 'the show-once dialog');
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog', { name: 'Close without saving?' })).toBeVisible();
      await check(page, 'the close-without-saving question');
      await page.getByRole('button', { name: 'Keep open' }).click();
      await saved.getByRole('button', { name: 'Done' }).click();
      await expect(saved).toBeHidden();
    });

    test('API Keys, full: the table, a key’s permissions, the row menu, rotate and delete', async ({ page, request }) => {
      test.slow();
      await page.emulateMedia({ colorScheme: system });
      const { slug } = await adminOnEmptyProject(page);
      await fillProject(request, slug);
      await page.reload();
      await chooseTheme(page, theme);
      await expect(page.getByText('Page 1 of 2')).toBeVisible();
      await check(page, 'API Keys, full');
      await expect(page.getByRole('row').filter({ hasText: 'Billing sync' })).toContainText(/Limited.*uses left/);
      await page.getByRole('button', { name: 'Restricted' }).first().click();
      await expect(page.getByText(/Access to 2 of 19 resources/).first()).toBeVisible();
      await check(page, 'a key’s permissions popover');
      await page.keyboard.press('Escape');
      await page.locator('summary', { hasText: 'Using your key' }).click();
      await check(page, '“Using your key” opened');

      await page.getByRole('button', { name: 'Actions for Billing sync' }).click();
      await expect(page.getByRole('menu')).toBeVisible();
      await check(page, 'the row menu open');
      await page.getByRole('menuitem', { name: 'Rotate' }).click();
      await expect(page.getByRole('dialog', { name: 'Rotate API key' })).toBeVisible();
      await check(page, 'the rotate dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      await page.getByRole('button', { name: 'Actions for Billing sync' }).click();
      await page.getByRole('menuitem', { name: 'Edit limits' }).click();
      await expect(page.getByRole('dialog', { name: 'Edit limits' }).getByRole('spinbutton', { name: 'Refill amount' })).toHaveValue('1000');
      await check(page, 'the edit-limits dialog of a limited key');
      await page.getByRole('dialog').getByRole('spinbutton', { name: 'Requests' }).fill('0');
      await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
      await expect(page.getByRole('dialog').getByText('Requests must be at least 1.')).toBeVisible();
      await check(page, 'the edit-limits dialog with an error');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      await page.getByRole('button', { name: 'Actions for Billing sync' }).click();
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      await expect(page.getByRole('dialog', { name: 'Delete API key' })).toBeVisible();
      await check(page, 'the delete dialog (of the webhook key)');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      await page.getByRole('button', { name: 'Actions for Reporting' }).click();
      await page.getByRole('menuitem', { name: 'Rotate' }).click();
      await page.getByRole('dialog', { name: 'Rotate API key' }).getByRole('button', { name: 'Rotate' }).click();
      await expect(page.getByRole('dialog', { name: 'Save your API key' })).toBeVisible();
      await check(page, 'the show-once dialog after a rotation');
      await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();

      await page.getByRole('searchbox', { name: 'Search keys' }).fill('no such key');
      await expect(page.getByText('No keys match')).toBeVisible();
      await check(page, 'API Keys, nothing found');
    });

    test('the key page and Settings › Usage', async ({ page, request }) => {
      test.slow();
      await page.emulateMedia({ colorScheme: system });
      const { slug } = await adminOnEmptyProject(page);
      const { restrictedId } = await fillProject(request, slug);
      await chooseTheme(page, theme);
      const settings = `/projects/${slug}/settings`;

      await page.goto(`${apiKeysPath(slug)}/${restrictedId}`);
      await expect(page.getByRole('heading', { name: 'Billing sync' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Limits' })).toContainText('100 requests per minute');
      await check(page, 'the key page, with its limits');
      await page.getByRole('button', { name: 'Show as table' }).click();
      await check(page, 'the key page, usage as a table');
      await page.getByRole('button', { name: 'Actions for Billing sync' }).click();
      await check(page, 'the key page’s menu open');
      await page.keyboard.press('Escape');

      await page.goto(`${settings}/usage`);
      await expect(page.getByRole('heading', { name: 'Top keys' })).toBeVisible();
      await check(page, 'Settings › Usage');
    });

    test('Team, Webhooks, Audit log, General and the header’s menus', async ({ page, request }) => {
      test.slow();
      await page.emulateMedia({ colorScheme: system });
      const { slug } = await adminOnEmptyProject(page);
      await fillProject(request, slug);
      await chooseTheme(page, theme);
      const settings = `/projects/${slug}/settings`;

      await page.goto(`${settings}/team`);
      await seedUser(slug, 'member');
      await page.reload();
      await check(page, 'Team');
      await page.getByRole('button', { name: 'Add member' }).click();
      await check(page, 'the add-member dialog');
      await page.getByRole('dialog').getByLabel('Email').fill(`new-${Date.now()}@e2e.test`);
      await page.getByRole('dialog').getByRole('button', { name: 'Add member' }).click();
      await expect(page.getByRole('dialog', { name: 'Share the set-password link' })).toBeVisible();
      await check(page, 'the set-password link dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: /^Actions for member-/ }).click();
      await check(page, 'a member’s menu open');
      await page.getByRole('menuitem', { name: 'Remove from project' }).click();
      await check(page, 'the remove-member dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      await page.goto(`${settings}/webhooks`);
      await check(page, 'Webhooks, no endpoint');
      await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hook');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect(page.getByRole('button', { name: 'Send test event' })).toBeEnabled();
      await page.getByRole('button', { name: 'Send test event' }).click();
      await expect(page.getByRole('table')).toBeVisible();
      await check(page, 'Webhooks, with deliveries');

      await page.goto(`${settings}/audit-log`);
      await expect(page.getByRole('table')).toBeVisible();
      await check(page, 'Audit log');

      await page.goto(`${settings}/general`);
      await check(page, 'General');

      await page.getByRole('button', { name: 'User menu' }).click();
      await check(page, 'the user menu open');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Switch project' }).click();
      await check(page, 'the project switcher open');
    });
  });
}
