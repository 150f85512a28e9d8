/**
 * Hostile keys and floods: empty, 1 MB, NUL bytes, Unicode look-alikes and truncated keys get the
 * invalid answer (or a 400), never a 500; too many failures from one address get 429 and are
 * let through again once the window ends (five seconds on the e2e servers).
 */
import { expect, test } from '@playwright/test';
import { seedProject } from '../support/seed';
import { client, rawGet, rootKey, testAddress, verifyOverHttp } from './helpers';

const INVALID = { valid: false, code: 'NOT_FOUND', keyId: null, projectId: null, permissions: null, expiresAt: null };

/** Look-alikes of a real key: Cyrillic and fullwidth letters, a zero-width space, NUL, truncations. */
function mutants(secret: string): [string, string][] {
  const at = secret.search(/[a-z]/);
  return [
    ['truncated by one', secret.slice(0, -1)],
    ['prefix only', secret.slice(0, 3)],
    ['checksum cut off', secret.slice(0, -6)],
    ['one character changed', secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A')],
    ['Cyrillic look-alike', secret.replace('k', '\u043a')],
    ['fullwidth look-alike', secret.slice(0, at) + String.fromCharCode(secret.charCodeAt(at) + 0xfee0) + secret.slice(at + 1)],
    ['zero-width space', `${secret.slice(0, 10)}\u200b${secret.slice(10)}`],
    ['NUL inside', `${secret.slice(0, 10)}\u0000${secret.slice(10)}`],
    ['NUL after', `${secret}\u0000`],
    ['trailing newline', `${secret}\n`],
    ['upper-cased', secret.toUpperCase()],
  ];
}

test('verify answers every mangled key with the same invalid answer, empty input with 400 and oversize bodies with 413', async ({ request }) => {
  const project = await seedProject();
  const root = await rootKey(project.slug);
  const address = testAddress();
  for (const [what, key] of mutants(root.secret)) {
    const answer = await verifyOverHttp(request, key, undefined, address);
    expect(answer.status, what).toBe(200);
    expect(answer.body, what).toEqual(INVALID);
  }
  for (const [what, key] of [
    ['empty', ''],
    ['a number', 42],
    ['null', null],
  ] as const) {
    const answer = await verifyOverHttp(request, key, undefined, address);
    expect(answer.status, what).toBe(400);
    expect(answer.body.error?.code, what).toBe('invalid_input');
  }
  // Answered from the Content-Length, before the body is read; the connection is closed after.
  for (const [what, key] of [
    ['1 MB', 'k'.repeat(1024 * 1024)],
    ['1 MB of a real key', root.secret.repeat(Math.ceil((1024 * 1024) / root.secret.length))],
  ] as const) {
    for (const path of ['/api/v1/keys/verify', '/api/v1/keys/verify?x=1']) {
      const response = await request.post(path, { data: { key }, headers: { 'x-forwarded-for': address } });
      expect(response.status(), `${what} ${path}`).toBe(413);
      expect(response.headers()['connection'], `${what} ${path}`).toBe('close');
      expect(((await response.json()) as { error: { code: string } }).error.code, `${what} ${path}`).toBe('payload_too_large');
    }
  }
  expect((await verifyOverHttp(request, root.secret, undefined, address)).body.code).toBe('VALID');
});

test('the management API answers every mangled bearer key with its one 401, and malformed headers with 4xx', async ({ request }) => {
  const project = await seedProject();
  const root = await rootKey(project.slug);
  const address = testAddress();
  for (const [what, key] of mutants(root.secret)) {
    // HTTP clients send only Latin-1 header values, and no control characters: those go raw below.
    if (/[^\u0020-\u00ff]/.test(key)) continue;
    const response = await client(request, key, address).get('/keys');
    expect(response.status(), what).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  }
  const header = (value: Buffer) => [Buffer.concat([Buffer.from('Authorization: Bearer '), value]), Buffer.from(`X-Forwarded-For: ${address}`)];
  const utf8 = (text: string) => Buffer.from(text, 'utf8');
  // UTF-8 look-alikes reach the application and are refused like any unknown key.
  expect(await rawGet('/api/v1/keys', header(utf8(root.secret.replace('k', '\u043a'))))).toBe(401);
  expect(await rawGet('/api/v1/keys', header(utf8(`${root.secret.slice(0, 10)}\u200b${root.secret.slice(10)}`)))).toBe(401);
  expect(await rawGet('/api/v1/keys', header(Buffer.from('')))).toBe(401);
  // NUL in a header, and a 1 MB header, are refused by the HTTP parser before the application.
  expect(await rawGet('/api/v1/keys', header(utf8(`${root.secret.slice(0, 10)}\u0000${root.secret.slice(10)}`)))).toBe(400);
  expect(await rawGet('/api/v1/keys', header(Buffer.alloc(1024 * 1024, 'k')))).toBe(431);
  expect((await client(request, root.secret, address).get('/keys')).status()).toBe(200);
});

test('failures from one address are limited (429, Retry-After) and let through again when the window ends', async ({ request }) => {
  const project = await seedProject();
  const root = await rootKey(project.slug);
  const flooder = testAddress();
  const bystander = testAddress();
  const started = Date.now();
  // Verify and the management API share one failure budget per address: 100 per window.
  for (let i = 0; i < 50; i++) expect((await verifyOverHttp(request, `kw_guess${i}`, undefined, flooder)).status).toBe(200);
  for (let i = 0; i < 50; i++) expect((await client(request, `kw_guess${i}`, flooder).get('/keys')).status()).toBe(401);
  expect(Date.now() - started).toBeLessThan(5000);

  const limited = await verifyOverHttp(request, root.secret, undefined, flooder);
  expect(limited.status).toBe(429);
  expect(limited.body.code).toBe('RATE_LIMITED');
  // The body says when, as the header does.
  expect(limited.body.retryAfterSeconds).toBe(Number(limited.headers['retry-after']));
  expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(5);
  const limitedApi = await client(request, root.secret, flooder).get('/keys');
  expect(limitedApi.status()).toBe(429);
  expect(Number(limitedApi.headers()['retry-after'])).toBeGreaterThanOrEqual(1);
  expect((await limitedApi.json()).error.code).toBe('rate_limited');
  // Another address is not affected.
  expect((await verifyOverHttp(request, root.secret, undefined, bystander)).body.code).toBe('VALID');

  await expect.poll(async () => (await verifyOverHttp(request, root.secret, undefined, flooder)).body.code, { timeout: 10_000, intervals: [250] }).toBe('VALID');
  expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  expect((await client(request, root.secret, flooder).get('/keys')).status()).toBe(200);
});
