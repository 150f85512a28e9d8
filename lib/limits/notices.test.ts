import { randomBytes } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiKeys, auditEvents, webhookDeliveries } from '@/db/schema';
import { SYSTEM_ACTOR_LABEL } from '@/lib/audit/record';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { setWebhookKey, updateKey } from '@/lib/keys/manage';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { limitNode, type LimitNode } from '@/lib/testing/limit-node';
import { startReceiver } from '@/lib/testing/webhook-receiver';
import { deliverDue } from '@/lib/webhooks/dispatcher';
import { saveEndpoint } from '@/lib/webhooks/endpoint';
import type { WebhookBody } from '@/lib/webhooks/events';
import type { CreateKeyInput } from '@/lib/keys/schemas';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

const MINUTE = 60_000;
const NOTICES = ['api_key.usage_low', 'api_key.rate_limited'];

describeEachDatabase('limit notices', (current) => {
  const system: Actor = { type: 'system', projectSlug: 'notices', label: 'test' };
  let clock = Date.parse('2030-03-10T12:00:00Z');
  const now = () => clock;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    const { db } = current();
    receiver = await startReceiver('/hooks');
    await createProject(db, { slug: 'notices' });
    await saveEndpoint(db, system, { url: receiver.url, events: ['api_key.usage_low', 'api_key.rate_limited'], enabled: true });
    const signer = await createKey(db, system, { name: 'Signs the webhooks' }, { catalogue: diga });
    await setWebhookKey(db, system, signer.key.id, { catalogue: diga });
  });

  afterAll(async () => {
    await receiver.close();
  });

  const nodes = () => [limitNode(() => current().db, now), limitNode(() => current().db, now)] as const;
  /** Both nodes exchange at once: any notice they both find due is claimed by one. */
  const exchangeBoth = (pair: readonly LimitNode[]) => Promise.all(pair.map((node) => node.exchange.exchange()));

  async function makeKey(name: string, limits: Omit<CreateKeyInput, 'name'>) {
    return createKey(current().db, system, { name, ...limits }, { catalogue: diga, now: new Date(clock) });
  }

  /** The key's notices: audit events and outbox bodies, oldest first. */
  async function noticesOf(publicId: string) {
    const { db } = current();
    const audit = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, publicId), inArray(auditEvents.action, NOTICES)))
      .orderBy(auditEvents.createdAt);
    const rows = await db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.eventType, NOTICES)).orderBy(webhookDeliveries.createdAt);
    const mine = rows.filter((row) => (JSON.parse(row.payload) as WebhookBody).data.key?.id === publicId);
    return { audit, rows: mine, bodies: mine.map((row) => JSON.parse(row.payload) as WebhookBody) };
  }

  async function spend(node: LimitNode, secret: string, times: number) {
    for (let i = 0; i < times; i++) expect((await node.verify(secret)).code).toBe('VALID');
  }

  it('sends api_key.usage_low once per refill period when the uses fall below a tenth of the cap, however many nodes see it', async () => {
    clock = Date.parse('2030-03-10T12:00:00Z');
    const made = await makeKey('Partner feed', { usage: { remaining: 20, refill: { amount: 20, interval: 'day' } } });
    const [a, b] = nodes();
    // 18 of 20 spent: 2 left, a tenth exactly, is not yet low.
    await spend(a, made.secret, 9);
    await spend(b, made.secret, 9);
    await exchangeBoth([a, b]);
    await exchangeBoth([a, b]);
    expect((await noticesOf(made.key.id)).rows).toEqual([]);

    // One more on each node: both exchanges find the key low, one claims the notice.
    await spend(a, made.secret, 1);
    await spend(b, made.secret, 1);
    await exchangeBoth([a, b]);
    await exchangeBoth([a, b]);
    expect((await b.verify(made.secret)).code).toBe('USAGE_EXCEEDED');
    await exchangeBoth([a, b]);
    let seen = await noticesOf(made.key.id);
    expect(seen.audit.map((event) => event.action)).toEqual(['api_key.usage_low']);
    expect(seen.bodies.map((body) => body.type)).toEqual(['api_key.usage_low']);
    const [event] = seen.audit;
    expect(event).toMatchObject({ actorType: 'system', actorId: null, actorLabel: SYSTEM_ACTOR_LABEL, targetType: 'api_key' });
    expect(event!.metadata).toMatchObject({ name: 'Partner feed', cap: 20, refillsAt: '2030-03-11T00:00:00.000Z' });
    expect(Number(event!.metadata.remaining)).toBeLessThan(2);
    const [body] = seen.bodies;
    expect(body!.data).toMatchObject({ actor: { type: 'system', id: null, label: SYSTEM_ACTOR_LABEL }, cap: 20, refillsAt: '2030-03-11T00:00:00.000Z' });
    expect(body!.data.key).toMatchObject({ id: made.key.id, name: 'Partner feed', usage: { refill: { amount: 20, interval: 'day' } } });
    expect(seen.rows[0]!.payload).not.toContain(made.secret);

    // The next UTC day refills the key: running low again is told again, once.
    clock = Date.parse('2030-03-11T08:00:00Z');
    await spend(a, made.secret, 10);
    await spend(b, made.secret, 9);
    await exchangeBoth([a, b]);
    await exchangeBoth([a, b]);
    seen = await noticesOf(made.key.id);
    expect(seen.bodies.map((one) => [one.type, one.data.remaining, one.data.refillsAt])).toEqual([
      ['api_key.usage_low', expect.any(Number), '2030-03-11T00:00:00.000Z'],
      ['api_key.usage_low', 1, '2030-03-12T00:00:00.000Z'],
    ]);
    expect(seen.audit).toHaveLength(2);
  });

  it('tells a key without refill once, until its uses are set again', async () => {
    clock = Date.parse('2030-04-01T09:00:00Z');
    const made = await makeKey('Trial', { usage: { remaining: 10 } });
    const [a, b] = nodes();
    await spend(a, made.secret, 5);
    await spend(b, made.secret, 4);
    await exchangeBoth([a, b]);
    // 1 left of 10: a tenth, not below it.
    expect((await noticesOf(made.key.id)).rows).toEqual([]);
    await spend(a, made.secret, 1);
    await exchangeBoth([a, b]);
    clock += 40 * 86_400_000;
    await exchangeBoth([a, b]);
    expect((await noticesOf(made.key.id)).bodies.map((body) => [body.data.remaining, body.data.cap, body.data.refillsAt])).toEqual([[0, 10, null]]);

    // New uses start the notice over.
    await updateKey(current().db, system, made.key.id, { usage: { remaining: 10 } }, { catalogue: diga, now: new Date(clock) });
    expect((await current().db.select({ at: apiKeys.usageLowNoticedAt }).from(apiKeys).where(eq(apiKeys.publicId, made.key.id)))[0]!.at).toBeNull();
    await spend(b, made.secret, 10);
    await exchangeBoth([a, b]);
    expect((await noticesOf(made.key.id)).audit).toHaveLength(2);
  });

  it('sends api_key.rate_limited for the first refusal of a window, at most once per key per 5 minutes, across nodes', async () => {
    // A minute's window, from its start.
    clock = Date.parse('2030-05-01T10:00:00Z');
    const made = await makeKey('Burst client', { rateLimit: { limit: 2, windowSeconds: 60 } });
    const [a, b] = nodes();
    const refuse = async (node: LimitNode) => {
      let answer = await node.verify(made.secret);
      while (answer.code === 'VALID') answer = await node.verify(made.secret);
      expect(answer.code).toBe('RATE_LIMITED');
      return answer;
    };
    // Each node refuses the key, more than once, before they exchange.
    const first = await refuse(a);
    await refuse(a);
    clock += 1_000;
    const second = await refuse(b);
    await exchangeBoth([a, b]);
    await exchangeBoth([a, b]);
    let seen = await noticesOf(made.key.id);
    expect(seen.bodies.map((body) => body.type)).toEqual(['api_key.rate_limited']);
    const [body] = seen.bodies;
    // Whichever node claimed it: its first refusal, its time and what it answered.
    const claimedBy = { '2030-05-01T10:00:00.000Z': first, '2030-05-01T10:00:01.000Z': second }[body!.timestamp];
    expect(claimedBy).toBeDefined();
    expect(body!.data).toMatchObject({ limit: 2, windowSeconds: 60, retryAfterSeconds: claimedBy!.retryAfterSeconds, actor: { type: 'system', label: SYSTEM_ACTOR_LABEL } });
    expect(body!.data.key).toMatchObject({ id: made.key.id, rateLimit: { limit: 2, windowSeconds: 60 } });
    expect(seen.rows[0]!.payload).not.toContain(made.secret);
    // A webhook alone: the audit log keeps changes, and the refusals are in the key's usage.
    expect(seen.audit).toEqual([]);

    // The next window, a minute on: refused again, but within 5 minutes of the last notice.
    clock = Date.parse('2030-05-01T10:01:10Z');
    await refuse(a);
    await refuse(b);
    await exchangeBoth([a, b]);
    expect((await noticesOf(made.key.id)).bodies).toHaveLength(1);

    // Five minutes on and in a later window: told again, once.
    clock = Date.parse('2030-05-01T10:05:20Z');
    await refuse(b);
    await refuse(a);
    await exchangeBoth([a, b]);
    await exchangeBoth([a, b]);
    seen = await noticesOf(made.key.id);
    expect(seen.bodies.map((one) => one.timestamp)).toEqual([body!.timestamp, '2030-05-01T10:05:20.000Z']);
  });

  it('sends api_key.rate_limited once per window when the window is longer than 5 minutes', async () => {
    clock = Date.parse('2030-06-01T10:00:05Z');
    const made = await makeKey('Hourly', { rateLimit: { limit: 1, windowSeconds: 3_600 } });
    const [a, b] = nodes();
    // Each node admits one before they exchange (the overshoot of one interval), then refuses.
    for (const node of [a, b]) {
      expect((await node.verify(made.secret)).code).toBe('VALID');
      expect((await node.verify(made.secret)).code).toBe('RATE_LIMITED');
    }
    await exchangeBoth([a, b]);
    // Twenty minutes later, the same window: refused on both nodes, not told again.
    clock += 20 * MINUTE;
    for (const node of [b, a]) expect((await node.verify(made.secret)).code).toBe('RATE_LIMITED');
    await exchangeBoth([a, b]);
    expect((await noticesOf(made.key.id)).bodies).toHaveLength(1);
    // The next hour's window: still refused (the last hour weighs on it), and told.
    clock = Date.parse('2030-06-01T11:00:30Z');
    expect((await b.verify(made.secret)).code).toBe('RATE_LIMITED');
    await exchangeBoth([a, b]);
    expect((await noticesOf(made.key.id)).bodies.map((body) => body.timestamp)).toEqual(['2030-06-01T10:00:05.000Z', '2030-06-01T11:00:30.000Z']);
  });

  it('delivers the notices through the outbox, signed like every event', async () => {
    const { db } = current();
    const rows = await db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.eventType, NOTICES));
    expect(new Set(rows.map((row) => row.eventType))).toEqual(new Set(NOTICES));
    expect(rows.every((row) => row.status === 'pending')).toBe(true);
    for (let pass = 0; pass < 10 && (await deliverDue({ db, allowPrivate: true, timeoutMs: 5_000 })).length > 0; pass++);
    const after = await db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.eventType, NOTICES));
    expect(after.map((row) => row.status)).toEqual(after.map(() => 'delivered'));
    expect([...receiver.received].sort()).toEqual(after.map((row) => row.messageId).sort());
  });
});
