/**
 * Screens of the console as the accessibility, keyboard and contract-name tests walk them: a
 * project seeded empty or full (keys restricted and not, one expiring soon, one rotated with its
 * old secret still running, the webhook key, more keys than one page), an administrator signed
 * in on it, and the theme chosen from the user menu.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { client, rootKey, verifyOverHttp } from '../api/helpers';
import { createKeys, seedProject, seedUser, signIn, type SeededUser } from './seed';

export type Theme = 'System' | 'Light' | 'Dark';

export const apiKeysPath = (slug: string) => `/projects/${slug}/settings/api-keys`;

/** A project of its own with an administrator signed in on its (empty) API Keys page. */
export async function adminOnEmptyProject(page: Page): Promise<{ slug: string; admin: SeededUser }> {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=${encodeURIComponent(apiKeysPath(project.slug))}`);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  return { slug: project.slug, admin };
}

export type FullProject = { slug: string; restrictedId: string };

/**
 * Fills the project with every kind of row the table draws: "Billing sync" (restricted, used,
 * expiring in 3 days, the webhook key, limited: the tests' addresses only, a rate and uses), "Reporting" (rotated, the old secret good for an hour),
 * "root" (full access) and 12 "Service" keys, so that the table has two pages.
 */
export async function fillProject(request: APIRequestContext, slug: string): Promise<FullProject> {
  // The older keys first, so that the ones of note are the newest, on the first page.
  await createKeys(slug, 'Service', 12);
  const api = client(request, (await rootKey(slug)).secret);
  const rotated = await api.create({ name: 'Reporting' });
  expect((await api.post(`/keys/${rotated.id}/rotate`, { gracePeriodSeconds: 3600 })).status()).toBe(200);
  const restricted = await api.create({
    name: 'Billing sync',
    permissions: { calls: 'read', contacts: 'write' },
    expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    // testAddress()'s range, which the verifications below come from.
    allowedAddresses: ['198.18.0.0/15', '2001:db8::/32'],
    rateLimit: { limit: 100, windowSeconds: 60 },
    usage: { remaining: 1000, refill: { amount: 1000, interval: 'month' } },
  });
  for (let i = 0; i < 3; i++) expect((await verifyOverHttp(request, restricted.key, { calls: 'read' }, api.address)).body.code).toBe('VALID');
  expect((await api.put('/webhook-key', { keyId: restricted.id })).status()).toBe(200);
  return { slug, restrictedId: restricted.id };
}

/** Picks "Theme: …" in the user menu and waits until the page wears it. */
export async function chooseTheme(page: Page, theme: Theme): Promise<void> {
  await page.getByRole('button', { name: 'User menu' }).click();
  await page.getByRole('menuitemradio', { name: theme }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme.toLowerCase());
}

/** Whether the page is drawn dark: its background, whatever the theme setting says. */
export async function looksDark(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    // Whatever notation the browser reports (rgb, lab, oklch), a canvas turns it into RGB.
    const context = document.createElement('canvas').getContext('2d')!;
    context.fillStyle = getComputedStyle(document.body).backgroundColor;
    context.fillRect(0, 0, 1, 1);
    const [r, g, b] = context.getImageData(0, 0, 1, 1).data;
    return (r! + g! + b!) / 3 < 128;
  });
}
