import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, keyUsage } from '@/db/schema';
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
import { getKeysActivity, getKeyUsage, getProjectUsage } from './query';
import { rollUpUsage, usageRetention } from './rollup';
import { writeCounts } from './store';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('VerificationCounts', () => {
  it('counts per key, minute and code, and writes them all in one statement per flush', async () => {
    const written: unknown[][] = [];
    const counts = new VerificationCounts(async (rows) => void written.push(rows), 60_000);
    const t = Date.parse('2030-01-01T00:00:30Z');
    counts.add('k1', 'p', 'VALID', t);
    counts.add('k1', 'p', 'VALID', t + 10_000);
    counts.add('k1', 'p', 'EXPIRED', t + 10_000);
    counts.add('k2', 'p', 'VALID', t + 40_000); // the next minute
    expect(counts.pending()).toBe(4);
    await counts.flush();
    expect(written).toHaveLength(1);
    expect(written[0]).toEqual(
      expect.arrayContaining([
        { apiKeyId: 'k1', projectId: 'p', minute: Date.parse('2030-01-01T00:00:00Z'), code: 'VALID', count: 2 },
        { apiKeyId: 'k1', projectId: 'p', minute: Date.parse('2030-01-01T00:00:00Z'), code: 'EXPIRED', count: 1 },
        { apiKeyId: 'k2', projectId: 'p', minute: Date.parse('2030-01-01T00:01:00Z'), code: 'VALID', count: 1 },
      ]),
    );
    expect(written[0]).toHaveLength(3);
    expect(counts.pending()).toBe(0);
    await counts.flush(); // nothing counted: nothing written
    expect(written).toHaveLength(1);
  });

  it('keeps what a failed write held and adds it to the next one', async () => {
    let fail = true;
    const written: { count: number }[][] = [];
    const counts = new VerificationCounts(async (rows) => {
      if (fail) throw new Error('database away');
      written.push(rows);
    }, 60_000);
    const t = Date.parse('2030-01-01T00:00:00Z');
    for (let i = 0; i < 5; i++) counts.add('k', 'p', 'VALID', t);
    await counts.flush();
    expect(counts.pending()).toBe(5);
    for (let i = 0; i < 3; i++) counts.add('k', 'p', 'VALID', t + 1_000);
    fail = false;
    await counts.flush();
    expect(written).toEqual([[expect.objectContaining({ count: 8 })]]);
    expect(counts.written).toEqual({ statements: 1, rows: 1, answers: 8 });
  });
});

