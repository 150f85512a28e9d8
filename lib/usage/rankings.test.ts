import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { apiKeys, keyUsage, usageRankings } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { deleteKey } from '@/lib/keys/manage';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { getProjectUsage } from './query';
import { refreshRankings, RANKING_VIEWED_WITHIN_MS, TOP_KEYS } from './rankings';
import { rangeStart, USAGE_RANGES, type UsageRange } from './schemas';
import { writeCounts, type CountRow } from './store';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RANGES = Object.keys(USAGE_RANGES) as UsageRange[];

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describeEachDatabase('top keys', (current) => {
  const ranked: Actor = { type: 'system', projectSlug: 'ranked', label: 'test' };
  const quiet: Actor = { type: 'system', projectSlug: 'ranked-quiet', label: 'test' };
  const keys: Array<{ id: string; publicId: string; projectId: string; name: string }> = [];

  beforeAll(async () => {
    const { db } = current();
    await createProject(db, { slug: 'ranked' });
    await createProject(db, { slug: 'ranked-quiet' });
    for (let i = 0; i < 14; i++) {
      const made = await createKey(db, ranked, { name: `ranked ${i}` }, { catalogue: diga });
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.publicId, made.key.id));
      keys.push({ id: row!.id, publicId: made.key.id, projectId: row!.projectId, name: row!.name });
    }
  });

  /** The top keys as a scan of every count written would rank them. */
  function expected(rows: CountRow[], range: UsageRange, now: Date) {
    const from = rangeStart(range, now).getTime();
    const sums = new Map<string, { total: number; refused: number }>();
    for (const row of rows) {
      if (row.minute < from || row.minute >= now.getTime()) continue;
      const sum = sums.get(row.apiKeyId) ?? { total: 0, refused: 0 };
      sum.total += row.count;
      if (row.code !== 'VALID') sum.refused += row.count;
      sums.set(row.apiKeyId, sum);
    }
    const named = [...sums].map(([id, sum]) => ({ id: keys.find((key) => key.id === id)!.publicId, name: keys.find((key) => key.id === id)!.name, ...sum }));
    const order = (by: 'total' | 'refused') => (a: (typeof named)[number], b: (typeof named)[number]) => b[by] - a[by] || keys.findIndex((k) => k.publicId === a.id) - keys.findIndex((k) => k.publicId === b.id);
    return {
      byVolume: named.sort(order('total')).slice(0, TOP_KEYS).map((key) => key.total),
      byRefusals: named
        .filter((key) => key.refused > 0)
        .sort(order('refused'))
        .slice(0, TOP_KEYS)
        .map((key) => key.refused),
    };
  }

  it('ranks every range exactly as a scan of every count would, across the hour and day rows', async () => {
    const { db } = current();
    const next = random(20301204);
    const now = new Date('2030-06-10T12:30:00Z');
    // 40 days of counts, at every minute of the day, for 14 keys: each range starts mid-day or on a
    // midnight, and reads part of its counts from hour rows and the rest from day rows.
    const rows: CountRow[] = [];
    for (let i = 0; i < 400; i++) {
      const key = keys[Math.floor(next() * keys.length)]!;
      const minute = now.getTime() - (1 + Math.floor((next() * 40 * DAY) / MINUTE)) * MINUTE;
      rows.push({ apiKeyId: key.id, projectId: key.projectId, minute, code: next() < 0.25 ? 'EXPIRED' : 'VALID', count: 1 + Math.floor(next() * 50) });
    }
    await writeCounts(db, rows);
    for (const range of RANGES) {
      const usage = await getProjectUsage(db, ranked, range, { now });
      const want = expected(rows, range, now);
      expect(usage.byVolume.map((key) => key.total), range).toEqual(want.byVolume);
      expect(usage.byRefusals.map((key) => key.refused), range).toEqual(want.byRefusals);
      for (const key of usage.byVolume) expect(keys.map((k) => k.publicId)).toContain(key.id);
    }
    // Another project's page lists none of them.
    expect(await getProjectUsage(db, quiet, '30d', { now })).toMatchObject({ byVolume: [], byRefusals: [] });
  });

  it('answers from the stored ranking until a flush or the passing of the window puts it out of date', async () => {
    const { db } = current();
    const now = new Date('2031-01-01T10:15:00Z');
    const [a, b] = [keys[0]!, keys[1]!];
    await writeCounts(db, [{ apiKeyId: a.id, projectId: a.projectId, minute: now.getTime() - MINUTE, code: 'VALID', count: 5 }]);
    const first = await getProjectUsage(db, ranked, '24h', { now });
    const byVolume = () => first.byVolume.map((key) => [key.name, key.total]);
    expect(byVolume()[0]).toEqual([a.name, 5]);

    // Rows that reach the store without a flush's statement (none do in Keyward) go unseen: the
    // view read the stored ranking, not the counts.
    await db.insert(keyUsage).values(
      (['minute', 'hour', 'day'] as const).map((granularity) => ({ apiKeyId: b.id, projectId: b.projectId, granularity, periodStart: new Date(`2031-01-01T${granularity === 'day' ? '00:00' : '10:00'}:00Z`), code: 'VALID', count: 1_000 })),
    );
    expect((await getProjectUsage(db, ranked, '24h', { now })).byVolume).toEqual(first.byVolume);

    // A flush marks it out of date: the next view sums again and sees both.
    await writeCounts(db, [{ apiKeyId: a.id, projectId: a.projectId, minute: now.getTime() - MINUTE, code: 'VALID', count: 1 }]);
    const second = await getProjectUsage(db, ranked, '24h', { now });
    expect(second.byVolume.slice(0, 2).map((key) => [key.name, key.total])).toEqual([
      [b.name, 1_000],
      [a.name, 6],
    ]);

    // 24 hours on, those hours have left the range: the ranking follows without any flush.
    const later = await getProjectUsage(db, ranked, '24h', { now: new Date(now.getTime() + DAY) });
    expect(later.byVolume.map((key) => key.name)).not.toContain(b.name);
  });

  it('keeps the rankings viewed lately current in the background, and only those', async () => {
    const { db } = current();
    const now = new Date('2032-03-03T08:20:00Z');
    const [a, c] = [keys[2]!, keys[3]!];
    const project = a.projectId;
    await writeCounts(db, [{ apiKeyId: a.id, projectId: project, minute: now.getTime() - MINUTE, code: 'VALID', count: 3 }]);
    await getProjectUsage(db, ranked, '7d', { now });
    const stored = async (range: UsageRange) => (await db.select().from(usageRankings).where(and(eq(usageRankings.projectId, project), eq(usageRankings.range, range))))[0]!;
    expect((await stored('7d')).computedVersion).toBe((await stored('7d')).version);

    await writeCounts(db, [{ apiKeyId: c.id, projectId: project, minute: now.getTime() - MINUTE, code: 'EXPIRED', count: 9 }]);
    expect((await stored('7d')).computedVersion).toBeLessThan((await stored('7d')).version);
    // Viewed a minute ago: recomputed, the flushed key in it, before anyone views it again.
    expect(await refreshRankings(db, { now: new Date(now.getTime() + MINUTE) })).toBeGreaterThanOrEqual(1);
    const refreshed = await stored('7d');
    expect(refreshed.computedVersion).toBe(refreshed.version);
    expect(refreshed.keys).toContainEqual({ list: 'refusals', apiKeyId: c.id, total: 9, refused: 9 });

    // Not viewed for longer than RANKING_VIEWED_WITHIN_MS: left until someone looks.
    await writeCounts(db, [{ apiKeyId: c.id, projectId: project, minute: now.getTime() - MINUTE, code: 'EXPIRED', count: 1 }]);
    const idle = new Date(now.getTime() + RANKING_VIEWED_WITHIN_MS + 2 * MINUTE);
    await refreshRankings(db, { now: idle });
    expect((await stored('7d')).computedVersion).toBeLessThan((await stored('7d')).version);
  });

  it('shows a key deleted since as neither id nor name, its counts kept', async () => {
    const { db } = current();
    const now = new Date('2033-05-05T05:05:00Z');
    const made = await createKey(db, ranked, { name: 'soon gone' }, { catalogue: diga });
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.publicId, made.key.id));
    await writeCounts(db, [{ apiKeyId: row!.id, projectId: row!.projectId, minute: now.getTime() - MINUTE, code: 'VALID', count: 77 }]);
    expect((await getProjectUsage(db, ranked, '24h', { now })).byVolume[0]).toEqual({ id: made.key.id, name: 'soon gone', total: 77, refused: 0 });
    await deleteKey(db, ranked, made.key.id, { catalogue: diga });
    expect((await getProjectUsage(db, ranked, '24h', { now })).byVolume[0]).toEqual({ id: null, name: null, total: 77, refused: 0 });
    // No secret in the stored rankings.
    expect(JSON.stringify(await db.execute(sql`select * from usage_rankings`))).not.toContain(made.secret);
  });
});
