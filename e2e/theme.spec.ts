/**
 * Dark mode: the console follows the system's colour scheme until someone picks "Theme: Light"
 * or "Dark" in the user menu; the choice is remembered across reloads and pages, and is in the
 * server's first answer (`<html data-theme>`), so no page flashes the other theme first.
 */
import { expect, test } from '@playwright/test';
import { adminOnEmptyProject, apiKeysPath, chooseTheme, looksDark } from './support/console';

test('the console follows the system’s colour scheme while the theme is System', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const { slug } = await adminOnEmptyProject(page);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
  expect(await looksDark(page)).toBe(true);
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await looksDark(page)).toBe(false);

  await page.getByRole('button', { name: 'User menu' }).click();
  await expect(page.getByRole('menuitemradio', { name: 'System' })).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press('Escape');
  await page.goto(`/projects/${slug}/settings/team`);
  expect(await looksDark(page)).toBe(false);
});

test('a theme chosen in the user menu is remembered across reloads, pages and sign-in, from the server’s first answer', async ({ page, playwright, baseURL }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  const { slug } = await adminOnEmptyProject(page);
  expect(await looksDark(page)).toBe(false);

  await chooseTheme(page, 'Dark');
  expect(await looksDark(page)).toBe(true);
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await looksDark(page)).toBe(true);
  await page.getByRole('button', { name: 'User menu' }).click();
  await expect(page.getByRole('menuitemradio', { name: 'Dark' })).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press('Escape');

  // The HTML as the server sends it, before any script: already dark, signed in and signed out.
  const webhooks = await (await page.request.get(`/projects/${slug}/settings/webhooks`)).text();
  expect(webhooks).toMatch(/<html[^>]* data-theme="dark"/);
  const theme = (await page.context().cookies()).find((cookie) => cookie.name === 'keyward-theme');
  expect(theme).toMatchObject({ value: 'dark', path: '/', sameSite: 'Lax' });
  const signedOut = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `keyward-theme=${theme!.value}` } });
  expect(await (await signedOut.get('/login')).text()).toMatch(/<html[^>]* data-theme="dark"/);
  await signedOut.dispose();
  await page.goto(`/projects/${slug}/settings/audit-log`);
  expect(await looksDark(page)).toBe(true);

  // Light overrides a dark system just the same; System hands the choice back.
  await page.emulateMedia({ colorScheme: 'dark' });
  await chooseTheme(page, 'Light');
  await page.goto(apiKeysPath(slug));
  expect(await looksDark(page)).toBe(false);
  await chooseTheme(page, 'System');
  expect(await looksDark(page)).toBe(true);
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
  expect(await looksDark(page)).toBe(true);
});
