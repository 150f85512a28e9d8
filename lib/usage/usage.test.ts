import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, keyUsage, projectUsage, type UsageGranularity } from '@/db/schema';
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
import { getKeysActivity, getKeyUsage, getProjectUsage, storedGrain } from './query';
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
  /** A key's rows of one grain (all grains: `null`). */
  const stored = async (apiKeyId: string, grain: UsageGranularity | null = 'minute') => {
    const rows = await current()
      .db.select()
      .from(keyUsage)
      .where(and(eq(keyUsage.apiKeyId, apiKeyId), grain ? eq(keyUsage.granularity, grain) : undefined));
    return rows.map(({ granularity, periodStart, code, count }) => ({ granularity, start: periodStart.toISOString(), code, count }));
  };
  const projectRows = async (projectId: string) => {
    const rows = await current().db.select().from(projectUsage).where(eq(projectUsage.projectId, projectId));
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
    // The same counts at the coarser grains, written by the same statement.
    expect(await stored(fullId, 'day')).toEqual([{ granularity: 'day', start: '2030-01-01T00:00:00.000Z', code: 'VALID', count: 40 }]);
    expect(await stored(readerRow.id, 'hour')).toEqual(
      expect.arrayContaining([
        { granularity: 'hour', start: '2030-01-01T00:00:00.000Z', code: 'INSUFFICIENT_PERMISSIONS', count: 7 },
        { granularity: 'hour', start: '2030-01-01T00:00:00.000Z', code: 'VALID', count: 5 },
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
    expect(await stored(key.id, null)).toEqual(
      expect.arrayContaining([
        { granularity: 'minute', start: '2030-01-01T00:05:00.000Z', code: 'VALID', count: 12 },
        { granularity: 'hour', start: '2030-01-01T00:00:00.000Z', code: 'VALID', count: 12 },
        { granularity: 'day', start: '2030-01-01T00:00:00.000Z', code: 'VALID', count: 12 },
      ]),
    );
    expect(await stored(key.id, null)).toHaveLength(3);
  });

  it('writes every grain at once, for the key and its project; drops minutes after 48 hours, hours after 90 days, days after 400', async () => {
    const { db } = current();
    await createProject(db, { slug: 'usage-kept' });
    const kept: Actor = { type: 'system', projectSlug: 'usage-kept', label: 'test' };
    const key = await internal((await createKey(db, kept, { name: 'kept' }, { catalogue: diga })).key.id);
    const twin = await internal((await createKey(db, kept, { name: 'kept too' }, { catalogue: diga })).key.id);
    const base = Date.parse('2030-03-01T00:00:00Z');
    const rows = [
      { apiKeyId: key.id, minute: base + 10 * 60_000, code: 'VALID', count: 2 },
      { apiKeyId: key.id, minute: base + 50 * 60_000, code: 'VALID', count: 3 },
      { apiKeyId: key.id, minute: base + 50 * 60_000, code: 'EXPIRED', count: 1 },
      { apiKeyId: key.id, minute: base + HOUR + 5 * 60_000, code: 'VALID', count: 4 },
      { apiKeyId: twin.id, minute: base + 10 * 60_000, code: 'VALID', count: 7 },
    ].map((r) => ({ ...r, projectId: key.projectId }));
    await writeCounts(db, rows);
    const retention = usageRetention();
    const at = (grain: UsageGranularity, iso: string, code: string, count: number) => ({ granularity: grain, start: `2030-03-01T${iso}:00.000Z`, code, count });
    const hours = [at('hour', '00:00', 'VALID', 5), at('hour', '00:00', 'EXPIRED', 1), at('hour', '01:00', 'VALID', 4)];
    const days = [at('day', '00:00', 'VALID', 9), at('day', '00:00', 'EXPIRED', 1)];
    expect(await stored(key.id, 'hour')).toEqual(expect.arrayContaining(hours));
    expect(await stored(key.id, 'day')).toEqual(expect.arrayContaining(days));
    // The project's rows sum its keys.
    const projectDays = [at('day', '00:00', 'VALID', 16), at('day', '00:00', 'EXPIRED', 1)];
    expect(await projectRows(key.projectId)).toEqual(
      expect.arrayContaining([at('minute', '00:10', 'VALID', 9), at('hour', '00:00', 'VALID', 12), ...projectDays]),
    );
    expect(await projectRows(key.projectId)).toHaveLength(4 + 3 + 2);

    // 47 hours on: nothing goes yet.
    await rollUpUsage(db, new Date(base + 47 * HOUR), retention);
    expect(await stored(key.id, null)).toHaveLength(4 + 3 + 2);

    // 50 hours on, three nodes at once: the minute rows are gone, the hours and days hold them.
    await Promise.all([0, 1, 2].map(() => rollUpUsage(db, new Date(base + 50 * HOUR), retention)));
    expect(await stored(key.id, null)).toEqual(expect.arrayContaining([...hours, ...days]));
    expect(await stored(key.id, null)).toHaveLength(3 + 2);
    expect(await projectRows(key.projectId)).toHaveLength(3 + 2);

    // 92 days on: the day alone.
    await Promise.all([0, 1].map(() => rollUpUsage(db, new Date(base + 92 * DAY), retention)));
    expect(await stored(key.id, null)).toEqual(expect.arrayContaining(days));
    expect(await stored(key.id, null)).toHaveLength(2);
    expect(await projectRows(key.projectId)).toEqual(expect.arrayContaining(projectDays));
    expect(await projectRows(key.projectId)).toHaveLength(2);

    // Past retention: gone.
    await rollUpUsage(db, new Date(base + 401 * DAY), retention);
    expect(await stored(key.id, null)).toEqual([]);
    expect(await projectRows(key.projectId)).toEqual([]);
  });

  it('reads a range from the finest grain still kept that far back', () => {
    const now = new Date('2030-06-10T12:00:00Z');
    const retention = usageRetention();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    expect(storedGrain('minute', ago(47 * HOUR), now, retention)).toBe('minute');
    expect(storedGrain('minute', ago(49 * HOUR), now, retention)).toBe('hour');
    expect(storedGrain('hour', ago(30 * DAY), now, retention)).toBe('hour');
    expect(storedGrain('hour', ago(91 * DAY), now, retention)).toBe('day');
    expect(storedGrain('minute', ago(91 * DAY), now, retention)).toBe('day');
    expect(storedGrain('day', ago(HOUR), now, retention)).toBe('day');
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
    const text = JSON.stringify([await db.execute(sql`select * from key_usage`), await db.execute(sql`select * from project_usage`)]);
    expect(text).not.toContain(made.secret);
    expect(text).not.toContain(made.secret.slice(3, 20));
  });
});
