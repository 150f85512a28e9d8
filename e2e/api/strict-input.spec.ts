/**
 * Strict input: fields a client must not set are refused, and key names that could deceive or
 * break a page are refused — or, for markup, stored as text and shown inert in the console.
 */
import { expect, test } from '@playwright/test';
import { listKeys, seedProject, seedUser, signIn } from '../support/seed';
import { client, rootKey } from './helpers';

const FORBIDDEN_FIELDS = { projectId: '00000000-0000-0000-0000-000000000000', isWebhookKey: true, webhook: true, createdBy: 'someone', secret: 'kw_x', key: 'kw_x', id: 'key_mine' };

/** The keys as a change would leave them: the calls' own use of the root key (last used) is no change. */
async function keysOf(projectSlug: string) {
  return (await listKeys(projectSlug)).map((key) => ({ ...key, lastUsedAt: undefined }));
}

test('fields a client must not set are refused on create, edit and rotate, and nothing changes', async ({ request }) => {
  const project = await seedProject();
  const root = await rootKey(project.slug);
  const api = client(request, root.secret);
  const before = await keysOf(project.slug);
  for (const [field, value] of Object.entries(FORBIDDEN_FIELDS)) {
    const created = await api.post('/keys', { name: 'Sneaky', [field]: value });
    expect(created.status(), field).toBe(400);
    expect(((await created.json()) as { error: { fields: Record<string, string[]> } }).error.fields).toHaveProperty(field);
    expect((await api.patch(`/keys/${root.id}`, { name: 'Renamed', [field]: value })).status(), field).toBe(400);
    expect((await api.post(`/keys/${root.id}/rotate`, { gracePeriodSeconds: 0, [field]: value })).status(), field).toBe(400);
  }
  expect((await api.put('/webhook-key', { keyId: root.id, projectId: FORBIDDEN_FIELDS.projectId })).status()).toBe(400);
  expect(await keysOf(project.slug)).toEqual(before);
});

test('names that are empty, too long, or carry control or text-direction characters are refused', async ({ request }) => {
  const project = await seedProject();
  const api = client(request, (await rootKey(project.slug)).secret);
  const refused = ['', '     ', 'x'.repeat(101), 'x'.repeat(10_000), 'evil\u202Egnp.exe', 'right\u200Fto-left', 'bell\u0007', 'nul\u0000', 'line\nbreak', 'isolate\u2066x\u2069'];
  for (const name of refused) {
    const response = await api.post('/keys', { name });
    expect(response.status(), JSON.stringify(name)).toBe(400);
    expect(((await response.json()) as { error: { fields: Record<string, string[]> } }).error.fields.name).toBeDefined();
  }
  expect((await listKeys(project.slug)).map((key) => key.name)).toEqual(['root']);
});

test('markup in a name is stored as text and shown inert in the console', async ({ request, page }) => {
  const project = await seedProject();
  const api = client(request, (await rootKey(project.slug)).secret);
  const name = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
  await api.create({ name });
  const admin = await seedUser(project.slug, 'admin');
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
  await expect(page.getByRole('row').filter({ hasText: '<img src=x' })).toBeVisible();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await expect(page.getByRole('dialog', { name: 'Delete API key' })).toContainText('<script>');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toBe(0);
});

test('the create dialog refuses a blank or overlong name with a clear message, and creates nothing', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
  await page.getByRole('button', { name: 'Create API key' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await dialog.getByLabel('Name').fill('   ');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByText('Name is required.')).toBeVisible();
  await dialog.getByLabel('Name').fill('y'.repeat(150));
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByText('Name must be at most 100 characters.')).toBeVisible();
  await dialog.getByLabel('Name').fill('tab\there');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByText('Name cannot contain control or text-direction characters.')).toBeVisible();
  expect(await listKeys(project.slug)).toEqual([]);
});
