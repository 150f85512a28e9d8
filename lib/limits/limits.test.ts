import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { apiKeys, auditEvents } from '@/db/schema';
import { authenticate } from '@/lib/api/bearer';
import { hashKey } from '@/lib/keys/crypto';
import { getKey } from '@/lib/keys/find';
import { updateKey } from '@/lib/keys/manage';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { limitNode } from '@/lib/testing/limit-node';
import { FailureLimiter } from '@/lib/verify/failure-limiter';
import { UsageRecorder } from '@/lib/verify/usage';
import { Verifier } from '@/lib/verify/verifier';
import { UsageCaps } from './caps';
import { RateLimits } from './rate';
import { FEWER_LIMITS_MESSAGE } from './schemas';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

describeEachDatabase('limits at verify time', (current) => {
  const system: Actor = { type: 'system', projectSlug: 'limits', label: 'test' };
  let clock = Date.parse('2030-03-10T12:00:00Z');
  const now = () => clock;

  beforeAll(async () => {
    await createProject(current().db, { slug: 'limits' });
  });

  async function limitedKey(name: string, limits: Partial<typeof apiKeys.$inferInsert>) {
    const { db } = current();
    const made = await createKey(db, system, { name }, { catalogue: diga });
    const [row] = await db.update(apiKeys).set(limits).where(eq(apiKeys.publicId, made.key.id)).returning();
    return { secret: made.secret, row: row! };
  }

  it('refuses a client outside the allowed addresses, and counts the refusal', async () => {
    const key = await limitedKey('allowlisted', { allowedAddresses: ['192.0.2.0/24', '2001:db8::/32'] });
    const one = limitNode(() => current().db, now);
    expect(await one.verify(key.secret, '192.0.2.77')).toEqual({ code: 'VALID' });
    expect(await one.verify(key.secret, '2001:db8:1::5')).toEqual({ code: 'VALID' });
    expect(await one.verify(key.secret, '198.51.100.1')).toEqual({ code: 'ADDRESS_NOT_ALLOWED' });
    expect(await one.verify(key.secret, '::ffff:192.0.2.1')).toEqual({ code: 'VALID' });
    // Checked before permissions: an outsider learns nothing of what the key may do.
    expect(await one.verify(key.secret, '203.0.113.9', { calls: 'write' })).toEqual({ code: 'ADDRESS_NOT_ALLOWED' });
    expect(one.counts.pending()).toBe(5);
  });

  it('rate-limits a key, telling when to retry, and lets it in again as the window slides', async () => {
    const key = await limitedKey('rate limited', { rateLimit: 3, rateLimitWindowSeconds: 10 });
    const one = limitNode(() => current().db, now);
    clock = Date.parse('2030-03-10T12:00:00Z');
    for (let i = 0; i < 3; i++) expect((await one.verify(key.secret)).code).toBe('VALID');
    const refused = await one.verify(key.secret);
    expect(refused).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    clock += refused.retryAfterSeconds! * 1000;
    expect((await one.verify(key.secret)).code).toBe('VALID');
  });

  it('spends a usage cap exactly on one node, refuses at zero, and refills at the start of the next day', async () => {
    const key = await limitedKey('capped', { usageRemaining: 5, usageCap: 5, usageRefillAmount: 5, usageRefillInterval: 'day', usageRefilledAt: new Date('2030-03-10T00:00:00Z') });
    const one = limitNode(() => current().db, now);
    clock = Date.parse('2030-03-10T15:00:00Z');
    // Refused for permissions: spends nothing.
    const reader = await limitedKey('capped reader', { permissions: { calls: 'read' }, usageRemaining: 1, usageCap: 1 });
    expect(await one.verify(reader.secret, undefined, { calls: 'write' })).toEqual({ code: 'INSUFFICIENT_PERMISSIONS', missing: { calls: 'write' } });
    expect((await one.verify(reader.secret)).code).toBe('VALID');
    // No refill: it works again only once its uses are raised.
    expect(await one.verify(reader.secret)).toEqual({ code: 'USAGE_EXCEEDED', retryAfterSeconds: null });

    for (let i = 0; i < 5; i++) expect((await one.verify(key.secret)).code).toBe('VALID');
    // Refused until the next UTC day, nine hours away.
    expect(await one.verify(key.secret)).toEqual({ code: 'USAGE_EXCEEDED', retryAfterSeconds: 9 * 3600 });
    await one.exchange.exchange();
    const stored = async () => (await current().db.select().from(apiKeys).where(eq(apiKeys.id, key.row.id)))[0]!;
    expect((await stored()).usageRemaining).toBe(0);
    // The next UTC day: five more, and the refill is stored by the next exchange.
    clock = Date.parse('2030-03-11T00:00:01Z');
    for (let i = 0; i < 5; i++) expect((await one.verify(key.secret)).code).toBe('VALID');
    expect((await one.verify(key.secret)).code).toBe('USAGE_EXCEEDED');
    await one.exchange.exchange();
    expect(await stored()).toMatchObject({ usageRemaining: 0, usageRefilledAt: new Date('2030-03-11T00:00:00Z') });
  });

  it('shares limits across two nodes through the exchange, overshooting by at most one interval of the other node’s traffic', async () => {
    const rate = await limitedKey('two nodes, rate', { rateLimit: 100, rateLimitWindowSeconds: 60 });
    const capped = await limitedKey('two nodes, cap', { usageRemaining: 100, usageCap: 100 });
    const nodes = [limitNode(() => current().db, now), limitNode(() => current().db, now)];
    clock = Date.parse('2030-03-10T13:00:00Z');
    const admitted = { rate: 0, cap: 0 };
    const perInterval = 40;
    // Each node answers 40 verifications of each key per 500 ms interval, and exchanges at the end
    // of its interval, the second node 250 ms after the first.
    for (let step = 0; step < 20; step++) {
      for (const [i, one] of nodes.entries()) {
        for (let n = 0; n < perInterval / 2; n++) {
          if ((await one.verify(rate.secret)).code === 'VALID') admitted.rate++;
          if ((await one.verify(capped.secret)).code === 'VALID') admitted.cap++;
        }
        clock += 125;
        if (step % 2 === i) await one.exchange.exchange();
      }
    }
    for (const one of nodes) await one.exchange.exchange();
    const [row] = await current().db.select().from(apiKeys).where(eq(apiKeys.id, capped.row.id));
    const overshoot = { rate: admitted.rate - 100, cap: admitted.cap - 100 };
    console.log(`two nodes, ${perInterval} verifications a key per node per 500 ms interval: rate limit 100/min admitted ${admitted.rate} (overshoot ${overshoot.rate}), usage cap 100 spent ${admitted.cap} (overshoot ${overshoot.cap})`);
    expect(admitted.rate).toBeGreaterThanOrEqual(100);
    expect(admitted.cap).toBeGreaterThanOrEqual(100);
    expect(overshoot.rate).toBeLessThanOrEqual(perInterval);
    expect(overshoot.cap).toBeLessThanOrEqual(perInterval);
    // What every node spent reached the database, floored at zero.
    expect(row!.usageRemaining).toBe(0);
  });
});

