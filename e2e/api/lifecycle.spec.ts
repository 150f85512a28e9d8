/**
 * A key's life in real time: expiry just before and just after, a rotation's grace on both sides
 * of its end, and deletion refused on the very next request. Time is observed, never slept: each
 * verification is stamped with when it was sent and when it was answered, so "before" and "after"
 * are judged against the server's own clock (the same machine's).
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { seedProject } from '../support/seed';
import { client, rootKey, secretOf, verifyOverHttp } from './helpers';

type Observation = { sent: number; answered: number; code: string };

/** Verifies `secret` every ~150 ms until its code is no longer VALID; returns every observation. */
async function watchUntilRefused(request: APIRequestContext, secret: string, timeout: number): Promise<Observation[]> {
  const seen: Observation[] = [];
  await expect
    .poll(
      async () => {
        const sent = Date.now();
        const { body } = await verifyOverHttp(request, secret);
        seen.push({ sent, answered: Date.now(), code: body.code });
        return body.code;
      },
      { timeout, intervals: [150] },
    )
    .not.toBe('VALID');
  return seen;
}

/** Every VALID answer was asked for before `end`; the first refusal came back at or after it. */
function expectTurnedAt(seen: Observation[], end: number, refusal: string): void {
  const valid = seen.filter((o) => o.code === 'VALID');
  const refused = seen.at(-1)!;
  expect(refused.code).toBe(refusal);
  expect(refused.answered).toBeGreaterThanOrEqual(end);
  for (const o of valid) expect(o.sent).toBeLessThan(end);
  // "Just before": the key still worked in the last second before its end.
  expect(valid.some((o) => o.sent >= end - 1000)).toBe(true);
}

test('a key works until its expiry and is refused from then on, by verify and by the management API', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const expiresAt = new Date(Date.now() + 4000).toISOString();
  const key = await root.create({ name: 'short-lived', expiresAt, permissions: { api_keys: 'read', calls: 'read' } });
  expect(key.expiresAt).toBe(expiresAt);
  const first = await verifyOverHttp(request, key.key, { calls: 'read' });
  expect(first.body).toMatchObject({ valid: true, code: 'VALID', expiresAt });
  expect((await client(request, key.key).get('/keys')).status()).toBe(200);

  const seen = await watchUntilRefused(request, key.key, 15_000);
  expectTurnedAt(seen, Date.parse(expiresAt), 'EXPIRED');
  const after = await verifyOverHttp(request, key.key);
  expect(after.body).toEqual({ valid: false, code: 'EXPIRED', keyId: null, projectId: null, permissions: null, expiresAt: null });
  const management = await client(request, key.key).get('/keys');
  expect(management.status()).toBe(401);
});

test('after a rotation both secrets work until the grace period ends, then only the new one', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const original = await root.create({ name: 'rotating', permissions: { calls: 'write' } });
  const rotated = await secretOf(await root.post(`/keys/${original.id}/rotate`, { gracePeriodSeconds: 3 }));
  const graceEnds = Date.parse(rotated.previousSecretExpiresAt!);
  expect(graceEnds - Date.now()).toBeGreaterThan(2000);
  expect((await verifyOverHttp(request, original.key, { calls: 'write' })).body).toMatchObject({ valid: true, keyId: original.id });
  expect((await verifyOverHttp(request, rotated.key, { calls: 'write' })).body).toMatchObject({ valid: true, keyId: original.id });

  const seen = await watchUntilRefused(request, original.key, 15_000);
  expectTurnedAt(seen, graceEnds, 'EXPIRED');
  expect((await verifyOverHttp(request, rotated.key, { calls: 'write' })).body).toMatchObject({ valid: true, code: 'VALID', keyId: original.id });

  // No grace: the previous secret is refused on the very next request.
  const immediate = await secretOf(await root.post(`/keys/${original.id}/rotate`, { gracePeriodSeconds: 0 }));
  expect(immediate.previousSecretExpiresAt).toBeNull();
  expect((await verifyOverHttp(request, rotated.key)).body.valid).toBe(false);
  expect((await verifyOverHttp(request, immediate.key)).body.code).toBe('VALID');
});

test('grace periods are whole seconds from 0 to 30 days', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const key = await root.create({ name: 'grace limits' });
  for (const gracePeriodSeconds of [-1, 1.5, 30 * 86_400 + 1, 'soon', null]) {
    const response = await root.post(`/keys/${key.id}/rotate`, { gracePeriodSeconds });
    expect(response.status(), String(gracePeriodSeconds)).toBe(400);
    expect((await response.json()).error.fields).toHaveProperty('gracePeriodSeconds');
  }
  const longest = await secretOf(await root.post(`/keys/${key.id}/rotate`, { gracePeriodSeconds: 30 * 86_400 }));
  expect(Date.parse(longest.previousSecretExpiresAt!) - Date.now()).toBeGreaterThan(30 * 86_400_000 - 60_000);
});

test('a deleted key is refused on the very next request, even when it deleted itself', async ({ request }) => {
  const project = await seedProject();
  const root = client(request, (await rootKey(project.slug)).secret);
  const doomed = await root.create({ name: 'doomed', permissions: { calls: 'read' } });
  expect((await verifyOverHttp(request, doomed.key)).body.code).toBe('VALID');
  expect((await root.delete(`/keys/${doomed.id}`)).status()).toBe(204);
  expect((await verifyOverHttp(request, doomed.key)).body).toEqual({ valid: false, code: 'NOT_FOUND', keyId: null, projectId: null, permissions: null, expiresAt: null });

  const self = await root.create({ name: 'self', permissions: { api_keys: 'write' } });
  const bySelf = client(request, self.key);
  expect((await bySelf.get('/keys')).status()).toBe(200);
  expect((await bySelf.delete(`/keys/${self.id}`)).status()).toBe(204);
  expect((await bySelf.get('/keys')).status()).toBe(401);
  expect((await verifyOverHttp(request, self.key)).body.code).toBe('NOT_FOUND');
});
