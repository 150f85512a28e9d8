/**
 * Keys that warn before they expire, in the console: "Expires in N days" in the table, the API
 * Keys banner and its `?expiring=7d` filter (with search, and back to all keys), and the two
 * notices as choices of the Webhooks page and of the audit log's action filter.
 */
import { expect, test, type Page } from '@playwright/test';
import { createKeys, seedProject, seedUser, signIn } from './support/seed';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const inFromNow = (ms: number) => new Date(Date.now() + ms);

async function adminOn(page: Page, slug: string, path = 'api-keys') {
  const admin = await seedUser(slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${slug}/settings/${path}`);
  // Anchored past the origin: the login page's own URL ends with the same path (its callbackUrl).
  await expect(page).toHaveURL(new RegExp(`^https?://[^/]+/projects/${slug}/settings/${path}$`));
}

const rows = (page: Page) => page.getByRole('table').getByRole('row').filter({ has: page.getByRole('cell') });
const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search keys' });

test('the API Keys page counts the keys that expire within 7 days, says when each does, and its banner lists just those', async ({ page }) => {
  const project = await seedProject();
  await createKeys(project.slug, 'Soon', 2, inFromNow(3 * DAY - HOUR));
  await createKeys(project.slug, 'Tomorrow', 1, inFromNow(20 * HOUR));
  await createKeys(project.slug, 'Later', 1, inFromNow(30 * DAY));
  await createKeys(project.slug, 'Forever', 1);
  await adminOn(page, project.slug);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();

  await expect(rows(page)).toHaveCount(5);
  await expect(rows(page).filter({ hasText: 'Soon 1' })).toContainText('Expires in 3 days');
  await expect(rows(page).filter({ hasText: 'Tomorrow' })).toContainText('Expires in 1 day');
  await expect(rows(page).filter({ hasText: 'Later' })).not.toContainText('Expires in');
  await expect(rows(page).filter({ hasText: 'Forever' })).toContainText('Never');

  const banner = page.getByRole('link', { name: '3 keys expire within 7 days' });
  await expect(banner).toBeVisible();
  await banner.click();
  await expect(page).toHaveURL(/[?&]expiring=7d(&|$)/);
  await expect(page.getByText('Showing only keys that expire within 7 days')).toBeVisible();
  await expect(rows(page)).toHaveCount(3);
  await expect(rows(page).filter({ hasText: /Later|Forever/ })).toHaveCount(0);
  await expect(page.getByText('Page 1 of 1')).toBeVisible();
  await expect(page.getByText('3 keys', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: /keys? expires? within/ })).toHaveCount(0);
});

test('the expiring filter combines with a search, and leads back to all keys', async ({ page }) => {
  const project = await seedProject();
  await createKeys(project.slug, 'Soon', 2, inFromNow(2 * DAY));
  await createKeys(project.slug, 'Tomorrow', 1, inFromNow(DAY));
  await createKeys(project.slug, 'Soonish', 1, inFromNow(30 * DAY));
  await createKeys(project.slug, 'Forever', 1);
  await adminOn(page, project.slug);
  await page.goto(`/projects/${project.slug}/settings/api-keys?expiring=7d`);
  await expect(page.getByText('Showing only keys that expire within 7 days')).toBeVisible();
  await expect(rows(page)).toHaveCount(3);

  // A search stays within the filter ("Soonish" expires later), and the filter within a search.
  await searchBox(page).fill('soon');
  await expect(page).toHaveURL(/[?&]q=soon/);
  await expect(page).toHaveURL(/[?&]expiring=7d/);
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).filter({ hasText: /Soonish|Tomorrow/ })).toHaveCount(0);
  await page.reload();
  await expect(rows(page)).toHaveCount(2);
  await searchBox(page).fill('soonish');
  await expect(page.getByText('No keys that expire within 7 days match “soonish”.')).toBeVisible();

  // Back to every key (the search kept), then to all of them.
  await page.getByRole('link', { name: 'Show all keys' }).click();
  await expect(page).not.toHaveURL(/expiring=/);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toContainText('Soonish');
  await searchBox(page).fill('');
  await expect(rows(page)).toHaveCount(5);
  await expect(page.getByRole('link', { name: '3 keys expire within 7 days' })).toBeVisible();
});

test('one key expiring soon is "1 key expires within 7 days"', async ({ page }) => {
  const one = await seedProject();
  await createKeys(one.slug, 'Closing', 1, inFromNow(6 * DAY));
  await createKeys(one.slug, 'Open', 1, inFromNow(8 * DAY));
  await adminOn(page, one.slug);
  await expect(page.getByRole('link', { name: '1 key expires within 7 days' })).toBeVisible();
  await expect(rows(page).filter({ hasText: 'Closing' })).toContainText('Expires in 6 days');
  await expect(rows(page).filter({ hasText: 'Open' })).not.toContainText('Expires in');
});

test('a project with no key expiring soon has no banner, and its filtered list says so', async ({ page }) => {
  const none = await seedProject();
  await createKeys(none.slug, 'Distant', 1, inFromNow(60 * DAY));
  await adminOn(page, none.slug);
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByRole('link', { name: /expires? within/ })).toHaveCount(0);
  await page.goto(`/projects/${none.slug}/settings/api-keys?expiring=7d`);
  await expect(page.getByText('No keys expire within 7 days.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No keys yet' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Show all keys' }).click();
  await expect(rows(page)).toHaveCount(1);
});

test('the audit log’s action filter offers the expiry notices', async ({ page }) => {
  const project = await seedProject();
  await adminOn(page, project.slug, 'audit-log');
  const action = page.getByLabel('Action');
  for (const notice of ['api_key.expiring', 'api_key.expired']) await expect(action.getByRole('option', { name: notice, exact: true })).toHaveCount(1);
  await action.selectOption('api_key.expiring');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/[?&]action=api_key\.expiring/);
  await expect(page.getByLabel('Action')).toHaveValue('api_key.expiring');
});

test('the Webhooks page offers the expiry notices as events, and keeps the choice', async ({ page }) => {
  const project = await seedProject();
  await adminOn(page, project.slug, 'webhooks');
  const expiring = page.getByRole('checkbox', { name: /Key expiring soon/ });
  const expired = page.getByRole('checkbox', { name: /Key expired/ });
  await expect(expiring).toBeChecked();
  await expect(expired).toBeChecked();
  await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/keyward-hooks');
  await expired.uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Endpoint saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('checkbox', { name: /Key expiring soon/ })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: /Key expired/ })).not.toBeChecked();
});