describeEachDatabase('limits through the key API', (current) => {
  const system: Actor = { type: 'system', projectSlug: 'limits-api', label: 'test' };
  const now = new Date('2030-05-05T10:00:00Z');
  const asKey = (secret: string): Actor => ({ type: 'api_key', keyHash: hashKey(secret), clientAddress: '203.0.113.5' });

  beforeAll(async () => {
    await createProject(current().db, { slug: 'limits-api' });
  });

  it('creates a key with limits, shows them, and records them', async () => {
    const { db } = current();
    const made = await createKey(
      db,
      system,
      { name: 'limited', allowedAddresses: ['203.0.113.9/24', '2001:DB8::1'], rateLimit: { limit: 10, windowSeconds: 60 }, usage: { remaining: 500, refill: { amount: 1000, interval: 'month' } } },
      { catalogue: diga, now },
    );
    expect(made.key).toMatchObject({
      allowedAddresses: ['203.0.113.0/24', '2001:db8::1'],
      rateLimit: { limit: 10, windowSeconds: 60 },
      usage: { remaining: 500, refill: { amount: 1000, interval: 'month' } },
    });
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.targetId, made.key.id), eq(auditEvents.action, 'api_key.created')));
    expect(event!.metadata).toMatchObject({ allowedAddresses: ['203.0.113.0/24', '2001:db8::1'], rateLimit: { limit: 10, windowSeconds: 60 }, usage: { remaining: 500 } });
    // The refill is due at the start of next month: read then, the key shows the refilled count.
    expect((await getKey(db, system, made.key.id, { catalogue: diga, now: new Date('2030-06-01T00:00:01Z') })).usage).toEqual({ remaining: 1000, refill: { amount: 1000, interval: 'month' } });
    // A plain key has none.
    expect((await createKey(db, system, { name: 'plain' }, { catalogue: diga })).key).toMatchObject({ allowedAddresses: null, rateLimit: null, usage: null });
  });

  it('names every bad address line and each bad field, and writes nothing', async () => {
    const { db } = current();
    const before = (await db.select().from(apiKeys)).length;
    await expect(createKey(db, system, { name: 'bad', allowedAddresses: ['192.0.2.1', 'example.com', '0.0.0.0/0'] }, { catalogue: diga })).rejects.toMatchObject({
      code: 'invalid_input',
      fieldErrors: { 'allowedAddresses.1': ['line 2: not an address or range'], 'allowedAddresses.2': ['line 3: 0.0.0.0/0 allows every address: leave the list empty instead'] },
    });
    await expect(createKey(db, system, { name: 'bad', rateLimit: { limit: 0, windowSeconds: 7200 } }, { catalogue: diga })).rejects.toMatchObject({
      fieldErrors: { 'rateLimit.limit': [expect.any(String)], 'rateLimit.windowSeconds': ['rateLimit.windowSeconds must be at most 3600 (an hour).'] },
    });
    await expect(createKey(db, system, { name: 'bad', usage: { remaining: -1, refill: { amount: 5, interval: 'week' as 'day' } } }, { catalogue: diga })).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await db.select().from(apiKeys)).length).toBe(before);
  });

  it('edits and removes limits, each change audited with its old and new value', async () => {
    const { db } = current();
    const made = await createKey(db, system, { name: 'edited', rateLimit: { limit: 5, windowSeconds: 1 } }, { catalogue: diga });
    const edited = await updateKey(db, system, made.key.id, { rateLimit: null, usage: { remaining: 3 } }, { catalogue: diga });
    expect(edited).toMatchObject({ rateLimit: null, usage: { remaining: 3, refill: null } });
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.targetId, made.key.id), eq(auditEvents.action, 'api_key.updated')));
    expect(event!.metadata).toEqual({ rateLimit: { from: { limit: 5, windowSeconds: 1 }, to: null }, usage: { from: null, to: { remaining: 3, refill: null } } });
  });

  it('lets a limited key make only keys limited at least as much', async () => {
    const { db } = current();
    const parent = await createKey(
      db,
      system,
      { name: 'parent', allowedAddresses: ['203.0.113.0/24'], rateLimit: { limit: 60, windowSeconds: 60 }, usage: { remaining: 100 } },
      { catalogue: diga },
    );
    const actor = asKey(parent.secret);
    const within = { allowedAddresses: ['203.0.113.128/25'], rateLimit: { limit: 1, windowSeconds: 1 }, usage: { remaining: 50 } };
    const child = await createKey(db, actor, { name: 'child', ...within }, { catalogue: diga });
    for (const fewer of [
      { ...within, allowedAddresses: null },
      { ...within, allowedAddresses: ['198.51.100.0/24'] },
      { ...within, allowedAddresses: ['203.0.0.0/16'] },
      { ...within, rateLimit: null },
      { ...within, rateLimit: { limit: 2, windowSeconds: 1 } },
      { ...within, usage: null },
      { ...within, usage: { remaining: 101 } },
      { ...within, usage: { remaining: 1, refill: { amount: 1, interval: 'day' as const } } },
    ]) {
      await expect(createKey(db, actor, { name: 'escalating', ...fewer }, { catalogue: diga })).rejects.toMatchObject({ code: 'forbidden', message: FEWER_LIMITS_MESSAGE });
    }
    await expect(updateKey(db, actor, child.key.id, { rateLimit: null }, { catalogue: diga })).rejects.toMatchObject({ code: 'forbidden' });
    // The system (and people in the console) are not limited.
    expect(await updateKey(db, system, child.key.id, { rateLimit: null }, { catalogue: diga })).toMatchObject({ rateLimit: null });
  });

  it('holds a key’s limits for REST calls made with it', async () => {
    const { db } = current();
    const limited = await createKey(db, system, { name: 'rest limited', allowedAddresses: ['192.0.2.0/24'], usage: { remaining: 1 } }, { catalogue: diga });
    const verifier = new Verifier({
      getDb: () => db,
      catalogue: () => diga,
      cache: null,
      usage: new UsageRecorder(() => db),
      limiter: new FailureLimiter(1_000_000),
      limits: { rates: new RateLimits(), caps: new UsageCaps() },
    });
    const headers = new Headers({ authorization: `Bearer ${limited.secret}` });
    expect(await authenticate(headers, '198.51.100.7', verifier)).toMatchObject({ ok: false, error: { code: 'address_not_allowed' } });
    expect(await authenticate(headers, '192.0.2.7', verifier)).toMatchObject({ ok: true });
    expect(await authenticate(headers, '192.0.2.7', verifier)).toMatchObject({ ok: false, error: { code: 'usage_exceeded' } });
    const rated = await createKey(db, system, { name: 'rest rated', rateLimit: { limit: 1, windowSeconds: 60 } }, { catalogue: diga });
    const bearer = new Headers({ authorization: `Bearer ${rated.secret}` });
    expect(await authenticate(bearer, '192.0.2.7', verifier)).toMatchObject({ ok: true });
    expect(await authenticate(bearer, '192.0.2.7', verifier)).toMatchObject({ ok: false, error: { code: 'rate_limited', message: expect.stringContaining('rate limit') }, retryAfterSeconds: expect.any(Number) });
  });
});
