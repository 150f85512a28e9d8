import { randomBytes } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { apiKeys } from '@/db/schema';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { FLUSH_BATCH, UsageRecorder, USAGE_WRITE_INTERVAL_MS } from './usage';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

describeEachDatabase('last used', (current) => {
  const system: Actor = { type: 'system', projectSlug: 'usage', label: 'test' };
  beforeAll(async () => {
    await createProject(current().db, { slug: 'usage' });
  });

  const lastUsed = async (ids: string[]) => {
    const rows = await current().db.select({ id: apiKeys.id, at: apiKeys.lastUsedAt }).from(apiKeys).where(inArray(apiKeys.id, ids));
    return new Map(rows.map((row) => [row.id, row.at?.toISOString() ?? null]));
  };

  it(`writes every pending key, ${FLUSH_BATCH} a statement, at most once a minute each, never moving a time back`, async () => {
    const { db } = current();
    const ids: string[] = [];
    for (let i = 0; i < FLUSH_BATCH + 3; i++) ids.push((await createKey(db, system, { name: `used ${i}` }, { catalogue: diga })).key.id);
    const rows = await db.select({ id: apiKeys.id, publicId: apiKeys.publicId }).from(apiKeys).where(inArray(apiKeys.publicId, ids));
    const internal = rows.map((row) => row.id);

    const recorder = new UsageRecorder(() => db, 60_000);
    const t0 = new Date('2031-05-01T10:00:00.000Z');
    for (const id of internal) recorder.record(id, t0.getTime());
    // Within the minute: not noted again.
    recorder.record(internal[0]!, t0.getTime() + 1000);
    await recorder.flush();
    expect([...(await lastUsed(internal)).values()]).toEqual(internal.map(() => t0.toISOString()));

    // A later note is written; an earlier one (another node's clock) never moves it back.
    const later = new Date(t0.getTime() + USAGE_WRITE_INTERVAL_MS);
    recorder.record(internal[1]!, later.getTime());
    const fresh = new UsageRecorder(() => db, 60_000);
    fresh.record(internal[2]!, t0.getTime() - 3_600_000);
    await recorder.flush();
    await fresh.flush();
    const after = await lastUsed(internal);
    expect(after.get(internal[0]!)).toBe(t0.toISOString());
    expect(after.get(internal[1]!)).toBe(later.toISOString());
    expect(after.get(internal[2]!)).toBe(t0.toISOString());
  });
});