describeEachDatabase('usage', (current) => {
  const system: Actor = { type: 'system', projectSlug: 'usage', label: 'test' };
  const other: Actor = { type: 'system', projectSlug: 'usage-other', label: 'test' };
  let clock = Date.parse('2030-01-01T00:00:00Z');

  beforeAll(async () => {
    await createProject(current().db, { slug: 'usage' });
    await createProject(current().db, { slug: 'usage-other' });
  });

  const internal = async (publicId: string) => (await current().db.select().from(apiKeys).where(eq(apiKeys.publicId, publicId)))[0]!;
  const stored = async (apiKeyId: string) => {
    const rows = await current().db.select().from(keyUsage).where(eq(keyUsage.apiKeyId, apiKeyId));
    return rows.map(({ granularity, periodStart, code, count }) => ({ granularity, start: periodStart.toISOString(), code, count }));
  };

  it('counts every answer about a key exactly, through the verifier, and writes once per flush', async () => {
    const { db } = current();
    const full = await createKey(db, system, { name: 'counted' }, { catalogue: diga });
    const reader = await createKey(db, system, { name: 'reader', permissions: { calls: 'read' } }, { catalogue: diga });
    const counts = VerificationCounts.forDatabase(() => db, 60_000);
    const verifier = new Verifier({
      getDb: () => db,
      catalogue: () => diga,
      cache: new VerifyCache({ maxEntries: 100, ttlMs: 60_000 }),
      usage: new UsageRecorder(() => db),
      counts,
      limiter: new FailureLimiter(1_000_000),
      now: () => new Date(clock),
    });
    // 40 valid (cached after the first), 7 refused for permissions, 3 unknown keys (not counted).
    for (let i = 0; i < 40; i++) await verifier.verify(full.secret, undefined, '192.0.2.1');
    for (let i = 0; i < 7; i++) await verifier.verify(reader.secret, { calls: 'write' }, '192.0.2.1');
    for (let i = 0; i < 3; i++) await verifier.verify(`kw_${'x'.repeat(38)}`, undefined, '192.0.2.1');
    clock += 60_000;
    for (let i = 0; i < 5; i++) await verifier.verify(reader.secret, { calls: 'read' }, '192.0.2.1', '2001:db8::7');
    expect(counts.pending()).toBe(52);
    await verifier.flushUsage();
    // 40 + 7 in the first minute, 5 in the next: three rows in one statement.
    expect(verifier.countsWritten()).toEqual({ statements: 1, rows: 3, answers: 52 });

    const fullId = (await internal(full.key.id)).id;
    const readerRow = await internal(reader.key.id);
    expect(await stored(fullId)).toEqual([{ granularity: 'minute', start: '2030-01-01T00:00:00.000Z', code: 'VALID', count: 40 }]);
    expect(await stored(readerRow.id)).toEqual(
      expect.arrayContaining([
        { granularity: 'minute', start: '2030-01-01T00:00:00.000Z', code: 'INSUFFICIENT_PERMISSIONS', count: 7 },
        { granularity: 'minute', start: '2030-01-01T00:01:00.000Z', code: 'VALID', count: 5 },
      ]),
    );
    // The key's last use is recorded with the address the verify call reported.
    expect(readerRow.lastUsedAddress).toBe('2001:db8::7');
  });

  it('adds what several nodes write for one minute, never overwriting', async () => {
    const { db } = current();
    const key = await internal((await createKey(db, system, { name: 'two nodes' }, { catalogue: diga })).key.id);
    const minute = Date.parse('2030-01-01T00:05:00Z');
    const row = (count: number) => ({ apiKeyId: key.id, projectId: key.projectId, minute, code: 'VALID', count });
    await Promise.all([writeCounts(db, [row(3)]), writeCounts(db, [row(4)]), writeCounts(db, [row(5)])]);
    expect(await stored(key.id)).toEqual([{ granularity: 'minute', start: '2030-01-01T00:05:00.000Z', code: 'VALID', count: 12 }]);
  });

  it('rolls minutes up to hours after 48 hours and hours to days after 90 days, once under concurrent passes', async () => {
    const { db } = current();
    const key = await internal((await createKey(db, system, { name: 'rolled' }, { catalogue: diga })).key.id);
    const base = Date.parse('2030-03-01T00:00:00Z');
    const rows = [
      { minute: base + 10 * 60_000, code: 'VALID', count: 2 },
      { minute: base + 50 * 60_000, code: 'VALID', count: 3 },
      { minute: base + 50 * 60_000, code: 'EXPIRED', count: 1 },
      { minute: base + HOUR + 5 * 60_000, code: 'VALID', count: 4 },
    ].map((r) => ({ ...r, apiKeyId: key.id, projectId: key.projectId }));
    await writeCounts(db, rows);
    const retention = usageRetention();

    // 47 hours on: nothing moves yet.
    await rollUpUsage(db, new Date(base + 47 * HOUR), retention);
    expect(await stored(key.id)).toHaveLength(4);

    // 50 hours on, three nodes at once: each minute is summed into its hour exactly once.
    await Promise.all([0, 1, 2].map(() => rollUpUsage(db, new Date(base + 50 * HOUR), retention)));
    expect(await stored(key.id)).toEqual(
      expect.arrayContaining([
        { granularity: 'hour', start: '2030-03-01T00:00:00.000Z', code: 'VALID', count: 5 },
        { granularity: 'hour', start: '2030-03-01T00:00:00.000Z', code: 'EXPIRED', count: 1 },
        { granularity: 'hour', start: '2030-03-01T01:00:00.000Z', code: 'VALID', count: 4 },
      ]),
    );
    expect(await stored(key.id)).toHaveLength(3);

    // 92 days on: hours become the day.
    await Promise.all([0, 1].map(() => rollUpUsage(db, new Date(base + 92 * DAY), retention)));
    expect(await stored(key.id)).toEqual(
      expect.arrayContaining([
        { granularity: 'day', start: '2030-03-01T00:00:00.000Z', code: 'VALID', count: 9 },
        { granularity: 'day', start: '2030-03-01T00:00:00.000Z', code: 'EXPIRED', count: 1 },
      ]),
    );
    expect(await stored(key.id)).toHaveLength(2);

    // Past retention: gone.
    await rollUpUsage(db, new Date(base + 401 * DAY), retention);
    expect(await stored(key.id)).toEqual([]);
  });

  it('answers a key’s buckets, the table’s activity and the project’s top keys, inside the actor’s project', async () => {
    const { db } = current();
    const made = await createKey(db, system, { name: 'charted' }, { catalogue: diga });
    const key = await internal(made.key.id);
    const now = new Date('2030-06-10T12:30:00Z');
    const at = (iso: string) => Date.parse(iso);
    await writeCounts(
      db,
      [
        { minute: at('2030-06-10T12:01:00Z'), code: 'VALID', count: 6 },
        { minute: at('2030-06-10T11:59:00Z'), code: 'VALID', count: 2 },
        { minute: at('2030-06-10T11:58:00Z'), code: 'INSUFFICIENT_PERMISSIONS', count: 3 },
        { minute: at('2030-06-08T09:00:00Z'), code: 'VALID', count: 10 },
      ].map((r) => ({ ...r, apiKeyId: key.id, projectId: key.projectId })),
    );

    const usage = await getKeyUsage(db, system, made.key.id, { from: '2030-06-10T11:00:00Z', to: now.toISOString(), granularity: 'hour' }, { now });
    expect(usage.buckets).toEqual([
      { start: '2030-06-10T11:00:00.000Z', counts: { VALID: 2, INSUFFICIENT_PERMISSIONS: 3 } },
      { start: '2030-06-10T12:00:00.000Z', counts: { VALID: 6 } },
    ]);
    expect(usage.totals).toEqual({ VALID: 8, INSUFFICIENT_PERMISSIONS: 3 });

    const activity = await getKeysActivity(db, system, [made.key.id], { now });
    expect(activity.get(made.key.id)).toEqual({ total: 21, daily: [0, 0, 0, 0, 10, 0, 11] });

    const project = await getProjectUsage(db, system, '7d', { now });
    expect(project.byVolume[0]).toEqual({ id: made.key.id, name: 'charted', total: 21, refused: 3 });
    expect(project.byRefusals.map((k) => k.id)).toContain(made.key.id);

    // Another project's key is not found, and bad queries name their field.
    await expect(getKeyUsage(db, other, made.key.id, {})).rejects.toMatchObject({ code: 'not_found' });
    expect((await getKeysActivity(db, other, [made.key.id], { now })).get(made.key.id)).toEqual({ total: 0, daily: [0, 0, 0, 0, 0, 0, 0] });
    await expect(getKeyUsage(db, system, made.key.id, { granularity: 'week' })).rejects.toMatchObject({ code: 'invalid_input', fieldErrors: { granularity: expect.any(Array) } });
    await expect(getKeyUsage(db, system, made.key.id, { from: '2030-01-01T00:00:00Z', to: '2030-03-01T00:00:00Z', granularity: 'minute' })).rejects.toMatchObject({
      fieldErrors: { granularity: expect.any(Array) },
    });
    await expect(getKeyUsage(db, system, made.key.id, { from: '2030-03-01T00:00:00Z', to: '2030-01-01T00:00:00Z' })).rejects.toMatchObject({ fieldErrors: { from: expect.any(Array) } });
  });

  it('stores no secret', async () => {
    const { db } = current();
    const made = await createKey(db, system, { name: 'secretless' }, { catalogue: diga });
    const text = JSON.stringify(await db.execute(sql`select * from key_usage`));
    expect(text).not.toContain(made.secret);
    expect(text).not.toContain(made.secret.slice(3, 20));
  });
});
