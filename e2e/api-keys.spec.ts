/**
 * Settings › API Keys with the diga catalogue, through the console's contract names, checking
 * what the database holds after each step (through the operator CLI).
 */
import { spawnSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { createKeys, listKeys, seedProject, seedUser, signIn, verify } from './support/seed';

async function adminOnNewProject(page: Page) {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  return project;
}

/** Creates a key through the dialog and returns the secret the show-once dialog displayed. */
async function createThroughDialog(page: Page, name: string, restrict?: Record<string, string>): Promise<string> {
  await page.getByRole('button', { name: 'Create API key' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await dialog.getByLabel('Name').fill(name);
  if (restrict) {
    await dialog.getByRole('switch', { name: 'Restrict permissions' }).click();
    for (const [resource, level] of Object.entries(restrict)) {
      await dialog.getByRole('radiogroup', { name: resource, exact: true }).getByRole('radio', { name: level, exact: true }).check();
    }
  }
  await dialog.getByRole('button', { name: 'Create' }).click();
  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  await expect(saved).toBeVisible();
  const secret = await saved.getByRole('textbox', { name: 'API key' }).inputValue();
  expect(secret).toMatch(/^kw_[0-9A-Za-z]{38}$/);
  return secret;
}

async function expectSecretGone(page: Page, secret: string) {
  expect(await page.content()).not.toContain(secret);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  expect(storage).not.toContain(secret);
}

test('an unrestricted key: warned about, shown once, then gone from the page, storage and reloads', async ({ page }) => {
  const project = await adminOnNewProject(page);
  await expect(page.getByText(/create your first/i)).toBeVisible();

  await page.getByRole('button', { name: 'Create API key' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await expect(dialog.getByText(/security risk/i)).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).or(dialog.getByRole('button', { name: 'Cancel' })).first().click();

  const secret = await createThroughDialog(page, 'Production server');
  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  await expect(saved.getByText(/will not be shown again|won.t be shown again/i)).toBeVisible();

  // Escape asks before the secret is lost.
  await page.keyboard.press('Escape');
  await expect(page.getByText(/Close without saving/i)).toBeVisible();
  await page.getByRole('button', { name: 'Keep open' }).click();
  await expect(saved.getByRole('textbox', { name: 'API key' })).toHaveValue(secret);
  await saved.getByRole('button', { name: 'Done' }).click();
  await expect(saved).toBeHidden();

  const row = page.getByRole('row').filter({ hasText: 'Production server' });
  await expect(row).toContainText('Full access');
  await expectSecretGone(page, secret);
  await page.reload();
  await expect(row).toBeVisible();
  await expectSecretGone(page, secret);

  const [stored] = await listKeys(project.slug);
  expect(stored).toMatchObject({ name: 'Production server', restricted: false, permissions: null });
  expect(secret.startsWith(stored!.start) && secret.endsWith(stored!.last4)).toBe(true);
  expect(await verify(secret)).toMatchObject({ valid: true, code: 'VALID', keyId: stored!.id });
});

test('a restricted key holds exactly the levels chosen in the grid', async ({ page }) => {
  const project = await adminOnNewProject(page);
  const secret = await createThroughDialog(page, 'Call reader', { Calls: 'Read', Contacts: 'Write' });
  await page.getByRole('dialog', { name: 'Save your API key' }).getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Call reader' })).toContainText('Restricted');

  const [stored] = await listKeys(project.slug);
  expect(stored!.restricted).toBe(true);
  expect(stored!.permissions).toMatchObject({ calls: 'read', contacts: 'write', messages: 'none', api_keys: 'none' });
  expect(await verify(secret, { calls: 'read' })).toMatchObject({ code: 'VALID' });
  expect(await verify(secret, { calls: 'write' })).toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS' });
});

test('search, sort and pagination through 60 keys keep their state in the URL', async ({ page }) => {
  const project = await adminOnNewProject(page);
  await createKeys(project.slug, 'Service', 60);
  await page.reload();

  await expect(page.getByText('Page 1 of 6')).toBeVisible();
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/[?&]page=2/);
  await expect(page.getByText('Page 2 of 6')).toBeVisible();
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(page.getByText('Page 1 of 6')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Previous page' })).toBeDisabled();

  await page.getByLabel('Rows per page').selectOption('25');
  await expect(page).toHaveURL(/[?&]pageSize=25/);
  await expect(page.getByText('Page 1 of 3')).toBeVisible();

  await page.getByRole('link', { name: /^Name/ }).click();
  await expect(page).toHaveURL(/[?&]sort=name/);
  const firstNames = await page.getByRole('row').nth(1).innerText();
  expect(firstNames).toContain('Service 01');

  await page.getByRole('searchbox', { name: 'Search keys' }).or(page.getByRole('textbox', { name: 'Search keys' })).first().fill('service 4');
  await expect(page).toHaveURL(/[?&]q=service\+4|q=service%204/);
  await expect(page.getByText('Page 1 of 1')).toBeVisible();
  // "Service 40" … "Service 49"; "Service 04" does not contain "service 4".
  await expect(page.getByRole('row').filter({ hasText: /Service 4\d/ })).toHaveCount(10);
  await expect(page).toHaveURL(/[?&]pageSize=25/);

  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: /Service 4\d/ })).toHaveCount(10);
  await page.getByRole('searchbox', { name: 'Search keys' }).or(page.getByRole('textbox', { name: 'Search keys' })).first().fill('no such key');
  await expect(page.getByText(/No keys match/)).toBeVisible();
});

test('delete asks first, then the key is gone and stops verifying at once', async ({ page }) => {
  const project = await adminOnNewProject(page);
  const secret = await createThroughDialog(page, 'Short-lived');
  await page.getByRole('dialog', { name: 'Save your API key' }).getByRole('button', { name: 'Done' }).click();

  await page.getByRole('button', { name: 'Actions for Short-lived' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete API key' });
  await expect(confirm).toContainText('Short-lived');
  await expect(confirm).toContainText(/permanent/i);
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('row').filter({ hasText: 'Short-lived' })).toHaveCount(0);

  expect(await listKeys(project.slug)).toEqual([]);
  expect(await verify(secret)).toMatchObject({ valid: false, code: 'NOT_FOUND' });
});

test('the webhook key badge moves from one key to another', async ({ page }) => {
  const project = await adminOnNewProject(page);
  await createKeys(project.slug, 'Signer', 2);
  await page.reload();

  for (const name of ['Signer 1', 'Signer 2']) {
    await page.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Set as webhook key' }).click();
    const confirm = page.getByRole('dialog');
    if (await confirm.isVisible().catch(() => false)) await confirm.getByRole('button', { name: /Set as webhook key|Confirm/ }).click();
    await expect(page.getByRole('row').filter({ hasText: name })).toContainText('Webhook key');
  }
  await expect(page.getByRole('row').filter({ hasText: 'Signer 1' })).not.toContainText('Webhook key');
  const stored = await listKeys(project.slug);
  expect(stored.filter((key) => key.webhook).map((key) => key.name)).toEqual(['Signer 2']);
});

test('diga keys cannot have their permissions edited: the menu says a new key is needed', async ({ page }) => {
  const project = await adminOnNewProject(page);
  await createKeys(project.slug, 'Fixed', 1);
  await page.reload();
  await page.getByRole('button', { name: 'Actions for Fixed' }).click();
  await expect(page.getByRole('menuitem', { name: 'Rotate' })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Edit permissions' })).toHaveCount(0);
  await expect(page.getByRole('menu')).toContainText(/new key/i);
  expect(project.slug).toBeTruthy();
});

test('rotation with a grace period: both secrets work until it ends, then only the new one', async ({ page }) => {
  const project = await adminOnNewProject(page);
  const [original] = await createKeys(project.slug, 'Rotating', 1);
  await page.reload();

  await page.getByRole('button', { name: 'Actions for Rotating' }).click();
  await page.getByRole('menuitem', { name: 'Rotate' }).click();
  const dialog = page.getByRole('dialog', { name: 'Rotate API key' });
  await dialog.getByRole('radio', { name: '1 hour' }).check();
  await dialog.getByRole('button', { name: 'Rotate' }).click();
  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  const secret = await saved.getByRole('textbox', { name: 'API key' }).inputValue();
  expect(secret).not.toBe(original!.secret);
  await saved.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Rotating' })).toContainText(/Previous secret expires/i);

  const inTwoHours = new Date(Date.now() + 2 * 3600_000).toISOString();
  expect(await verify(original!.secret)).toMatchObject({ code: 'VALID' });
  expect(await verify(secret)).toMatchObject({ code: 'VALID' });
  expect(await verify(original!.secret, undefined, inTwoHours)).toMatchObject({ valid: false });
  expect(await verify(secret, undefined, inTwoHours)).toMatchObject({ code: 'VALID' });
  await expectSecretGone(page, secret);
});

test('after the dialog closes, no later response carries the secret: refreshes, reloads, navigation', async ({ page }) => {
  const project = await adminOnNewProject(page);
  const secret = await createThroughDialog(page, 'Watched');
  const bodies: string[] = [];
  page.on('response', (response) => {
    void response.text().then((text) => bodies.push(text), () => undefined);
  });
  await page.getByRole('dialog', { name: 'Save your API key' }).getByRole('button', { name: 'Done' }).click();
  await page.getByRole('link', { name: 'General' }).click();
  await expect(page.getByRole('heading', { name: 'General' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('row').filter({ hasText: 'Watched' })).toBeVisible();
  await page.reload();
  await page.goto(`/projects/${project.slug}/settings/api-keys?q=watch`);
  await expect(page.getByRole('row').filter({ hasText: 'Watched' })).toBeVisible();
  await expect.poll(() => bodies.length).toBeGreaterThan(2);
  for (const body of bodies) expect(body).not.toContain(secret);
  await expectSecretGone(page, secret);
});

test('a whole category is set at once, and "Copy" says the key was copied', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const project = await adminOnNewProject(page);
  await page.getByRole('button', { name: 'Create API key' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create API key' });
  await dialog.getByLabel('Name').fill('Category writer');
  await dialog.getByRole('switch', { name: 'Restrict permissions' }).click();
  const setAll = dialog.getByRole('button', { name: /^Set all .+ to Write$/ }).first();
  const category = (await setAll.getAttribute('aria-label'))!.replace(/^Set all (.+) to Write$/, '$1');
  await setAll.click();
  const section = dialog.getByRole('region', { name: category, exact: true });
  const groups = section.getByRole('radiogroup');
  const resources = await groups.count();
  expect(resources).toBeGreaterThan(0);
  for (let i = 0; i < resources; i++) await expect(groups.nth(i).getByRole('radio', { name: 'Write', exact: true })).toBeChecked();
  await dialog.getByRole('button', { name: 'Create' }).click();

  const saved = page.getByRole('dialog', { name: 'Save your API key' });
  const secret = await saved.getByRole('textbox', { name: 'API key' }).inputValue();
  await saved.getByRole('button', { name: 'Copy' }).click();
  await expect(saved.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await saved.getByRole('button', { name: 'Done' }).click();

  const [stored] = await listKeys(project.slug);
  const granted = Object.entries(stored!.permissions ?? {}).filter(([, level]) => level === 'write');
  expect(granted.length).toBe(resources);
});

test('deleting the webhook key warns that signed webhooks stop', async ({ page }) => {
  const project = await adminOnNewProject(page);
  await createKeys(project.slug, 'Signing', 1);
  await page.reload();
  await page.getByRole('button', { name: 'Actions for Signing' }).click();
  await page.getByRole('menuitem', { name: 'Set as webhook key' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Signing' })).toContainText('Webhook key');
  await page.getByRole('button', { name: 'Actions for Signing' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete API key' });
  await expect(confirm).toContainText(/Signed webhooks stop/);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  expect(await listKeys(project.slug)).toHaveLength(1);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the list is read, searched and paged through plain links and forms', async ({ page }) => {
    const project = await seedProject();
    const admin = await seedUser(project.slug, 'admin');
    await createKeys(project.slug, 'Plain', 12);
    // Sign in with JavaScript in another page of the same context, then read without it.
    const context = page.context();
    const scripted = await context.browser()!.newContext({ storageState: undefined });
    const signInPage = await scripted.newPage();
    await signIn(signInPage, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
    await context.addCookies(await scripted.cookies());
    await scripted.close();

    await page.goto(`/projects/${project.slug}/settings/api-keys`);
    await expect(page.getByText('Page 1 of 2')).toBeVisible();
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect(page).toHaveURL(/[?&]page=2/);
    await expect(page.getByText('Page 2 of 2')).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search keys' }).fill('plain 07');
    await page.getByRole('searchbox', { name: 'Search keys' }).press('Enter');
    await expect(page).toHaveURL(/[?&]q=plain/);
    await expect(page.getByRole('row').filter({ hasText: /Plain \d\d/ })).toHaveCount(1);
    await page.getByRole('link', { name: /^Name/ }).click();
    await expect(page).toHaveURL(/[?&]sort=name/);
  });
});

test('a member sees that only administrators manage keys, and no keys', async ({ page }) => {
  const project = await seedProject();
  const member = await seedUser(project.slug, 'member');
  await createKeys(project.slug, 'Hidden', 1);
  await signIn(page, member, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
  await expect(page.getByText('Only administrators can manage API keys')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Hidden' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Create API key' })).toHaveCount(0);
});

test('"Using your key" gives a curl call to this deployment that verifies a real key', async ({ page, baseURL }) => {
  const project = await adminOnNewProject(page);
  const [key] = await createKeys(project.slug, 'Curl', 1);
  await page.reload();
  await page.getByText('Using your key').click();
  const snippet = await page.getByLabel('Verify a key with curl').inputValue();
  expect(snippet).toContain(`${baseURL}/api/v1/keys/verify`);
  expect(snippet).not.toContain(key!.secret);
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByText('Copied to the clipboard.').or(page.getByText(/Selected: press Ctrl\+C/))).toBeVisible();

  const run = spawnSync('bash', ['-c', snippet], { env: { ...process.env, KEYWARD_API_KEY: key!.secret }, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, code: 'VALID', keyId: key!.id });
});
