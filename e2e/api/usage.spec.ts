/**
 * GET /api/v1/keys/{id}/usage over real HTTP: who may read it, what bad queries get, and the
 * counts after a known number of verifications (the e2e servers flush counts every 500 ms).
 */
import { expect, test } from '@playwright/test';
import { seedProject } from '../support/seed';
import { client, rootKey, testAddress, verifyOverHttp } from './helpers';

type Usage = { keyId: string; from: string; to: string; granularity: string; buckets: { start: string; counts: Record<string, number> }[]; totals: Record<string, number> };

/** Sums every bucket's counts per code. */
function sumBuckets(usage: Usage): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const bucket of usage.buckets) for (const [code, n] of Object.entries(bucket.counts)) sums[code] = (sums[code] ?? 0) + n;
  return sums;
}

test('counts a key’s verifications per outcome code, exactly, in buckets that add up', async ({ request }) => {
  const project = await seedProject();
  const api = client(request, (await rootKey(project.slug)).secret);
  const meter = await api.create({ name: 'Metered', permissions: { calls: 'read' } });
  const address = testAddress();
  for (let i = 0; i < 5; i++) expect((await verifyOverHttp(request, meter.key, { calls: 'read' }, address)).body.code).toBe('VALID');
  for (let i = 0; i < 3; i++) expect((await verifyOverHttp(request, meter.key, { calls: 'write' }, address)).body.code).toBe('INSUFFICIENT_PERMISSIONS');

  const expected = { VALID: 5, INSUFFICIENT_PERMISSIONS: 3 };
  await expect.poll(async () => ((await (await api.get(`/keys/${meter.id}/usage`)).json()) as Usage).totals, { timeout: 15_000 }).toEqual(expected);

  const response = await api.get(`/keys/${meter.id}/usage`);
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('no-store');
  const usage = (await response.json()) as Usage;
  // By default: the last 24 hours, by minute, every bucket listed, oldest first.
  expect(usage).toMatchObject({ keyId: meter.id, granularity: 'minute', totals: expected });
  const span = Date.parse(usage.to) - Date.parse(usage.from);
  expect(span).toBeGreaterThanOrEqual(24 * 3_600_000);
  expect(span).toBeLessThan(24 * 3_600_000 + 60_000);
  expect(usage.buckets.map((bucket) => Date.parse(bucket.start))).toEqual(usage.buckets.map((_, i) => Date.parse(usage.from) + i * 60_000));
  expect(sumBuckets(usage)).toEqual(expected);
  // The counted minutes are the last few, not some other time.
  for (const bucket of usage.buckets.filter((b) => Object.keys(b.counts).length > 0)) expect(Date.now() - Date.parse(bucket.start)).toBeLessThan(5 * 60_000);

  // The same counts by hour over the last two hours, and by day over a week.
  const from = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const hourly = (await (await api.get(`/keys/${meter.id}/usage?granularity=hour&from=${encodeURIComponent(from)}`)).json()) as Usage;
  expect(hourly).toMatchObject({ granularity: 'hour', totals: expected });
  expect(hourly.buckets.length).toBeGreaterThanOrEqual(2);
  expect(sumBuckets(hourly)).toEqual(expected);
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const daily = (await (await api.get(`/keys/${meter.id}/usage?granularity=day&from=${encodeURIComponent(weekAgo)}`)).json()) as Usage;
  expect(daily).toMatchObject({ granularity: 'day', totals: expected });
  expect(daily.buckets).toHaveLength(8);

  // A range before any verification holds none.
  const before = (await (await api.get(`/keys/${meter.id}/usage?from=${encodeURIComponent(weekAgo)}&to=${encodeURIComponent(from)}&granularity=hour`)).json()) as Usage;
  expect(before.totals).toEqual({});
});

test('needs a valid key holding API Keys at Read, of the key’s own project', async ({ request }) => {
  const project = await seedProject();
  const other = await seedProject();
  const api = client(request, (await rootKey(project.slug)).secret);
  const target = await api.create({ name: 'Target', permissions: { calls: 'read' } });
  const noKeyAccess = await api.create({ name: 'No key access', permissions: { calls: 'write' } });
  const reader = await api.create({ name: 'Reader', permissions: { api_keys: 'read' } });

  const anonymous = await request.get(`/api/v1/keys/${target.id}/usage`, { headers: { 'x-forwarded-for': testAddress() } });
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()['www-authenticate']).toBe('Bearer');
  expect((await request.get(`/api/v1/keys/${target.id}/usage`, { headers: { authorization: `Bearer ${target.key}x`, 'x-forwarded-for': testAddress() } })).status()).toBe(401);

  const refused = await client(request, noKeyAccess.key).get(`/keys/${target.id}/usage`);
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  expect((await client(request, reader.key).get(`/keys/${target.id}/usage`)).status()).toBe(200);

  const outsider = client(request, (await rootKey(other.slug)).secret);
  const elsewhere = await outsider.get(`/keys/${target.id}/usage`);
  expect(elsewhere.status()).toBe(404);
  expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe('not_found');
  expect((await api.get('/keys/key_doesnotexist/usage')).status()).toBe(404);
});

test('a bad query is a 400 naming the field, whoever the key', async ({ request }) => {
  const project = await seedProject();
  const api = client(request, (await rootKey(project.slug)).secret);
  const target = await api.create({ name: 'Queried' });
  const cases: [string, string][] = [
    ['granularity=week', 'granularity'],
    ['granularity=', 'granularity'],
    ['from=yesterday', 'from'],
    ['to=2030-13-01T00:00:00Z', 'to'],
    [`from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`, 'from'],
    // A year by minute is far over the bucket limit.
    [`from=${encodeURIComponent(new Date(Date.now() - 365 * 86_400_000).toISOString())}&granularity=minute`, 'granularity'],
    ['range=7d', 'range'],
    ['granularity=hour&granularity=day', 'granularity'],
  ];
  for (const [query, field] of cases) {
    const response = await api.get(`/keys/${target.id}/usage?${query}`);
    const body = (await response.json()) as { error: { code: string; message: string; fields?: Record<string, string[]> } };
    expect(response.status(), query).toBe(400);
    expect(body.error.code, query).toBe('invalid_input');
    expect(Object.keys(body.error.fields ?? {}), query).toEqual([field]);
  }
});
