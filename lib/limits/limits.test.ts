import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { VerificationCounts } from '@/lib/verify/counts';
import { FailureLimiter } from '@/lib/verify/failure-limiter';
import { UsageRecorder } from '@/lib/verify/usage';
import { Verifier } from '@/lib/verify/verifier';
import { VerifyCache } from '@/lib/verify/cache';
import { UsageCaps } from './caps';
import { LimitExchange } from './exchange';
import { RateLimits } from './rate';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

/** One node: its own cache, counts and share of the limits, on the shared database. */
function node(db: () => Db, clock: () => number) {
  const limits = { rates: new RateLimits(), caps: new UsageCaps() };
  const counts = new VerificationCounts(async () => {}, 60_000);
  const verifier = new Verifier({
    getDb: db,
    catalogue: () => diga,
    cache: new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 }),
    usage: new UsageRecorder(db),
    counts,
    limiter: new FailureLimiter(1_000_000),
    now: () => new Date(clock()),
    limits,
  });
  const exchange = new LimitExchange(db, limits.rates, limits.caps, 500, clock);
  const verify = async (secret: string, from = '192.0.2.10', require?: Record<string, string>) => {
    const outcome = await verifier.verify(secret, require, '127.0.0.1', from);
    return { code: outcome.result.code, retryAfterSeconds: outcome.retryAfterSeconds };
  };
  return { verify, exchange, counts };
}

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
    const one = node(() => current().db, now);
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
    const one = node(() => current().db, now);
    clock = Date.parse('2030-03-10T12:00:00Z');
    for (let i = 0; i < 3; i++) expect((await one.verify(key.secret)).code).toBe('VALID');
    const refused = await one.verify(key.secret);
    expect(refused).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    clock += refused.retryAfterSeconds! * 1000;
    expect((await one.verify(key.secret)).code).toBe('VALID');
  });

  it('spends a usage cap exactly on one node, refuses at zero, and refills at the start of the next day', async () => {
    const key = await limitedKey('capped', { usageRemaining: 5, usageCap: 5, usageRefillAmount: 5, usageRefillInterval: 'day', usageRefilledAt: new Date('2030-03-10T00:00:00Z') });
    const one = node(() => current().db, now);
    clock = Date.parse('2030-03-10T15:00:00Z');
    // Refused for permissions: spends nothing.
    const reader = await limitedKey('capped reader', { permissions: { calls: 'read' }, usageRemaining: 1, usageCap: 1 });
    expect((await one.verify(reader.secret, undefined, { calls: 'write' })).code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await one.verify(reader.secret)).code).toBe('VALID');
    expect((await one.verify(reader.secret)).code).toBe('USAGE_EXCEEDED');

    for (let i = 0; i < 5; i++) expect((await one.verify(key.secret)).code).toBe('VALID');
    expect((await one.verify(key.secret)).code).toBe('USAGE_EXCEEDED');
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
    const nodes = [node(() => current().db, now), node(() => current().db, now)];
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
