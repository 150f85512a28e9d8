/** The permission matrix on diga (e2e/api/matrix.ts), and what the API Keys resource allows. */
import { expect, test } from '@playwright/test';
import { seedProject } from '../support/seed';
import { client, rootKey } from './helpers';
import { matrixTest } from './matrix';

matrixTest();

test('the API Keys resource decides the management API: none → 403, Read → look only, Write → change', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const none = await root.create({ name: 'none', permissions: { calls: 'write' } });
  const reader = await root.create({ name: 'reader', permissions: { api_keys: 'read', calls: 'write' } });
  const writer = await root.create({ name: 'writer', permissions: { api_keys: 'write', calls: 'write' } });

  const byNone = client(request, none.key);
  expect((await byNone.get('/keys')).status()).toBe(403);
  expect((await byNone.get(`/keys/${none.id}`)).status()).toBe(403);
  expect((await (await byNone.get('/keys')).json()).error.code).toBe('forbidden');

  const byReader = client(request, reader.key);
  expect((await byReader.get('/keys')).status()).toBe(200);
  expect((await byReader.get(`/keys/${writer.id}`)).status()).toBe(200);
  expect((await byReader.post('/keys', { name: 'x', permissions: { calls: 'read' } })).status()).toBe(403);
  expect((await byReader.patch(`/keys/${none.id}`, { name: 'renamed' })).status()).toBe(403);
  expect((await byReader.post(`/keys/${none.id}/rotate`, { gracePeriodSeconds: 0 })).status()).toBe(403);
  expect((await byReader.put('/webhook-key', { keyId: none.id })).status()).toBe(403);
  expect((await byReader.delete(`/keys/${none.id}`)).status()).toBe(403);

  const byWriter = client(request, writer.key);
  const child = await byWriter.create({ name: 'child', permissions: { calls: 'read' } });
  expect((await byWriter.patch(`/keys/${child.id}`, { name: 'child 2' })).status()).toBe(200);
  expect((await byWriter.put('/webhook-key', { keyId: child.id })).status()).toBe(200);
  expect((await byWriter.delete(`/keys/${child.id}`)).status()).toBe(204);
});
