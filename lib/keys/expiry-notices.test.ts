import { randomBytes } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import { apiKeys, auditEvents, webhookDeliveries } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import type { WebhookBody } from '@/lib/webhooks/events';
import { saveEndpoint } from '@/lib/webhooks/endpoint';
import { createKey } from './create';
import { EXPIRY_NOTICE, EXPIRY_NOTICE_ACTOR, sweepExpiryNotices, type ExpiryNoticeOptions } from './expiry-notices';
import { updateKey } from './manage';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOTICE_ACTIONS = ['api_key.expiring', 'api_key.expired'];

// Every test lives in its own stretch of time, far from the others': a sweep reads every project's
// keys, and what an earlier test left is long expired (and settled) by the next one's clock.
let era = Date.parse('2031-01-01T00:00:00Z');
const nextEra = () => (era += 400 * DAY);

describeEachDatabase('expiry notices', (current) => {
  const loud: Actor = { type: 'system', projectSlug: 'expiry', label: 'test' };
  const quiet: Actor = { type: 'system', projectSlug: 'expiry-quiet', label: 'test' };
  let loudProjectId = '';

  beforeAll(async () => {
    const { db } = current();
    loudProjectId = (await createProject(db, { slug: 'expiry' })).id;
    await createProject(db, { slug: 'expiry-quiet' });
    // Only this project's endpoint asks for the notices: the other gets audit events alone.
    await saveEndpoint(db, loud, { url: 'http://127.0.0.1:9/hooks', events: ['api_key.expiring', 'api_key.expired'], enabled: true });
  });

  const sweep = (at: number, options: ExpiryNoticeOptions = {}) => sweepExpiryNotices(current().db, { now: new Date(at), warningDays: 7, catalogue: diga, ...options });

  async function makeKey(actor: Actor, name: string, madeAt: number, expiresAt: number | null) {
    const expiry = expiresAt === null ? null : new Date(expiresAt).toISOString();
    return createKey(current().db, actor, { name, expiresAt: expiry }, { catalogue: diga, now: new Date(madeAt) });
  }

  async function noticeOf(publicId: string): Promise<number> {
    const [row] = await current().db.select({ notice: apiKeys.expiryNotice }).from(apiKeys).where(eq(apiKeys.publicId, publicId));
    return row!.notice;
  }

  /** The key's notices as the audit log and the outbox hold them, earliest warning first. */
  async function noticesOf(publicId: string) {
    const { db } = current();
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, publicId), inArray(auditEvents.action, NOTICE_ACTIONS)));
    const rows = await db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.eventType, NOTICE_ACTIONS));
    const bodies = rows.map((row) => JSON.parse(row.payload) as WebhookBody).filter((body) => body.data.key?.id === publicId);
    const byDaysLeft = <T>(list: T[], days: (item: T) => number) => [...list].sort((a, b) => days(b) - days(a));
    return {
      audit: byDaysLeft(events, (event) => Number(event.metadata.daysLeft)),
      outbox: byDaysLeft(bodies, (body) => body.data.daysLeft!),
      payloads: rows.filter((row) => bodies.some((body) => body.id === row.messageId)).map((row) => row.payload),
    };
  }

  it('sends api_key.expiring at 7 days and at 1 day, then api_key.expired, each once, as the clock moves', async () => {
    const start = nextEra();
    const expiry = start + 30 * DAY;
    const made = await makeKey(loud, 'Nightly export', start, expiry);
    const id = made.key.id;

    await sweep(expiry - 8 * DAY);
    expect(await noticeOf(id)).toBe(EXPIRY_NOTICE.none);
    expect((await noticesOf(id)).audit).toEqual([]);

    await sweep(expiry - 6 * DAY);
    await sweep(expiry - 6 * DAY + HOUR);
    expect(await noticeOf(id)).toBe(EXPIRY_NOTICE.warned);
    let seen = await noticesOf(id);
    expect(seen.audit.map((event) => [event.action, event.metadata.daysLeft])).toEqual([['api_key.expiring', 6]]);
    expect(seen.outbox.map((body) => [body.type, body.data.daysLeft])).toEqual([['api_key.expiring', 6]]);

    await sweep(expiry - 12 * HOUR);
    await sweep(expiry - 11 * HOUR);
    expect(await noticeOf(id)).toBe(EXPIRY_NOTICE.lastDay);
    seen = await noticesOf(id);
    expect(seen.audit.map((event) => [event.action, event.metadata.daysLeft])).toEqual([
      ['api_key.expiring', 6],
      ['api_key.expiring', 1],
    ]);
    expect(seen.outbox).toHaveLength(2);

    await sweep(expiry + 60_000);
    await sweep(expiry + 3 * DAY);
    expect(await noticeOf(id)).toBe(EXPIRY_NOTICE.expired);
    seen = await noticesOf(id);
    expect(seen.audit.map((event) => [event.action, event.metadata.daysLeft])).toEqual([
      ['api_key.expiring', 6],
      ['api_key.expiring', 1],
      ['api_key.expired', 0],
    ]);
    expect(seen.outbox.map((body) => [body.type, body.data.daysLeft])).toEqual([
      ['api_key.expiring', 6],
      ['api_key.expiring', 1],
      ['api_key.expired', 0],
    ]);

    // Sent by the system, in the shape of every key event: the key as the REST API shows it, never its secret.
    for (const event of seen.audit) {
      expect(event).toMatchObject({ actorType: 'system', actorId: null, actorLabel: EXPIRY_NOTICE_ACTOR, targetType: 'api_key', projectId: loudProjectId });
      expect(event.metadata).toMatchObject({ name: 'Nightly export', expiresAt: new Date(expiry).toISOString() });
    }
    for (const body of seen.outbox) {
      expect(body.data.actor).toEqual({ type: 'system', id: null, label: EXPIRY_NOTICE_ACTOR });
      expect(body.data.expiresAt).toBe(new Date(expiry).toISOString());
      expect(body.data.key).toEqual(made.key);
      expect(body.data.project).toMatchObject({ id: loudProjectId, slug: 'expiry' });
    }
    for (const payload of seen.payloads) expect(payload).not.toContain(made.secret);
  });

  it('tells a key only of the latest step it has reached, and settles long-expired keys without a word', async () => {
    const start = nextEra();
    const at = start + 10 * DAY;
    const inThreeDays = await makeKey(loud, 'Three days', start, at + 3 * DAY);
    const lastDay = await makeKey(loud, 'Last day', start, at + 12 * HOUR);
    const justExpired = await makeKey(loud, 'Just expired', start, at - HOUR);
    const longExpired = await makeKey(loud, 'Long expired', start, at - 2 * DAY);
    const later = await makeKey(loud, 'Later', start, at + 8 * DAY);
    const never = await makeKey(loud, 'Never', start, null);
    const unsubscribed = await makeKey(quiet, 'Quiet', start, at + 2 * DAY);

    await sweep(at);

    const actions = async (publicId: string) => (await noticesOf(publicId)).audit.map((event) => [event.action, event.metadata.daysLeft]);
    expect(await actions(inThreeDays.key.id)).toEqual([['api_key.expiring', 3]]);
    expect(await actions(lastDay.key.id)).toEqual([['api_key.expiring', 1]]);
    expect(await actions(justExpired.key.id)).toEqual([['api_key.expired', 0]]);
    expect(await actions(longExpired.key.id)).toEqual([]);
    expect(await actions(later.key.id)).toEqual([]);
    expect(await actions(never.key.id)).toEqual([]);
    expect(await noticeOf(longExpired.key.id)).toBe(EXPIRY_NOTICE.expired);
    expect(await noticeOf(later.key.id)).toBe(EXPIRY_NOTICE.none);
    expect(await noticeOf(never.key.id)).toBe(EXPIRY_NOTICE.none);

    // A project whose endpoint does not ask for the notices still has them in its audit log.
    const quietNotices = await noticesOf(unsubscribed.key.id);
    expect(quietNotices.audit.map((event) => event.action)).toEqual(['api_key.expiring']);
    expect(quietNotices.outbox).toEqual([]);
    for (const key of [inThreeDays, lastDay, justExpired]) expect((await noticesOf(key.key.id)).outbox).toHaveLength(1);

    // The one that was told nothing stays silent; the others each hear what remains, once.
    await sweep(at + 20 * DAY);
    expect(await actions(longExpired.key.id)).toEqual([]);
    expect((await actions(inThreeDays.key.id)).map(([action]) => action)).toEqual(['api_key.expiring', 'api_key.expired']);
    expect((await actions(lastDay.key.id)).map(([action]) => action)).toEqual(['api_key.expiring', 'api_key.expired']);
    expect(await actions(justExpired.key.id)).toEqual([['api_key.expired', 0]]);
  });

  it('starts a key’s notices over when its expiry changes, in the same write, and only then', async () => {
    const start = nextEra();
    const expiry = start + 30 * DAY;
    const { key } = await makeKey(loud, 'Extended', start, expiry);
    await sweep(expiry - 12 * HOUR);
    expect(await noticeOf(key.id)).toBe(EXPIRY_NOTICE.lastDay);

    const options = { catalogue: diga, now: new Date(expiry - 11 * HOUR) };
    await updateKey(current().db, loud, key.id, { name: 'Extended key' }, options);
    expect(await noticeOf(key.id)).toBe(EXPIRY_NOTICE.lastDay);
    await updateKey(current().db, loud, key.id, { expiresAt: new Date(expiry).toISOString() }, options);
    expect(await noticeOf(key.id)).toBe(EXPIRY_NOTICE.lastDay);

    const extended = expiry + 60 * DAY;
    await updateKey(current().db, loud, key.id, { expiresAt: new Date(extended).toISOString() }, options);
    expect(await noticeOf(key.id)).toBe(EXPIRY_NOTICE.none);
    await sweep(expiry);
    await sweep(extended - 20 * DAY);
    expect((await noticesOf(key.id)).audit).toHaveLength(1);
    await sweep(extended - 5 * DAY);
    const seen = await noticesOf(key.id);
    expect(seen.audit.map((event) => [event.action, event.metadata.daysLeft, event.metadata.expiresAt])).toEqual([
      ['api_key.expiring', 5, new Date(extended).toISOString()],
      ['api_key.expiring', 1, new Date(expiry).toISOString()],
    ]);
    expect(seen.outbox).toHaveLength(2);
  });

  it('sends each notice exactly once when sweeps run at the same time, on one connection pool and on two', async () => {
    const start = nextEra();
    const expiry = start + 30 * DAY;
    const keys = [];
    for (let i = 0; i < 24; i++) keys.push((await makeKey(loud, `Concurrent ${i}`, start, expiry + i * 60_000)).key.id);
    const second = current().driver === 'postgres' ? openDatabase({ driver: 'postgres', url: current().url!, max: 3 }) : undefined;
    try {
      const dbs = second ? [current().db, second.db] : [current().db];
      // Small batches, so that the sweeps take turns within each step.
      const together = (at: number) =>
        Promise.all([0, 1, 2, 3].map((i) => sweepExpiryNotices(dbs[i % dbs.length]!, { now: new Date(at), warningDays: 7, catalogue: diga, batchSize: 5 })));

      const warned = await together(expiry - 6 * DAY);
      expect(warned.reduce((sum, result) => sum + result.expiring, 0)).toBe(keys.length);
      await together(expiry - 12 * HOUR);
      await together(expiry + DAY);
      for (const id of keys) {
        const seen = await noticesOf(id);
        expect(seen.audit.map((event) => event.action), id).toEqual(['api_key.expiring', 'api_key.expiring', 'api_key.expired']);
        expect(seen.outbox.map((body) => body.type), id).toEqual(['api_key.expiring', 'api_key.expiring', 'api_key.expired']);
        expect(await noticeOf(id)).toBe(EXPIRY_NOTICE.expired);
      }
    } finally {
      await second?.close();
    }
  });
});
