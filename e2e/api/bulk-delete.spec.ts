/** POST /api/v1/keys/bulk-delete over HTTP: all or none, the webhook key only when confirmed, never more than the caller holds. */
import { expect, test } from '@playwright/test';
import { auditEvents, listKeys, seedProject } from '../support/seed';
import { client, rootKey, verifyOverHttp } from './helpers';

const ids = async (projectSlug: string) => (await listKeys(projectSlug)).map((key) => key.id).sort();

test('deletes several keys in one call: each stops verifying at once and has its own audit event', async ({ request }) => {
  const project = await seedProject();
  const root = await rootKey(project.slug);
  const api = client(request, root.secret);
  const doomed = [await api.create({ name: 'bulk a' }), await api.create({ name: 'bulk b', permissions: { calls: 'read' } }), await api.create({ name: 'bulk c' })];
  const kept = await api.create({ name: 'kept' });
  // Verified first, so each answer is cached on the server and the delete must evict it.
  for (const key of doomed) expect((await verifyOverHttp(request, key.key)).body.code).toBe('VALID');

  const order = [doomed[1]!.id, doomed[0]!.id, doomed[2]!.id];
  const response = await api.post('/keys/bulk-delete', { ids: order });
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toContain('no-store');
  expect(await response.json()).toEqual({ deleted: order });

  for (const key of doomed) {
    expect((await verifyOverHttp(request, key.key)).body.code).toBe('NOT_FOUND');
    expect((await api.get(`/keys/${key.id}`)).status()).toBe(404);
  }
  expect(await ids(project.slug)).toEqual([root.id, kept.id].sort());
  expect((await verifyOverHttp(request, kept.key)).body.code).toBe('VALID');

  const deletions = (await auditEvents(project.slug)).filter((event) => event.action === 'api_key.deleted');
  expect(deletions.map((event) => event.targetId).sort()).toEqual([...order].sort());
  for (const event of deletions) {
    expect(event).toMatchObject({ actorType: 'api_key', actorLabel: 'root', metadata: { name: doomed.find((key) => key.id === event.targetId)!.name, wasWebhookKey: false } });
  }
});

test('is all or none: an id of another project, or of no key, and nothing is deleted', async ({ request }) => {
  const mine = await seedProject();
  const theirs = await seedProject();
  const api = client(request, (await rootKey(mine.slug)).secret);
  const [a, b] = [await api.create({ name: 'a' }), await api.create({ name: 'b' })];
  const other = await client(request, (await rootKey(theirs.slug)).secret).create({ name: 'theirs' });
  const [mineBefore, theirsBefore] = [await ids(mine.slug), await ids(theirs.slug)];

  const foreign = await api.post('/keys/bulk-delete', { ids: [a.id, other.id, b.id] });
  expect(foreign.status()).toBe(404);
  const body = await foreign.json();
  expect(body).toEqual({
    error: { code: 'not_found', message: 'One key (ids.1) is not in this project. Nothing was deleted.', fields: { 'ids.1': ['No key with this id in this project.'] } },
  });
  const missing = await api.post('/keys/bulk-delete', { ids: ['key_doesnotexist', a.id] });
  expect(missing.status()).toBe(404);
  expect((await missing.json()).error.fields).toEqual({ 'ids.0': ['No key with this id in this project.'] });

  expect(await ids(mine.slug)).toEqual(mineBefore);
  expect(await ids(theirs.slug)).toEqual(theirsBefore);
  for (const key of [a, b, other]) expect((await verifyOverHttp(request, key.key)).body.code).toBe('VALID');
});

