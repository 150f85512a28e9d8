/** Escalation and cross-project attempts over HTTP: 403 and 404, and nothing changes. */
import { expect, test } from '@playwright/test';
import { listKeys, seedProject } from '../support/seed';
import { client, rootKey, verifyOverHttp } from './helpers';

/** What the project's keys are, leaving out when they were last used. */
async function keysOf(projectSlug: string) {
  return (await listKeys(projectSlug)).map(({ id, name, start, last4, permissions, webhook }) => ({ id, name, start, last4, permissions, webhook }));
}

test('a restricted key never makes, edits or rotates into more than it holds', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const held = { api_keys: 'write', calls: 'read', contacts: 'write' };
  const limited = await root.create({ name: 'limited', permissions: held });
  const stronger = await root.create({ name: 'stronger', permissions: { calls: 'write' } });
  const full = await root.create({ name: 'full' });
  const api = client(request, limited.key);
  const before = await keysOf(project.slug);

  const attempts = [
    ['full access, by omission', () => api.post('/keys', { name: 'x' })],
    ['full access, by null', () => api.post('/keys', { name: 'x', permissions: null })],
    ['a level above its own', () => api.post('/keys', { name: 'x', permissions: { calls: 'write' } })],
    ['a resource it lacks', () => api.post('/keys', { name: 'x', permissions: { messages: 'read' } })],
    ['its own levels raised', () => api.patch(`/keys/${limited.id}`, { permissions: { ...held, calls: 'write' } })],
    ['its own key made full access', () => api.patch(`/keys/${limited.id}`, { permissions: null })],
    ['a stronger key edited', () => api.patch(`/keys/${stronger.id}`, { name: 'mine' })],
    ['a stronger key rotated', () => api.post(`/keys/${stronger.id}/rotate`, { gracePeriodSeconds: 0 })],
    ['a full-access key rotated', () => api.post(`/keys/${full.id}/rotate`, { gracePeriodSeconds: 3600 })],
  ] as const;
  for (const [what, attempt] of attempts) {
    const response = await attempt();
    expect(response.status(), what).toBe(403);
    expect((await response.json()).error.code, what).toBe('forbidden');
  }
  expect(await keysOf(project.slug)).toEqual(before);
  for (const key of [stronger, full]) expect((await verifyOverHttp(request, key.key)).body.code).toBe('VALID');

  // Within its own powers it works.
  const equal = await api.create({ name: 'equal', permissions: held });
  expect(equal.permissions).toMatchObject(held);
  expect((await api.post(`/keys/${equal.id}/rotate`, { gracePeriodSeconds: 0 })).status()).toBe(200);
});

test('a key that expires cannot make or rotate one that lives longer', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  const temporary = await root.create({ name: 'temporary', expiresAt });
  const permanent = await root.create({ name: 'permanent', permissions: { calls: 'read' } });
  const api = client(request, temporary.key);
  expect((await api.post('/keys', { name: 'forever' })).status()).toBe(403);
  expect((await api.post(`/keys/${permanent.id}/rotate`, { gracePeriodSeconds: 0 })).status()).toBe(403);
  const bounded = await api.create({ name: 'bounded', expiresAt });
  expect((await api.patch(`/keys/${bounded.id}`, { expiresAt: null })).status()).toBe(403);
});

test('another project’s key ids are answered exactly like missing ones', async ({ request }) => {
  const mine = await seedProject();
  const theirs = await seedProject();
  const api = client(request, (await rootKey(mine.slug)).secret);
  const other = await client(request, (await rootKey(theirs.slug)).secret).create({ name: 'theirs', permissions: { calls: 'read' } });
  const before = await keysOf(theirs.slug);

  const missing = await api.get('/keys/key_doesnotexist');
  expect(missing.status()).toBe(404);
  const notFound = await missing.json();
  expect(notFound).toEqual({ error: { code: 'not_found', message: 'API key not found.' } });
  for (const response of [
    await api.get(`/keys/${other.id}`),
    await api.patch(`/keys/${other.id}`, { name: 'mine now' }),
    await api.post(`/keys/${other.id}/rotate`, { gracePeriodSeconds: 0 }),
    await api.put('/webhook-key', { keyId: other.id }),
    await api.delete(`/keys/${other.id}`),
  ]) {
    expect(response.status()).toBe(404);
    expect(await response.json()).toEqual(notFound);
  }
  expect(await keysOf(theirs.slug)).toEqual(before);
  expect((await verifyOverHttp(request, other.key)).body.code).toBe('VALID');
  expect(JSON.stringify(await (await api.get('/keys')).json())).not.toContain(other.id);
});
