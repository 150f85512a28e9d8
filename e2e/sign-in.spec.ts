import { expect, test } from '@playwright/test';
import { seedProject, seedUser, signIn } from './support/seed';

test('a signed-out visit goes to /login and comes back after signing in', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const target = `/projects/${project.slug}/settings/general`;

  await page.goto(target);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(new RegExp(`${target}$`));
  await expect(page.getByRole('heading', { name: 'General' })).toBeVisible();
});

test('a session cookie this server cannot read (another server\'s, on the same host) leads to a working sign-in, not a loop', async ({ page, baseURL }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  const target = `/projects/${project.slug}/settings/general`;
  // Cookies ignore ports: a server on another port of 127.0.0.1 with its own AUTH_SECRET sets one.
  await page.context().addCookies([{ name: 'authjs.session-token', value: 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..unreadable', url: baseURL! }]);
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });

  await page.goto(target);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'General' })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${target}$`));
  // To the sign-in page once, and back once: no bouncing between the two.
  expect(navigations.filter((url) => url.includes('/login')).length, navigations.join('\n')).toBeLessThanOrEqual(2);
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, { email: admin.email, password: 'not-the-password' });
  await expect(page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  // The email stays filled in; the password does not.
  await expect(page.getByLabel('Email')).toHaveValue(admin.email);
  await expect(page.getByLabel('Password')).toHaveValue('');
});

test('after five failures even the right password waits, and the wait is shown', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  for (let attempt = 0; attempt < 5; attempt++) {
    await signIn(page, { email: admin.email, password: `wrong-${attempt}` });
    await expect(page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' })).toBeVisible();
  }
  await signIn(page, admin);
  await expect(page.getByRole('alert').filter({ hasText: /Too many attempts, try again in \d+ s\./ })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test('signing out ends the session', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, admin);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'User menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);

  await page.goto(`/projects/${project.slug}/settings/api-keys`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  const cookies = await page.context().cookies();
  expect(cookies.find((cookie) => cookie.name.includes('session-token'))).toBeUndefined();
});

test('signing out ends the session for every copy of its cookie', async ({ page, browser }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, admin);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  // Someone copies the session cookie (a shared machine, a stolen backup of the profile).
  const copied = await page.context().cookies();
  expect(copied.some((cookie) => cookie.name.includes('session-token'))).toBe(true);

  const elsewhere = await browser.newContext();
  await elsewhere.addCookies(copied);
  const other = await elsewhere.newPage();
  await other.goto(`/projects/${project.slug}/settings/api-keys`);
  await expect(other.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'User menu' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);

  // The copy is worth nothing now: pages send it to sign-in, and server actions refuse it.
  await other.goto(`/projects/${project.slug}/settings/api-keys`);
  await expect(other).toHaveURL(/\/login\?callbackUrl=/);
  await elsewhere.close();
});