test('takes 1 to 100 distinct ids and nothing else', async ({ request }) => {
  const project = await seedProject();
  const api = client(request, (await rootKey(project.slug)).secret);
  const key = await api.create({ name: 'survivor' });
  const before = await ids(project.slug);
  const refusals: [string, unknown, Record<string, string[]>][] = [
    ['101 ids', { ids: [key.id, ...Array.from({ length: 100 }, (_, i) => `key_${i}`)] }, { ids: ['ids can list at most 100 keys.'] }],
    ['no ids', { ids: [] }, { ids: ['ids must list at least one key.'] }],
    ['an id twice', { ids: [key.id, key.id] }, { ids: ['ids must not list a key twice.'] }],
    ['ids missing', {}, { ids: ['ids must be a list of key ids.'] }],
    ['an unknown field', { ids: [key.id], projectId: 'x' }, { projectId: ['Unknown field.'] }],
    ['a confirmation that is not a boolean', { ids: [key.id], confirmWebhookKey: 'yes' }, { confirmWebhookKey: ['confirmWebhookKey must be true or false.'] }],
  ];
  for (const [what, data, fields] of refusals) {
    const response = await api.post('/keys/bulk-delete', data);
    expect(response.status(), what).toBe(400);
    expect((await response.json()).error, what).toMatchObject({ code: 'invalid_input', fields });
  }
  expect(await ids(project.slug)).toEqual(before);
});

test('needs API Keys at Write and never takes a key stronger than the caller, not even one of many', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const reader = await root.create({ name: 'reader', permissions: { api_keys: 'read', calls: 'read' } });
  const writer = await root.create({ name: 'writer', permissions: { api_keys: 'write', calls: 'read' } });
  const weaker = await root.create({ name: 'weaker', permissions: { calls: 'read' } });
  const stronger = await root.create({ name: 'stronger', permissions: { calls: 'write' } });
  const before = await ids(project.slug);

  const unauthenticated = await request.post('/api/v1/keys/bulk-delete', { data: { ids: [weaker.id] } });
  expect(unauthenticated.status()).toBe(401);
  const byReader = await client(request, reader.key).post('/keys/bulk-delete', { ids: [weaker.id] });
  expect(byReader.status()).toBe(403);
  // Authorization first: a key that may not delete hears that, not what is wrong with its input.
  expect((await client(request, reader.key).post('/keys/bulk-delete', { ids: [] })).status()).toBe(403);
  const escalation = await client(request, writer.key).post('/keys/bulk-delete', { ids: [weaker.id, stronger.id] });
  expect(escalation.status()).toBe(403);
  expect((await escalation.json()).error.code).toBe('forbidden');
  expect(await ids(project.slug)).toEqual(before);

  expect(await (await client(request, writer.key).post('/keys/bulk-delete', { ids: [weaker.id] })).json()).toEqual({ deleted: [weaker.id] });
});

test('refuses a batch holding the webhook key unless confirmWebhookKey is true', async ({ request }) => {
  const project = await seedProject();
  const api = client(request, (await rootKey(project.slug)).secret);
  const [hook, plain] = [await api.create({ name: 'signer' }), await api.create({ name: 'plain' })];
  expect((await api.put('/webhook-key', { keyId: hook.id })).status()).toBe(200);
  const before = await ids(project.slug);

  for (const data of [{ ids: [plain.id, hook.id] }, { ids: [plain.id, hook.id], confirmWebhookKey: false }]) {
    const refused = await api.post('/keys/bulk-delete', data);
    expect(refused.status()).toBe(409);
    expect((await refused.json()).error).toEqual({
      code: 'webhook_key_confirmation_required',
      message: '“signer” is the project’s webhook key: signed webhooks stop until another key is chosen. Confirm deleting the webhook key too, or leave it out. Nothing was deleted.',
      fields: { confirmWebhookKey: [`Set to true to delete the webhook key ${hook.id} too.`] },
    });
  }
  expect(await ids(project.slug)).toEqual(before);

  const confirmed = await api.post('/keys/bulk-delete', { ids: [plain.id, hook.id], confirmWebhookKey: true });
  expect(confirmed.status()).toBe(200);
  expect(await confirmed.json()).toEqual({ deleted: [plain.id, hook.id] });
  expect((await listKeys(project.slug)).some((key) => key.webhook)).toBe(false);
  const deleted = (await auditEvents(project.slug)).find((event) => event.action === 'api_key.deleted' && event.targetId === hook.id);
  expect(deleted?.metadata).toEqual({ name: 'signer', wasWebhookKey: true });
});
