/** Response headers of pages and API answers, and Next's internal header refused from outside. */
import { expect, test } from '@playwright/test';
import { ADMIN_STATE } from './support/env';

function scriptSources(policy: string): string {
  return policy.split(';').map((part) => part.trim()).find((part) => part.startsWith('script-src')) ?? '';
}

test.describe('pages', () => {
  test.use({ storageState: ADMIN_STATE });

  for (const path of ['/login', '/set-password', '/projects/default/settings/api-keys', '/projects/default/settings/team', '/no-such-page']) {
    test(`${path}: a nonce-based CSP, no framing, no sniffing, no X-Powered-By`, async ({ request }) => {
      const response = await request.get(path, { maxRedirects: 0 });
      const headers = response.headers();
      const policy = headers['content-security-policy'] ?? '';
      const scripts = scriptSources(policy);
      expect(scripts).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
      expect(scripts).not.toContain('unsafe-inline');
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("object-src 'none'");
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBeTruthy();
      expect(headers['x-powered-by']).toBeUndefined();

      // Every script in the HTML carries this response's nonce, and the next response gets another.
      const nonce = /'nonce-([^']+)'/.exec(scripts)![1]!;
      const html = await response.text();
      const tags = html.match(/<script\b[^>]*>/g) ?? [];
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
      const again = (await request.get(path, { maxRedirects: 0 })).headers()['content-security-policy'];
      expect(again).not.toContain(nonce);
    });
  }

  test('scripts still run under the policy: the create dialog opens', async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto('/projects/default/settings/api-keys');
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    await expect(page.getByRole('dialog', { name: 'Create API key' })).toBeVisible();
    expect(violations).toEqual([]);
  });
});

test('x-middleware-subrequest from outside gains nothing: signed-out visitors are still sent to sign in', async ({ request }) => {
  for (const value of ['proxy', 'middleware', 'proxy:proxy:proxy:proxy:proxy', 'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware']) {
    const response = await request.get('/projects/default/settings/api-keys', { headers: { 'x-middleware-subrequest': value }, maxRedirects: 0 });
    expect(response.status()).toBe(307);
    expect(response.headers()['location']).toContain('/login');
  }
});

test('API answers are not sniffed or cached', async ({ request }) => {
  for (const response of [await request.get('/api/v1/openapi.json'), await request.post('/api/v1/keys/verify', { data: { key: 'kw_nope' } })]) {
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
  }
  const verify = await request.post('/api/v1/keys/verify', { data: { key: 'kw_nope' } });
  expect(verify.headers()['cache-control']).toBe('no-store');
});
