/**
 * DESIGN.md's "Console contract": every stable name resolves to exactly one element with
 * Playwright's default matching (a case-insensitive substring), on every screen where it
 * appears — signed out, an empty project, a full one, each dialog, the key page, Usage,
 * Webhooks, Team, Audit log, and a member's view. An outside suite that writes
 * `getByRole('heading', { name: 'API Keys' })` must never meet two.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { presets } from '@/lib/permissions/presets';
import { resourcesOf } from '@/lib/permissions/catalogue';
import { adminOnEmptyProject, apiKeysPath, fillProject } from './support/console';
import { seedProject, seedUser, signIn } from './support/seed';

// Seeding a full project and walking every screen: longer than one page's test.
test.slow();

async function once(...locators: Locator[]) {
  for (const locator of locators) await expect(locator, `${locator} resolves to one element`).toHaveCount(1);
}

const heading = (page: Page | Locator, name: string) => page.getByRole('heading', { name });
const button = (page: Page | Locator, name: string) => page.getByRole('button', { name });

/** A dialog's "Limits" section (Refill amount shows only with a refill). */
async function onceLimits(dialog: Locator) {
  await once(
    dialog.getByRole('group', { name: 'Limits' }),
    dialog.getByRole('textbox', { name: 'Allowed IP addresses' }),
    dialog.getByRole('spinbutton', { name: 'Requests' }),
    dialog.getByRole('combobox', { name: 'Per' }),
    dialog.getByRole('spinbutton', { name: 'Uses' }),
    dialog.getByRole('combobox', { name: 'Refill' }),
  );
}

test('sign-in: Email, Password and Sign in', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/login');
  await once(page.getByLabel('Email'), page.getByLabel('Password'), button(page, 'Sign in'));
  await context.close();
});

test('API Keys, empty then full, with every dialog and the row menu', async ({ page, request }) => {
  const { slug } = await adminOnEmptyProject(page);
  // The empty state: its own heading must not say "API keys".
  await expect(page.getByText(/create your first/i)).toBeVisible();
  await once(heading(page, 'API Keys'), button(page, 'Create API key'));

  await button(page, 'Create API key').click();
  const create = page.getByRole('dialog', { name: 'Create API key' });
  await once(create, page.getByLabel('Name'), page.getByRole('switch', { name: 'Restrict permissions' }), button(page, 'Create'));
  await onceLimits(create);
  await create.getByRole('combobox', { name: 'Refill' }).selectOption('Daily');
  await once(create.getByRole('spinbutton', { name: 'Refill amount' }));
  await create.getByRole('combobox', { name: 'Refill' }).selectOption('Never');
  await page.getByRole('switch', { name: 'Restrict permissions' }).click();
  for (const resource of resourcesOf(presets.diga!)) {
    const group = page.getByRole('radiogroup', { name: resource.label });
    await once(group, group.getByRole('radio', { name: 'No access' }), group.getByRole('radio', { name: 'Read' }), group.getByRole('radio', { name: 'Write' }));
  }
  await page.getByLabel('Name').fill('First');
  await button(page, 'Create').click();
  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  await once(saved, page.getByRole('textbox', { name: 'API key' }), button(page, 'Copy'), button(page, 'Done'));
  await button(page, 'Done').click();

  await fillProject(request, slug);
  await page.reload();
  await expect(page.getByText('Page 1 of 2')).toBeVisible();
  await once(
    heading(page, 'API Keys'),
    button(page, 'Create API key'),
    page.getByRole('searchbox', { name: 'Search keys' }),
    button(page, 'Previous page'),
    button(page, 'Next page'),
    page.getByText('Page 1 of 2'),
    page.getByLabel('Rows per page'),
    page.getByText('Webhook key'),
    page.getByText('Limited'),
    button(page, 'Actions for Billing sync'),
  );
  for (const column of ['Name', 'Key ID', 'Created', 'Last used', 'Permissions']) await once(page.getByRole('columnheader', { name: column }));
  // "Key" is a substring of the contract's own "Key ID": only an exact match can tell them apart.
  await once(page.getByRole('columnheader', { name: 'Key', exact: true }));

  await button(page, 'Actions for Billing sync').click();
  for (const item of ['Edit limits', 'Rotate', 'Set as webhook key', 'Delete']) await once(page.getByRole('menuitem', { name: item }));
  await page.getByRole('menuitem', { name: 'Edit limits' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit limits' });
  await once(edit, button(page, 'Save'));
  await onceLimits(edit);
  await once(edit.getByRole('spinbutton', { name: 'Refill amount' }));
  await button(page, 'Cancel').click();
  await button(page, 'Actions for Billing sync').click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await once(page.getByRole('dialog', { name: 'Delete API key' }), button(page, 'Delete'));
  await button(page, 'Cancel').click();

  // A search that finds nothing, then a member's view.
  await page.getByRole('searchbox', { name: 'Search keys' }).fill('nothing like it');
  await expect(page.getByText(/No keys match/)).toBeVisible();
  await once(heading(page, 'API Keys'), button(page, 'Create API key'), page.getByRole('searchbox', { name: 'Search keys' }));
});

test('a member sees why, once', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const project = await seedProject();
  const member = await seedUser(project.slug, 'member');
  await signIn(page, member, `/login?callbackUrl=${encodeURIComponent(apiKeysPath(project.slug))}`);
  await once(heading(page, 'API Keys'), page.getByText('Only administrators can manage API keys'));
  await context.close();
});

test('the key page, Usage, Webhooks, Team and Audit log', async ({ page, request }) => {
  const { slug } = await adminOnEmptyProject(page);
  const { restrictedId } = await fillProject(request, slug);
  const settings = `/projects/${slug}/settings`;

  await page.goto(`${apiKeysPath(slug)}/${restrictedId}`);
  await once(
    heading(page, 'Billing sync'),
    heading(page, 'Usage'),
    heading(page, 'History'),
    heading(page, 'Limits'),
    page.getByRole('img', { name: 'Verifications, last 24 hours' }),
    button(page, '24 hours'),
    button(page, '7 days'),
    button(page, '30 days'),
    button(page, 'Show as table'),
    button(page, 'Actions for Billing sync'),
  );
  await button(page, 'Show as table').click();
  await once(page.getByRole('columnheader', { name: 'Time' }));

  await page.goto(`${settings}/usage`);
  await once(heading(page, 'Usage'), heading(page, 'Top keys'), page.getByRole('img', { name: 'Verifications, last 24 hours' }));

  await page.goto(`${settings}/webhooks`);
  await once(heading(page, 'Webhooks'), page.getByLabel('Endpoint URL'), button(page, 'Save'), button(page, 'Send test event'));

  await page.goto(`${settings}/team`);
  await once(heading(page, 'Team'), button(page, 'Add member'));

  await page.goto(`${settings}/audit-log`);
  await once(heading(page, 'Audit log'));
});
