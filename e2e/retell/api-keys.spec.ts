/**
 * The REST API against the server started with KEYWARD_PERMISSIONS=retell: the permission matrix
 * with action-only resources, and a catalogue without an API Keys resource, where only
 * full-access keys manage keys.
 */
import { expect, test } from '@playwright/test';
import { seedProject } from '../support/seed';
import { client, rootKey, verifyOverHttp } from '../api/helpers';
import { matrixTest } from '../api/matrix';

matrixTest();

test('retell: only full-access keys manage keys; restricted ones are refused whatever they hold', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const everything = { agent: 'write', testing: 'write', history: 'write', export: 'write', call: 'write', phone: 'write' };
  const strong = await root.create({ name: 'all resources', permissions: everything });
  const weak = await root.create({ name: 'weak', permissions: { agent: 'read' } });

  const api = client(request, strong.key);
  for (const response of [
    await api.get('/keys'),
    await api.get(`/keys/${weak.id}`),
    await api.post('/keys', { name: 'x', permissions: { agent: 'read' } }),
    await api.patch(`/keys/${strong.id}`, { permissions: null }),
    await api.patch(`/keys/${weak.id}`, { permissions: { agent: 'write' } }),
    await api.post(`/keys/${weak.id}/rotate`, { gracePeriodSeconds: 0 }),
    await api.put('/webhook-key', { keyId: weak.id }),
    await api.delete(`/keys/${weak.id}`),
  ]) {
    expect(response.status()).toBe(403);
    expect((await response.json()).error.message).toMatch(/full-access key/);
  }

  // A full-access key edits permissions in place (Retell allows it); the secret keeps working.
  const edited = await root.patch(`/keys/${weak.id}`, { permissions: { agent: 'write', call: 'write' } });
  expect(edited.status()).toBe(200);
  expect((await edited.json()).permissions).toEqual({ agent: 'write', testing: 'none', history: 'none', export: 'none', call: 'write', phone: 'none' });
  expect((await verifyOverHttp(request, weak.key, { call: 'write' })).body.code).toBe('VALID');
  expect((await root.patch(`/keys/${weak.id}`, { permissions: { call: 'read' } })).status()).toBe(400);
});
