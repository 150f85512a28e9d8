/** The session cookie: HttpOnly and SameSite=Lax always, Secure (with the __Secure- prefix) over https. */
import { expect, test } from '@playwright/test';
import { seedProject, seedUser, signIn } from './support/seed';

test('over http: HttpOnly and SameSite=Lax, readable by no script', async ({ page }) => {
  const project = await seedProject();
  const admin = await seedUser(project.slug, 'admin');
  await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
  await expect(page.getByRole('heading', { name: 'API Keys', exact: true })).toBeVisible();
  const session = (await page.context().cookies()).find((cookie) => /authjs\.session-token/.test(cookie.name));
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  expect(await page.evaluate(() => document.cookie)).not.toContain('session-token');
});

test.describe('behind an https proxy', () => {
  test.use({ extraHTTPHeaders: { 'x-forwarded-proto': 'https' } });

  test('the session cookie is Secure, with the __Secure- prefix', async ({ page }) => {
    const project = await seedProject();
    const admin = await seedUser(project.slug, 'admin');
    // The proxy would speak https to the browser; here only the sign-in answer's cookie is read.
    const answer = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/login');
    await signIn(page, admin, `/login?callbackUrl=/projects/${project.slug}/settings/api-keys`);
    const cookies = (await (await answer).headersArray()).filter((header) => header.name.toLowerCase() === 'set-cookie').map((header) => header.value);
    const session = cookies.find((cookie) => cookie.startsWith('__Secure-authjs.session-token='));
    expect(session, cookies.map((cookie) => cookie.split('=')[0]).join(', ')).toBeDefined();
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*SameSite=Lax/i);
  });
});
