/** The management API over real HTTP: each route, its answer's shape, and what the database then holds. */
import { expect, test } from '@playwright/test';
import { listKeys, seedProject } from '../support/seed';
import { client, rootKey, secretOf, verifyOverHttp, type ApiKey } from './helpers';

test('a full-access key creates, lists, reads, edits, rotates, picks the webhook key and deletes', async ({ request }) => {
  const project = await seedProject();
  const root = await rootKey(project.slug);
  const api = client(request, root.secret);

  const created = await api.create({ name: 'CRM sync', permissions: { contacts: 'write', calls: 'read' } });
  expect(created).toMatchObject({ name: 'CRM sync', restricted: true, webhook: false, expiresAt: null, previousSecretExpiresAt: null });
  expect(created.id).toMatch(/^key_/);
  expect(created.key.startsWith(created.start) && created.key.endsWith(created.last4)).toBe(true);
  expect(created.permissions).toMatchObject({ contacts: 'write', calls: 'read', messages: 'none', api_keys: 'none' });
  expect(Object.keys(created.permissions!)).toHaveLength(19);
  expect((await verifyOverHttp(request, created.key, { contacts: 'write' })).body).toMatchObject({ valid: true, keyId: created.id });

  const page = await api.get('/keys?q=crm&pageSize=5');
  expect(page.status()).toBe(200);
  expect(page.headers()['cache-control']).toBe('no-store');
  const body = (await page.json()) as { data: ApiKey[]; page: number; pageSize: number; pageCount: number; total: number; totalIsCapped: boolean };
  expect(body).toMatchObject({ page: 1, pageSize: 5, pageCount: 1, total: 1, totalIsCapped: false });
  expect(body.data.map((key) => key.id)).toEqual([created.id]);
  expect(JSON.stringify(body)).not.toContain(created.key);

  const all = (await (await api.get('/keys')).json()) as { total: number; data: ApiKey[] };
  expect(all.total).toBe(2);
  expect(all.data.map((key) => key.name)).toEqual(['CRM sync', 'root']);

  const one = await api.get(`/keys/${created.id}`);
  expect(await one.json()).toMatchObject({ id: created.id, name: 'CRM sync' });

  const soon = new Date(Date.now() + 86_400_000).toISOString();
  const edited = await api.patch(`/keys/${created.id}`, { name: 'CRM sync (EU)', expiresAt: soon });
  expect(edited.status()).toBe(200);
  expect(await edited.json()).toMatchObject({ name: 'CRM sync (EU)', expiresAt: soon });
  // Diga's permissions are fixed after creation.
  expect((await api.patch(`/keys/${created.id}`, { permissions: { contacts: 'read' } })).status()).toBe(403);

  const rotated = await api.post(`/keys/${created.id}/rotate`, { gracePeriodSeconds: 3600 });
  expect(rotated.status()).toBe(200);
  const fresh = await secretOf(rotated);
  expect(fresh.id).toBe(created.id);
  expect(fresh.key).not.toBe(created.key);
  expect(Date.parse(fresh.previousSecretExpiresAt!) - Date.now()).toBeGreaterThan(3_500_000);
  expect((await (await api.get(`/keys/${created.id}`)).json()).previousSecretExpiresAt).toBe(fresh.previousSecretExpiresAt);

  const hooked = await api.put('/webhook-key', { keyId: created.id });
  expect(await hooked.json()).toMatchObject({ id: created.id, webhook: true });

  const deleted = await api.delete(`/keys/${created.id}`);
  expect(deleted.status()).toBe(204);
  expect(await deleted.text()).toBe('');
  expect((await api.get(`/keys/${created.id}`)).status()).toBe(404);
  expect((await listKeys(project.slug)).map((key) => key.id)).toEqual([root.id]);
});

test('answers without a valid key are one and the same 401', async ({ request }) => {
  const project = await seedProject();
  const root = await rootKey(project.slug);
  const answers = [];
  for (const authorization of [undefined, 'Basic cm9vdDpyb290', 'Bearer', `Bearer ${root.secret.slice(0, -2)}`, `Bearer ${root.secret}0`, `bearer  ${root.secret}x`]) {
    const response = await request.get('/api/v1/keys', { headers: authorization ? { authorization, 'x-forwarded-for': '198.18.200.1' } : {} });
    answers.push({ status: response.status(), auth: response.headers()['www-authenticate'], body: await response.json() });
  }
  for (const answer of answers) expect(answer).toEqual({ status: 401, auth: 'Bearer', body: answers[0]!.body });
  expect(answers[0]!.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
});

test('bodies are JSON within 64 KB with known fields only: anything else is a 400 naming the field', async ({ request }) => {
  const project = await seedProject();
  const root = await rootKey(project.slug);
  const headers = { authorization: `Bearer ${root.secret}`, 'x-forwarded-for': '198.18.200.2' };
  // Raw bytes: Playwright would JSON-encode a string body sent as application/json.
  const post = (data: string | Buffer, contentType = 'application/json') =>
    request.post('/api/v1/keys', { headers: { ...headers, 'content-type': contentType }, data: Buffer.from(data) });
  const cases: [Promise<import('@playwright/test').APIResponse>, string, string][] = [
    [post('{"name": "x",'), 'invalid_json', '_'],
    [post(''), 'invalid_json', '_'],
    [post('{"name":"x"}', 'text/plain'), 'invalid_input', '_'],
    [post(JSON.stringify({ name: 'x'.repeat(1024 * 1024) })), 'invalid_input', '_'],
    [post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])), 'invalid_json', '_'],
    [post(JSON.stringify({ name: 'x', isWebhookKey: true })), 'invalid_input', 'isWebhookKey'],
    [post(JSON.stringify({ name: 'x', permissions: { calls: 'admin' } })), 'invalid_input', 'permissions.calls'],
    [post(JSON.stringify({ name: 'a\u0000b' })), 'invalid_input', 'name'],
  ];
  for (const [i, [pending, code, field]] of cases.entries()) {
    const response = await pending;
    const body = (await response.json()) as { error: { code: string; fields: Record<string, string[]> } };
    expect(response.status(), `case ${i}: ${JSON.stringify(body)}`).toBe(400);
    expect(body.error.code, `case ${i}: ${JSON.stringify(body)}`).toBe(code);
    expect(Object.keys(body.error.fields)).toContain(field);
  }
  for (const query of ['?pagesize=10', '?page=-1', '?pageSize=500', '?q=a&q=b']) {
    expect((await request.get(`/api/v1/keys${query}`, { headers })).status(), query).toBe(400);
  }
  expect((await listKeys(project.slug)).length).toBe(1);
});
