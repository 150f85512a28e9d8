/**
 * A key's limits through the console (DESIGN.md "Limits"): set in the create dialog's "Limits"
 * section, shown in the table ("Limited", the uses left) and on the key's page, edited under the
 * default catalogue (where permissions are not editable), refused line by line when an address is
 * not one — and held by verify over real HTTP. What each step wrote is read from the database.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { testAddress } from './api/helpers';
import { adminOnEmptyProject, apiKeysPath } from './support/console';
import { auditEvents, listKeys, recordSecret } from './support/seed';

type LimitsJson = { allowedAddresses: string[] | null; rateLimit: unknown; usage: unknown };

const limitsOf = async (slug: string, name: string): Promise<LimitsJson> => {
  const key = (await listKeys(slug)).find((listed) => listed.name === name);
  expect(key, `${name} is stored`).toBeDefined();
  const { allowedAddresses, rateLimit, usage } = key as unknown as LimitsJson;
  return { allowedAddresses, rateLimit, usage };
};

async function verifyFrom(request: APIRequestContext, key: string, clientAddress: string) {
  const response = await request.post('/api/v1/keys/verify', { data: { key, clientAddress }, headers: { 'x-forwarded-for': testAddress() } });
  expect(response.status()).toBe(200);
  return (await response.json()) as { valid: boolean; code: string };
}

const ALL_LIMITS = {
  allowedAddresses: ['203.0.113.0/24', '2001:db8::/32'],
  rateLimit: { limit: 100, windowSeconds: 60 },
  usage: { remaining: 412, refill: { amount: 1000, interval: 'month' } },
};

test('a key with all three limits: created, listed, shown on its page, edited, and held by verify', async ({ page, request }) => {
  test.slow();
  const { slug } = await adminOnEmptyProject(page);

  await page.getByRole('button', { name: 'Create API key' }).click();
  const create = page.getByRole('dialog', { name: 'Create API key' });
  await create.getByLabel('Name').fill('Partner gateway');
  const addresses = create.getByRole('textbox', { name: 'Allowed IP addresses' });
  await addresses.fill('203.0.113.0/24\n2001:db8::/32\nnot-an-address\n0.0.0.0/0');
  await create.getByRole('spinbutton', { name: 'Requests' }).fill('100');
  await create.getByRole('combobox', { name: 'Per' }).selectOption('Minute');
  await create.getByRole('spinbutton', { name: 'Uses' }).fill('412');
  await expect(create.getByRole('spinbutton', { name: 'Refill amount' })).toHaveCount(0);
  await create.getByRole('combobox', { name: 'Refill' }).selectOption('Monthly');
  await create.getByRole('spinbutton', { name: 'Refill amount' }).fill('1000');

  // Each bad line is named, the whole-internet range with its reason, and nothing is created.
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(create.getByText('line 3: not an address or range')).toBeVisible();
  await expect(create.getByText('line 4: 0.0.0.0/0 allows every address: leave the list empty instead')).toBeVisible();
  await expect(addresses).toHaveAttribute('aria-invalid', 'true');
  await expect(addresses).toHaveAccessibleDescription(/line 3: not an address or range/);
  expect(await listKeys(slug)).toEqual([]);

  await addresses.fill('203.0.113.0/24\n2001:db8::/32');
  await create.getByRole('button', { name: 'Create' }).click();
  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  const secret = await saved.getByRole('textbox', { name: 'API key' }).inputValue();
  recordSecret(secret);
  await saved.getByRole('button', { name: 'Done' }).click();
  await expect(saved).toBeHidden();
  expect(await limitsOf(slug, 'Partner gateway')).toEqual(ALL_LIMITS);

  // The table: permissions as before, then the badge and the uses left.
  const row = page.getByRole('row').filter({ hasText: 'Partner gateway' });
  const permissionsCell = row.getByRole('cell').filter({ hasText: 'Full access' });
  await expect(permissionsCell).toContainText('Limited');
  await expect(permissionsCell).toContainText('412 uses left');
  // At a laptop's width (the suite's 1280 px), in view without scrolling the table sideways.
  await expect(permissionsCell).toBeInViewport({ ratio: 1 });

  // The key's page lists each limit.
  await row.getByRole('link', { name: 'Partner gateway' }).click();
  await expect(page.getByRole('heading', { name: 'Partner gateway' })).toBeVisible();
  const limits = page.getByRole('region', { name: 'Limits' });
  await expect(limits.getByRole('listitem')).toHaveText(['203.0.113.0/24', '2001:db8::/32']);
  await expect(limits).toContainText('100 requests per minute');
  await expect(limits).toContainText('412 of 1,000 uses left, refills 1,000 monthly');

  // Edit under diga, where permissions are fixed: clearing Requests removes the rate limit only.
  await page.getByRole('button', { name: 'Actions for Partner gateway' }).click();
  await page.getByRole('menuitem', { name: 'Edit limits' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit limits' });
  await expect(edit.getByRole('radiogroup')).toHaveCount(0);
  await expect(edit.getByRole('textbox', { name: 'Allowed IP addresses' })).toHaveValue('203.0.113.0/24\n2001:db8::/32');
  await expect(edit.getByRole('spinbutton', { name: 'Uses' })).toHaveValue('412');
  await expect(edit.getByRole('combobox', { name: 'Refill' })).toHaveValue('month');
  await expect(edit.getByRole('spinbutton', { name: 'Refill amount' })).toHaveValue('1000');
  const requests = edit.getByRole('spinbutton', { name: 'Requests' });
  await expect(requests).toHaveValue('100');
  await requests.fill('');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();
  await expect(limits.getByRole('definition')).toHaveText([/^203\.0\.113\.0\/24/, 'Unlimited', '412 of 1,000 uses left, refills 1,000 monthly']);
  expect(await limitsOf(slug, 'Partner gateway')).toEqual({ ...ALL_LIMITS, rateLimit: null });
  // Only what changed was sent, and the audit log has its old and new value.
  const [updated] = (await auditEvents(slug)).filter((event) => event.action === 'api_key.updated');
  expect(updated!.metadata).toEqual({ rateLimit: { from: { limit: 100, windowSeconds: 60 }, to: null } });

  // A bad line in the edit dialog: named, and nothing changed.
  await page.getByRole('button', { name: 'Actions for Partner gateway' }).click();
  await page.getByRole('menuitem', { name: 'Edit limits' }).click();
  await edit.getByRole('textbox', { name: 'Allowed IP addresses' }).fill('203.0.113.0/24\nexample.com');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit.getByText('line 2: not an address or range')).toBeVisible();
  await edit.getByRole('button', { name: 'Cancel' }).click();
  await expect(edit).toBeHidden();
  expect(await limitsOf(slug, 'Partner gateway')).toEqual({ ...ALL_LIMITS, rateLimit: null });
  expect((await auditEvents(slug)).filter((event) => event.action === 'api_key.updated')).toHaveLength(1);

  // Verify, over HTTP, with the secret the dialog showed: the service's client decides.
  expect(await verifyFrom(request, secret, '198.51.100.7')).toMatchObject({ valid: false, code: 'ADDRESS_NOT_ALLOWED' });
  expect(await verifyFrom(request, secret, '2001:db9::1')).toMatchObject({ valid: false, code: 'ADDRESS_NOT_ALLOWED' });
  expect(await verifyFrom(request, secret, '203.0.113.200')).toMatchObject({ valid: true, code: 'VALID' });
  expect(await verifyFrom(request, secret, '2001:db8:0:1::5')).toMatchObject({ valid: true, code: 'VALID' });
});

test('removing every limit takes the badge away; a usage limit alone shows its uses left', async ({ page }) => {
  const { slug } = await adminOnEmptyProject(page);
  await page.getByRole('button', { name: 'Create API key' }).click();
  const create = page.getByRole('dialog', { name: 'Create API key' });
  await create.getByLabel('Name').fill('Metered');
  await create.getByRole('spinbutton', { name: 'Uses' }).fill('1');
  await create.getByRole('button', { name: 'Create' }).click();
  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  recordSecret(await saved.getByRole('textbox', { name: 'API key' }).inputValue());
  await saved.getByRole('button', { name: 'Done' }).click();
  expect(await limitsOf(slug, 'Metered')).toEqual({ allowedAddresses: null, rateLimit: null, usage: { remaining: 1, refill: null } });

  const row = page.getByRole('row').filter({ hasText: 'Metered' });
  await expect(row).toContainText('Limited');
  await expect(row).toContainText('1 use left');

  await page.getByRole('button', { name: 'Actions for Metered' }).click();
  await page.getByRole('menuitem', { name: 'Edit limits' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit limits' });
  await edit.getByRole('spinbutton', { name: 'Uses' }).fill('');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();
  await expect(row).not.toContainText('Limited');
  await expect(row).not.toContainText('use left');
  expect(await limitsOf(slug, 'Metered')).toEqual({ allowedAddresses: null, rateLimit: null, usage: null });

  await page.goto(`${apiKeysPath(slug)}/${(await listKeys(slug))[0]!.id}`);
  await expect(page.getByRole('region', { name: 'Limits' })).toContainText('Any address');
});
