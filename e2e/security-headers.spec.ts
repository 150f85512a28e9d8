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
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['cross-origin-resource-policy']).toBe('same-origin');
      // Served over plain http here: no Strict-Transport-Security.
      expect(headers['strict-transport-security']).toBeUndefined();

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

test('Strict-Transport-Security when a trusted proxy says the request came over https, and only then', async ({ request }) => {
  // The e2e server trusts one proxy (KEYWARD_TRUSTED_PROXIES=1), as a deployment behind one would.
  for (const path of ['/login', '/api/v1/openapi.json']) {
    const https = await request.get(path, { headers: { 'x-forwarded-proto': 'https' }, maxRedirects: 0 });
    expect(https.headers()['strict-transport-security'], path).toBe('max-age=63072000; includeSubDomains');
    const http = await request.get(path, { headers: { 'x-forwarded-proto': 'http' }, maxRedirects: 0 });
    expect(http.headers()['strict-transport-security'], path).toBeUndefined();
  }
});

test('API answers carry the same-origin resource policy; verify is answered before Next, whatever its query', async ({ request }) => {
  const openapi = await request.get('/api/v1/openapi.json');
  expect(openapi.headers()['cross-origin-resource-policy']).toBe('same-origin');
  for (const path of ['/api/v1/keys/verify', '/api/v1/keys/verify?x=1']) {
    const verify = await request.post(path, { data: { key: 'kw_nope' } });
    expect(verify.status(), path).toBe(200);
    expect(verify.headers()['cache-control'], path).toBe('no-store');
    // server.ts's own answer: Next would have added its static headers.
    expect(verify.headers()['x-frame-options'], path).toBeUndefined();
  }
});
