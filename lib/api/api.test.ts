/**
 * The REST handlers in process, on both drivers: real Request objects through the route files'
 * exports, so the wrapper (bearer key, body, errors) and the JSON shapes are checked against the
 * same zod schemas the OpenAPI document is generated from. Real HTTP against the built server
 * is e2e/api/*.spec.ts.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as keyRoute from '@/app/api/v1/keys/[id]/route';
import * as rotateRoute from '@/app/api/v1/keys/[id]/rotate/route';
import * as usageRoute from '@/app/api/v1/keys/[id]/usage/route';
import * as keysRoute from '@/app/api/v1/keys/route';
import * as openApiRoute from '@/app/api/v1/openapi.json/route';
import * as webhookRoute from '@/app/api/v1/webhook-key/route';
import { getDb } from '@/db/client';
import { apiKeys, auditEvents } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { FailureLimiter } from '@/lib/verify/failure-limiter';
import { generateKey } from '@/lib/keys/format';
import { UsageRecorder } from '@/lib/verify/usage';
import { Verifier } from '@/lib/verify/verifier';
import { setActiveCatalogue } from '@/lib/permissions/load';
import { writeCounts } from '@/lib/usage/store';
import { keyUsageSchema } from '@/lib/usage/schemas';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { authenticate, bearerToken } from './bearer';
import { errorResponseParts } from './errors';
import { MAX_BODY_BYTES } from './http';
import { apiKeySchema, apiKeyWithSecretSchema, errorSchema, keyPageSchema } from './schemas';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Call = { method?: string; path?: string; key?: string; authorization?: string; body?: unknown; raw?: string; contentType?: string; params?: Record<string, string>; address?: string };

let addresses = 0;
const freshAddress = () => `203.0.113.${++addresses}`;

async function call(handler: unknown, options: Call = {}) {
  const headers = new Headers({ 'x-forwarded-for': options.address ?? freshAddress() });
  if (options.authorization !== undefined) headers.set('authorization', options.authorization);
  else if (options.key !== undefined) headers.set('authorization', `Bearer ${options.key}`);
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers.set('content-type', options.contentType ?? 'application/json');
  const request = new Request(`http://keyward.test/api/v1${options.path ?? '/keys'}`, { method: options.method ?? 'GET', headers, body });
  const response = await (handler as Handler)(request, { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describeEachDatabase('REST API handlers', (current) => {
  const system: Actor = { type: 'system', projectSlug: 'acme', label: 'test' };
  let full = '';

  beforeAll(async () => {
    setActiveCatalogue(diga);
    const { db } = current();
    await createProject(db, { slug: 'acme' });
    await createProject(db, { slug: 'other' });
    full = (await createKey(db, system, { name: 'root' }, { catalogue: diga })).secret;
  });
  afterAll(() => setActiveCatalogue(undefined));

  it('answers every missing, malformed, unknown, expired or deleted key with the same 401', async () => {
    const { db } = current();
    const expired = await createKey(db, system, { name: 'expired' }, { catalogue: diga });
    await db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.publicId, expired.key.id));
    const deleted = await createKey(db, system, { name: 'deleted' }, { catalogue: diga });
    await call(keyRoute.DELETE, { method: 'DELETE', key: full, params: { id: deleted.key.id } });
    const answers = await Promise.all(
      [undefined, '', 'Basic dXNlcjpwYXNz', `Bearer`, `Bearer ${full.slice(0, -1)}`, `Bearer ${full}x`, `Bearer kw_${'A'.repeat(38)}`, `Bearer ${generateKey()}`, `Bearer ${expired.secret}`, `Bearer ${deleted.secret}`, `Bearer ${full} ${full}`].map(
        (authorization) => call(keysRoute.GET, { authorization }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.json).toEqual(answers[0]!.json);
    }
    expect(errorSchema.parse(answers[0]!.json).error.code).toBe('unauthorized');
  });

  it('refuses a bad body in the order the domain does: a key that may not make the change hears 403, one that may hears 400', async () => {
    const { db } = current();
    const reader = await createKey(db, system, { name: 'reader', permissions: { api_keys: 'read' } }, { catalogue: diga });
    const target = await createKey(db, system, { name: 'target' }, { catalogue: diga });
    const bad = [
      { handler: keysRoute.POST, method: 'POST', body: { name: '' } },
      { handler: keyRoute.PATCH, method: 'PATCH', params: { id: target.key.id }, body: { name: 'x', extra: true } },
      { handler: rotateRoute.POST, method: 'POST', params: { id: target.key.id }, body: { gracePeriodSeconds: 'soon' } },
      { handler: webhookRoute.PUT, method: 'PUT', body: {} },
    ];
    for (const { handler, ...request } of bad) {
      const byReader = await call(handler, { ...request, key: reader.secret });
      expect(byReader.status, request.method).toBe(403);
      expect(errorSchema.parse(byReader.json).error.code).toBe('forbidden');
      const byWriter = await call(handler, { ...request, key: full });
      expect(byWriter.status, request.method).toBe(400);
      expect(errorSchema.parse(byWriter.json).error.code).toBe('invalid_input');
    }
    const [row] = await db.select({ name: apiKeys.name }).from(apiKeys).where(eq(apiKeys.publicId, target.key.id));
    expect(row?.name).toBe('target');
  });

  it('creates, lists, reads, renames, rotates, chooses the webhook key and deletes, in the documented shapes', async () => {
    const created = await call(keysRoute.POST, { method: 'POST', key: full, body: { name: 'Billing sync', permissions: { billing: 'read' } } });
    expect(created.status).toBe(201);
    const key = apiKeyWithSecretSchema(diga).parse(created.json);
    expect(created.headers.get('location')).toBe(`/api/v1/keys/${key.id}`);
    expect(key.permissions).toMatchObject({ billing: 'read', calls: 'none' });

    const listed = await call(keysRoute.GET, { key: full, path: '/keys?q=billing%20sync&pageSize=5' });
    expect(listed.status).toBe(200);
    const page = keyPageSchema(diga).parse(listed.json);
    expect(page).toMatchObject({ page: 1, pageSize: 5, total: 1, pageCount: 1, totalIsCapped: false });
    expect(page.data.map((k) => k.id)).toEqual([key.id]);
    expect(JSON.stringify(listed.json)).not.toContain(key.key);

    const read = await call(keyRoute.GET, { key: full, params: { id: key.id } });
    expect(apiKeySchema(diga).parse(read.json)).toMatchObject({ id: key.id, name: 'Billing sync' });

    const renamed = await call(keyRoute.PATCH, { method: 'PATCH', key: full, params: { id: key.id }, body: { name: 'Billing export' } });
    expect(apiKeySchema(diga).parse(renamed.json).name).toBe('Billing export');

    const rotated = await call(rotateRoute.POST, { method: 'POST', key: full, params: { id: key.id }, body: { gracePeriodSeconds: 60 } });
    expect(rotated.status).toBe(200);
    const fresh = apiKeyWithSecretSchema(diga).parse(rotated.json);
    expect(fresh.key).not.toBe(key.key);
    expect(fresh.previousSecretExpiresAt).not.toBeNull();

    const hooked = await call(webhookRoute.PUT, { method: 'PUT', key: full, body: { keyId: key.id } });
    expect(apiKeySchema(diga).parse(hooked.json).webhook).toBe(true);

    const gone = await call(keyRoute.DELETE, { method: 'DELETE', key: full, params: { id: key.id } });
    expect(gone.status).toBe(204);
    expect(gone.json).toBeUndefined();
    expect((await call(keyRoute.GET, { key: full, params: { id: key.id } })).status).toBe(404);
  });

  it('answers bad bodies and queries with 400 and field errors, never a 500', async () => {
    const post = (options: Call) => call(keysRoute.POST, { method: 'POST', key: full, ...options });
    const cases: [Call, string, string][] = [
      [{ raw: '{"name": ' }, 'invalid_json', '_'],
      [{ raw: '' }, 'invalid_json', '_'],
      [{ raw: '{"name":"x"}', contentType: 'text/plain' }, 'invalid_input', '_'],
      [{ raw: JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) }) }, 'invalid_input', '_'],
      [{ body: [] }, 'invalid_input', '_'],
      [{ body: { name: 'x', projectId: 'p', isWebhookKey: true } }, 'invalid_input', 'isWebhookKey'],
      [{ body: { name: 'nul\u0000byte' } }, 'invalid_input', 'name'],
      [{ body: { name: 'x', permissions: { teleport: 'write' } } }, 'invalid_input', 'permissions.teleport'],
      [{ body: { name: 'x', expiresAt: 'tomorrow' } }, 'invalid_input', 'expiresAt'],
    ];
    for (const [options, code, field] of cases) {
      const answer = await post(options);
      expect(answer.status, JSON.stringify(options).slice(0, 80)).toBe(400);
      const { error } = errorSchema.parse(answer.json);
      expect(error.code).toBe(code);
      expect(Object.keys(error.fields ?? {}), JSON.stringify(error)).toContain(field);
    }
    for (const query of ['?pagesize=5', '?page=abc', '?page=0', '?pageSize=1000', '?page=1&page=2', '?sort=secret']) {
      const answer = await call(keysRoute.GET, { key: full, path: `/keys${query}` });
      expect(answer.status, query).toBe(400);
      expect(errorSchema.parse(answer.json).error.fields).toBeDefined();
    }
    const rotate = await call(rotateRoute.POST, { method: 'POST', key: full, params: { id: 'key_missing' }, body: { gracePeriodSeconds: 30 * 86_400 + 1 } });
    expect(rotate.status).toBe(400);
    const webhook = await call(webhookRoute.PUT, { method: 'PUT', key: full, body: { keyId: 'key_x', extra: 1 } });
    expect(webhook.status).toBe(400);
  });

  it('refuses escalation with 403 and another project’s ids with the 404 of a missing key', async () => {
    const { db } = current();
    const writer = await createKey(db, system, { name: 'writer', permissions: { api_keys: 'write', calls: 'read' } }, { catalogue: diga });
    const full2 = await createKey(db, system, { name: 'full 2' }, { catalogue: diga });
    const escalations = [
      call(keysRoute.POST, { method: 'POST', key: writer.secret, body: { name: 'root again' } }),
      call(keysRoute.POST, { method: 'POST', key: writer.secret, body: { name: 'more', permissions: { calls: 'write' } } }),
      call(keyRoute.PATCH, { method: 'PATCH', key: writer.secret, params: { id: writer.key.id }, body: { permissions: { api_keys: 'write', calls: 'write' } } }),
      call(rotateRoute.POST, { method: 'POST', key: writer.secret, params: { id: full2.key.id }, body: { gracePeriodSeconds: 0 } }),
    ];
    for (const answer of await Promise.all(escalations)) {
      expect(answer.status).toBe(403);
      expect(errorSchema.parse(answer.json).error.code).toBe('forbidden');
    }

    const theirs = await createKey(db, { ...system, projectSlug: 'other' }, { name: 'theirs' }, { catalogue: diga });
    const missing = await call(keyRoute.GET, { key: full, params: { id: 'key_doesnotexist' } });
    expect(missing.status).toBe(404);
    for (const answer of await Promise.all([
      call(keyRoute.GET, { key: full, params: { id: theirs.key.id } }),
      call(keyRoute.PATCH, { method: 'PATCH', key: full, params: { id: theirs.key.id }, body: { name: 'x' } }),
      call(keyRoute.DELETE, { method: 'DELETE', key: full, params: { id: theirs.key.id } }),
      call(rotateRoute.POST, { method: 'POST', key: full, params: { id: theirs.key.id }, body: { gracePeriodSeconds: 0 } }),
      call(webhookRoute.PUT, { method: 'PUT', key: full, body: { keyId: theirs.key.id } }),
    ])) {
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual(missing.json);
    }
  });

  it('lets a restricted key choose or unseat only a webhook key within its own permissions and life', async () => {
    const { db } = current();
    const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
    const writer = await createKey(db, system, { name: 'hook writer', permissions: { api_keys: 'write', calls: 'read' }, expiresAt: days(30) }, { catalogue: diga });
    const stronger = await createKey(db, system, { name: 'hook stronger', permissions: { api_keys: 'write', calls: 'write' }, expiresAt: days(10) }, { catalogue: diga });
    const longer = await createKey(db, system, { name: 'hook longer', permissions: { calls: 'read' } }, { catalogue: diga });
    const weaker = await createKey(db, system, { name: 'hook weaker', permissions: { calls: 'read' }, expiresAt: days(10) }, { catalogue: diga });
    const peer = await createKey(db, system, { name: 'hook peer', permissions: { calls: 'read' }, expiresAt: days(20) }, { catalogue: diga });
    const [{ projectId }] = (await db.select({ projectId: apiKeys.projectId }).from(apiKeys).where(eq(apiKeys.publicId, writer.key.id))) as [{ projectId: string }];
    const state = async () => ({
      webhookKey: (await db.select({ id: apiKeys.publicId }).from(apiKeys).where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.isWebhookKey, true))))[0]?.id,
      changes: (await db.select().from(auditEvents).where(and(eq(auditEvents.projectId, projectId), eq(auditEvents.action, 'webhook_key.changed')))).length,
    });
    const choose = (key: string, keyId: string) => call(webhookRoute.PUT, { method: 'PUT', key, body: { keyId } });
    const refused = async (key: string, keyId: string) => {
      const before = await state();
      const answer = await choose(key, keyId);
      expect(answer.status, keyId).toBe(403);
      expect(errorSchema.parse(answer.json).error.code).toBe('forbidden');
      expect(await state()).toEqual(before);
    };

    // The current webhook key is stronger than the writer: it may not take it away.
    expect((await choose(full, stronger.key.id)).status).toBe(200);
    await refused(writer.secret, weaker.key.id);
    await refused(writer.secret, writer.key.id);

    // Nor may it choose a key with more permission, or one that works longer than itself.
    expect((await choose(full, weaker.key.id)).status).toBe(200);
    await refused(writer.secret, stronger.key.id);
    await refused(writer.secret, longer.key.id);

    // Within its ceiling, both ways, it may.
    const chosen = await choose(writer.secret, peer.key.id);
    expect(chosen.status).toBe(200);
    expect(apiKeySchema(diga).parse(chosen.json)).toMatchObject({ id: peer.key.id, webhook: true });
    expect((await state()).webhookKey).toBe(peer.key.id);
    expect((await choose(writer.secret, writer.key.id)).status).toBe(200);
    // A full-access key has no ceiling.
    expect((await choose(full, longer.key.id)).status).toBe(200);
    expect((await state()).webhookKey).toBe(longer.key.id);
  });

  it('acts on what the database holds, not on a cached verification', async () => {
    const { db } = current();
    const doomed = await createKey(db, system, { name: 'removed elsewhere' }, { catalogue: diga });
    expect((await call(keysRoute.GET, { key: doomed.secret })).status).toBe(200);
    // Deleted by another node: this process's cache still has the key for a few seconds.
    await db.delete(apiKeys).where(eq(apiKeys.publicId, doomed.key.id));
    const refused = await call(keysRoute.POST, { method: 'POST', key: doomed.secret, body: { name: 'ghost' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect((await call(keysRoute.GET, { key: doomed.secret })).status).toBe(401);
  });

  it('limits failed attempts per address: 429 with Retry-After, other addresses unaffected', async () => {
    const address = freshAddress();
    for (let i = 0; i < 100; i++) expect((await call(keysRoute.GET, { authorization: 'Bearer nope', address })).status).toBe(401);
    const limited = await call(keysRoute.GET, { key: full, address });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(errorSchema.parse(limited.json).error.code).toBe('rate_limited');
    expect((await call(keysRoute.GET, { key: full })).status).toBe(200);
  });

  it('answers a key’s usage in the documented shape, to keys holding API Keys at Read in its project', async () => {
    const { db } = current();
    const made = await createKey(db, system, { name: 'counted', permissions: { calls: 'read' } }, { catalogue: diga });
    const reader = (await createKey(db, system, { name: 'reader', permissions: { api_keys: 'read' } }, { catalogue: diga })).secret;
    const [row] = await db.select({ id: apiKeys.id, projectId: apiKeys.projectId }).from(apiKeys).where(eq(apiKeys.publicId, made.key.id));
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    const at = (minutes: number, code: string, count: number) => ({ apiKeyId: row!.id, projectId: row!.projectId, minute: hour + minutes * 60_000, code, count });
    await writeCounts(db, [at(5, 'VALID', 4), at(5, 'INSUFFICIENT_PERMISSIONS', 2), at(70, 'VALID', 1)]);
    const usage = (query: string, key = reader, id = made.key.id) => call(usageRoute.GET, { key, path: `/keys/${id}/usage?${query}`, params: { id } });

    const from = new Date(hour).toISOString();
    const answer = await usage(`from=${from}&granularity=hour`);
    expect(answer.status).toBe(200);
    const body = keyUsageSchema.parse(answer.json);
    expect(body).toMatchObject({ keyId: made.key.id, from, granularity: 'hour', totals: { VALID: 5, INSUFFICIENT_PERMISSIONS: 2 } });
    expect(body.buckets.slice(0, 2)).toEqual([
      { start: from, counts: { VALID: 4, INSUFFICIENT_PERMISSIONS: 2 } },
      { start: new Date(hour + 3_600_000).toISOString(), counts: { VALID: 1 } },
    ]);

    expect((await usage('granularity=fortnight')).json).toMatchObject({ error: { code: 'invalid_input', fields: { granularity: [expect.any(String)] } } });
    expect((await usage('from=soon')).json).toMatchObject({ error: { fields: { from: [expect.any(String)] } } });
    expect((await usage(`from=${from}`, made.secret)).status).toBe(403);
    const outsider = (await createKey(db, { type: 'system', projectSlug: 'other', label: 'test' }, { name: 'outsider' }, { catalogue: diga })).secret;
    expect((await usage('', outsider)).status).toBe(404);
  });

  it('serves the OpenAPI document without a key', async () => {
    const answer = await call(openApiRoute.GET);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ openapi: '3.1.0' });
  });
});

describe('errorResponseParts', () => {
  it('maps a DomainError thrown by the other copy of lib/ (server.ts beside Next’s bundle)', () => {
    const foreign = Object.assign(new Error('Unknown resource.'), { name: 'DomainError', code: 'invalid_input', fieldErrors: { 'require.x': ['Unknown.'] } });
    expect(errorResponseParts(foreign)).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: 'Unknown resource.', fields: { 'require.x': ['Unknown.'] } } } });
    expect(errorResponseParts(Object.assign(new Error('x'), { name: 'DomainError', code: 'toString' })).status).toBe(500);
  });
});

describe('authenticate', () => {
  it('reads only "Bearer <token>"', () => {
    expect(bearerToken('Bearer kw_abc')).toBe('kw_abc');
    expect(bearerToken('bearer  kw_abc ')).toBe('kw_abc');
    for (const header of [null, '', 'Bearer', 'Bearer a b', 'Token kw_abc', 'Basic a']) expect(bearerToken(header)).toBe('');
  });

  it('lifts the limit when the window ends', async () => {
    let now = 0;
    const limiter = new FailureLimiter(2, 1000);
    const keys = new Verifier({ getDb, catalogue: () => diga, cache: null, usage: new UsageRecorder(getDb), limiter, now: () => new Date(now) });
    const original = Date.now;
    Date.now = () => now;
    try {
      const headers = new Headers({ authorization: 'Bearer nope' });
      expect(await authenticate(headers, 'a', keys)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect(await authenticate(headers, 'a', keys)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect(await authenticate(headers, 'a', keys)).toMatchObject({ ok: false, error: { code: 'rate_limited' }, retryAfterSeconds: 1 });
      now = 1000;
      expect(await authenticate(headers, 'a', keys)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    } finally {
      Date.now = original;
    }
  });
});
