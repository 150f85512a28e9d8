/** Settings › Team: adding people, set-password links, roles, and the last administrator. */
import { expect, test, type Browser } from '@playwright/test';
import { recordSecret, seedProject, seedUser, signIn, uniqueName, type SeededUser } from './support/seed';

async function asUser(browser: Browser, baseURL: string | undefined, user: SeededUser, path: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, user, `/login?callbackUrl=${encodeURIComponent(path)}`);
  return { page, close: () => context.close() };
}

test('a new member gets a single-use set-password link, sets a password and signs in', async ({ page, browser, baseURL }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/team`);
  await expect(page.getByRole('heading', { name: 'Team' })).toBeVisible();

  const email = `${uniqueName('new')}@e2e.test`;
  await page.getByRole('button', { name: 'Add member' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add member' });
  await dialog.getByLabel('Email').fill('not an email');
  await dialog.getByRole('button', { name: 'Add member' }).click();
  await expect(dialog.getByText('Enter a valid email address.')).toBeVisible();
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByRole('button', { name: 'Add member' }).click();

  const share = page.getByRole('dialog', { name: 'Share the set-password link' });
  const link = await share.getByLabel('Set-password link').inputValue();
  recordSecret(link.split('#token=')[1]!);
  expect(link).toMatch(new RegExp(`^${baseURL}/set-password#token=[A-Za-z0-9_-]{43}$`));
  await share.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Invited');

  const visitor = await browser.newContext({ baseURL });
  const newcomer = await visitor.newPage();
  await newcomer.goto(link);
  await expect(newcomer).toHaveURL(/\/set-password$/);
  const password = `pw-${uniqueName('x')}`;
  recordSecret(password);
  await newcomer.getByLabel('New password').fill(password);
  await newcomer.getByLabel('Repeat password').fill(password);
  await newcomer.getByRole('button', { name: 'Set password' }).click();
  await expect(newcomer.getByText('Your password is set.')).toBeVisible();

  // The same link again, in a fresh page load (a hash change alone would not reload the page).
  await newcomer.goto('about:blank');
  await newcomer.goto(link);
  await newcomer.getByLabel('New password').fill('another password');
  await newcomer.getByLabel('Repeat password').fill('another password');
  await newcomer.getByRole('button', { name: 'Set password' }).click();
  await expect(newcomer.getByText(/This link is invalid, has expired or was already used/)).toBeVisible();

  await signIn(newcomer, { email, password }, `/login?callbackUrl=/projects/${project.slug}/settings/team`);
  await expect(newcomer.getByText('Only administrators can manage the team.')).toBeVisible();
  await expect(newcomer.getByRole('button', { name: 'Add member' })).toHaveCount(0);
  await visitor.close();
});

test('a demotion takes effect on the next request, and the last administrator stays', async ({ page, browser, baseURL }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const other = await seedUser(project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/team`);

  const second = await asUser(browser, baseURL, other, `/projects/${project.slug}/settings/api-keys`);
  await expect(second.page.getByRole('button', { name: 'Create API key' }).first()).toBeVisible();

  await page.getByRole('button', { name: `Actions for ${other.email}` }).click();
  await page.getByRole('menuitem', { name: 'Make member' }).click();
  await expect(page.getByRole('row').filter({ hasText: other.email })).toContainText('Member');

  await second.page.reload();
  await expect(second.page.getByText('Only administrators can manage API keys')).toBeVisible();
  await second.close();

  // Now the signed-in admin is the last one: neither demotion nor removal is offered.
  await page.getByRole('button', { name: `Actions for ${admin.email}` }).click();
  await expect(page.getByRole('menuitem', { name: 'Make member' })).toBeDisabled();
  await expect(page.getByRole('menuitem', { name: 'Leave project' })).toBeDisabled();
  await expect(page.getByRole('menu')).toContainText('The last administrator cannot be removed');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: `Actions for ${other.email}` }).click();
  await page.getByRole('menuitem', { name: 'Remove from project' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove member' });
  await confirm.getByRole('button', { name: 'Remove' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: other.email })).toHaveCount(0);
});
