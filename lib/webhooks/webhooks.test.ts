import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, inArray } from 'drizzle-orm';
import Retell from 'retell-sdk';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, expect, it } from 'vitest';
import { openDatabase, type Db } from '@/db/client';
import { auditEvents, webhookDeliveries } from '@/db/schema';
import { recordChange } from '@/lib/changes/record';
import type { Actor, UserActor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { deleteKey, setWebhookKey, updateKey } from '@/lib/keys/manage';
import { rotateKey } from '@/lib/keys/rotate';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject, setMembership } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { rejection } from '@/lib/testing/rejection';
import { createUser } from '@/lib/users/users';
import { deliverDue, retryDelayMs, startDispatcher, type DeliveryOptions } from './dispatcher';
import { saveEndpoint, sendTestEvent, WEBHOOKS_ADMIN_ONLY } from './endpoint';
import { listDeliveries } from './deliveries';
import { pruneDeliveries } from './retention';
import { WEBHOOK_EVENTS, type WebhookBody, type WebhookEvent } from './events';
import { signatureHeaders, standardWebhooksSecret } from './signing';
import { loadSigningKeys } from './signing-keys';
import { pinnedTransport, type Transport } from './transport';
import type { Resolver } from './url-safety';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

type Received = { id: string; body: string; headers: http.IncomingHttpHeaders; retell: boolean; standard: boolean[] };
type Mode = 'ok' | 'error' | 'hang' | 'redirect';

/**
 * A webhook receiver as a customer would write one: it checks every request with the published
 * Retell SDK and Standard Webhooks libraries, answering 400 when either refuses it.
 */
class Receiver {
  received: Received[] = [];
  mode: Mode = 'ok';
  /** Answer delay, to widen the window in which two dispatchers could both send. */
  delayMs = 0;
  private server?: http.Server;
  port = 0;

  constructor(
    /** The key the Retell check uses, and every key Standard Webhooks must accept (each alone). */
    public keys: string[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/keyward?token=receiver-token`;
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const retell = await Retell.verify(body, this.keys[0]!, String(request.headers['x-keyward-signature'] ?? ''));
        const standard = this.keys.map((key) => {
          try {
            new Webhook(standardWebhooksSecret(key)).verify(body, request.headers as Record<string, string>);
            return true;
          } catch {
            return false;
          }
        });
        this.received.push({ id: String(request.headers['webhook-id']), body, headers: request.headers, retell, standard });
        if (this.mode === 'hang') return;
        await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        if (this.mode === 'redirect') {
          response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
          return;
        }
        const valid = retell && standard.every(Boolean);
        if (this.mode === 'error') response.writeHead(500).end('receiver is down for maintenance');
        else response.writeHead(valid ? 200 : 400, { 'content-type': 'text/plain' }).end(valid ? 'ok' : 'bad signature');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
    this.server = undefined;
  }

  idsOf(): string[] {
    return this.received.map((r) => r.id);
  }
}

/** Real time plus an offset the tests move forward instead of sleeping through backoff. */
const clock = {
  offsetMs: 0,
  now: () => new Date(Date.now() + clock.offsetMs),
  advance(ms: number) {
    clock.offsetMs += ms;
  },
};

describeEachDatabase('Webhooks', (current) => {
  const receivers: Receiver[] = [];
  let sequence = 0;

  function options(extra: Partial<DeliveryOptions> = {}): DeliveryOptions {
    return { db: current().db, now: clock.now, random: () => 0, timeoutMs: 1_000, allowPrivate: true, retryWindowMs: 24 * 3_600_000, ...extra };
  }

  /** Runs passes until nothing is due; returns every attempt's outcome. */
  async function drain(extra: Partial<DeliveryOptions> = {}) {
    const outcomes = [];
    for (let pass = 0; pass < 50; pass++) {
      const attempted = await deliverDue(options(extra));
      if (attempted.length === 0) break;
      outcomes.push(...attempted);
    }
    return outcomes;
  }

  /** A project with an admin, a webhook key, and an endpoint on a receiver of its own. */
  async function setup(opts: { webhookKey?: boolean; events?: WebhookEvent[] } = {}) {
    const { db } = current();
    const slug = `hooks-${++sequence}`;
    const project = await createProject(db, { slug });
    const user = await createUser(db, { email: `admin-${sequence}@hooks.test` });
    await setMembership(db, project.id, user.id, 'admin');
    const actor: UserActor = { type: 'user', userId: user.id, projectSlug: slug, clientAddress: '192.0.2.7' };
    const admin = actor;
    const receiver = new Receiver([]);
    receivers.push(receiver);
    await receiver.start();
    let webhookSecret = '';
    let webhookKeyId = '';
    if (opts.webhookKey !== false) {
      const created = await createKey(db, actor, { name: 'Signing key' }, { catalogue: diga });
      await setWebhookKey(db, actor, created.key.id, { catalogue: diga });
      webhookSecret = created.secret;
      webhookKeyId = created.key.id;
      receiver.keys = [webhookSecret];
    }
    await saveEndpoint(db, admin, { url: receiver.url, events: opts.events ?? [...WEBHOOK_EVENTS], enabled: true });
    // Whatever the setup itself queued is delivered and forgotten.
    if (opts.webhookKey !== false) await drain();
    receiver.received = [];
    return { db, project, user, actor, admin, receiver, webhookSecret, webhookKeyId };
  }

  async function deliveriesOf(db: Db, projectId: string) {
    return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.projectId, projectId)).orderBy(webhookDeliveries.createdAt);
  }

  afterEach(async () => {
    // Nothing one test left due may be attempted by the next.
    await current()
      .db.update(webhookDeliveries)
      .set({ status: 'canceled', nextAttemptAt: null })
      .where(inArray(webhookDeliveries.status, ['pending', 'no_webhook_key']));
    clock.offsetMs = 0;
  });

  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.stop()));
  });

  it('signs every key event so that Retell’s verify and Standard Webhooks’ Webhook.verify accept it; no payload holds a secret', async () => {
    const { db, actor, receiver, webhookSecret, webhookKeyId } = await setup();
    const made = await createKey(db, actor, { name: 'Billing service', permissions: { calls: 'read' } }, { catalogue: diga });
    await updateKey(db, actor, made.key.id, { name: 'Billing' }, { catalogue: diga });
    const rotated = await rotateKey(db, actor, made.key.id, { gracePeriodSeconds: 60 }, { catalogue: diga });
    const other = await createKey(db, actor, { name: 'Second signer' }, { catalogue: diga });
    await setWebhookKey(db, actor, other.key.id, { catalogue: diga });
    await deleteKey(db, actor, made.key.id, { catalogue: diga });
    await sendTestEvent(db, { type: 'user', userId: actor.userId, projectSlug: actor.projectSlug });

    // Everything queued is signed when it is sent, by the webhook key of that moment.
    receiver.keys = [other.secret];
    const outcomes = await drain({ batchSize: 1 });
    expect(outcomes.map((o) => o.status)).toEqual(Array(7).fill('delivered'));
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as WebhookBody);
    expect(bodies.map((b) => b.type)).toEqual([
      'api_key.created',
      'api_key.updated',
      'api_key.rotated',
      'api_key.created',
      'webhook_key.changed',
      'api_key.deleted',
      'webhook.test',
    ]);
    for (const request of receiver.received) {
      expect(request.retell).toBe(true);
      expect(request.standard).toEqual([true]);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
      expect(request.headers['x-keyward-signature']).toMatch(/^v=\d{13},d=[0-9a-f]{64}$/);
      expect(JSON.parse(request.body).id).toBe(request.id);
      for (const secret of [webhookSecret, made.secret, rotated.secret, other.secret]) expect(request.body).not.toContain(secret);
    }
    const [created, updated, rotatedBody] = bodies;
    expect(created!.data.key).toMatchObject({ id: made.key.id, name: 'Billing service', restricted: true, webhook: false });
    expect(created!.data.key).not.toHaveProperty('key');
    expect(created!.data).toMatchObject({ project: { slug: actor.projectSlug }, actor: { type: 'user', label: expect.stringContaining('@hooks.test') } });
    expect(updated!.data.changes).toMatchObject({ name: { from: 'Billing service', to: 'Billing' } });
    expect(rotatedBody!.data.key).toMatchObject({ id: made.key.id, start: rotated.key.start, previousSecretExpiresAt: expect.any(String) });
    expect(bodies[4]!.data).toMatchObject({ key: { id: other.key.id, webhook: true }, previousKeyId: webhookKeyId });
    expect(bodies[5]!.data.key).toEqual({ id: made.key.id, name: 'Billing', webhook: false });
    // Choosing the key that already is the webhook key changes nothing, so it sends nothing.
    await setWebhookKey(db, actor, other.key.id, { catalogue: diga });
    expect(await drain()).toEqual([]);
  });

  it('queues the event in the change’s own transaction: a change that fails or is refused queues nothing', async () => {
    const { db, project, actor } = await setup();
    const before = (await deliveriesOf(db, project.id)).length;
    const member = await createUser(db, { email: `member-${sequence}@hooks.test` });
    await setMembership(db, project.id, member.id, 'member');
    await rejection(createKey(db, { type: 'user', userId: member.id, projectSlug: actor.projectSlug }, { name: 'Nope' }, { catalogue: diga }));
    await db
      .transaction(async (tx) => {
        await recordChange(tx, { projectId: project.id, actorType: 'system', actorId: null, actorLabel: 'test' }, {
          action: 'api_key.created',
          targetType: 'api_key',
          targetId: 'key_x',
          key: { id: 'key_x', name: '', webhook: false },
        });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(await deliveriesOf(db, project.id)).toHaveLength(before);
    await createKey(db, actor, { name: 'Counted' }, { catalogue: diga });
    expect(await deliveriesOf(db, project.id)).toHaveLength(before + 1);
  });

  it('sends only the events the endpoint subscribes to, and nothing while it is disabled', async () => {
    const { db, project, actor, admin, receiver } = await setup({ events: ['api_key.deleted'] });
    const made = await createKey(db, actor, { name: 'Quiet' }, { catalogue: diga });
    await deleteKey(db, actor, made.key.id, { catalogue: diga });
    await drain();
    expect(receiver.received.map((r) => (JSON.parse(r.body) as WebhookBody).type)).toEqual(['api_key.deleted']);

    await saveEndpoint(db, admin, { url: receiver.url, events: [...WEBHOOK_EVENTS], enabled: false });
    const count = (await deliveriesOf(db, project.id)).length;
    await createKey(db, actor, { name: 'Unheard' }, { catalogue: diga });
    expect(await deliveriesOf(db, project.id)).toHaveLength(count);
    // The test event still goes to a disabled endpoint: it is how one checks it before enabling.
    await sendTestEvent(db, admin);
    await drain();
    expect(receiver.received.at(-1)!.body).toContain('"webhook.test"');
  });

  it('rejects tampered bodies and stale timestamps at the receiver', async () => {
    const { db, project, admin, receiver, webhookSecret } = await setup();
    await sendTestEvent(db, admin);
    const tamper: Transport = (request) => pinnedTransport({ ...request, body: request.body.replace('test event', 'tset event') });
    const [outcome] = await drain({ send: tamper });
    expect(outcome).toMatchObject({ status: 'pending', statusCode: 400 });
    expect(receiver.received[0]).toMatchObject({ retell: false, standard: [false] });
    const [row] = await deliveriesOf(db, project.id).then((rows) => rows.slice(-1));
    // The receiver is on a private address: its status is kept, its answer is not.
    expect(row).toMatchObject({ attempts: 1, lastStatusCode: 400, responseBody: null, lastError: 'HTTP 4xx' });

    // The untouched body passes on its retry, with the same id.
    clock.advance(retryDelayMs(1, () => 0));
    const [retried] = await drain();
    expect(retried).toMatchObject({ status: 'delivered', statusCode: 200 });
    expect(receiver.received[1]!.id).toBe(receiver.received[0]!.id);

    // Signed correctly, but ten minutes ago: both libraries refuse it.
    const body = receiver.received[1]!.body;
    const stale = signatureHeaders('msg_stale', body, { current: webhookSecret, previous: [] }, new Date(Date.now() - 10 * 60_000));
    const answer = await pinnedTransport({ target: { url: new URL(receiver.url), address: '127.0.0.1', family: 4 }, headers: stale, body, timeoutMs: 2_000 });
    expect(answer.statusCode).toBe(400);
    expect(receiver.received[2]).toMatchObject({ id: 'msg_stale', retell: false, standard: [false] });
  });

  it('retries a receiver that answers 500 with the same webhook-id and growing, jittered waits', async () => {
    const { db, project, admin, receiver } = await setup();
    receiver.mode = 'error';
    const { messageId } = await sendTestEvent(db, admin);
    const attemptTimes: number[] = [];
    for (let failures = 1; failures <= 3; failures++) {
      attemptTimes.push(clock.now().getTime());
      expect(await drain()).toEqual([{ messageId, status: 'pending', statusCode: 500, error: 'HTTP 5xx' }]);
      // Not due again before its backoff has passed.
      expect(await drain()).toEqual([]);
      const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.messageId, messageId));
      // A private endpoint's answer ("receiver is down for maintenance") is neither stored nor listed.
      expect(row).toMatchObject({ status: 'pending', attempts: failures, lastStatusCode: 500, responseBody: null, lastError: 'HTTP 5xx' });
      const listed = (await listDeliveries(db, admin, { page: 1, pageSize: 20 })).deliveries.find((d) => d.messageId === messageId);
      expect(listed).toMatchObject({ lastStatusCode: 500, responseBody: null, lastError: 'HTTP 5xx' });
      expect(JSON.stringify(listed)).not.toContain('maintenance');
      expect(row!.nextAttemptAt!.getTime() - attemptTimes.at(-1)!).toBeGreaterThanOrEqual(retryDelayMs(failures, () => 0) - 5);
      expect(row!.nextAttemptAt!.getTime() - attemptTimes.at(-1)!).toBeLessThanOrEqual(retryDelayMs(failures, () => 0) + 1_000);
      clock.advance(retryDelayMs(failures, () => 0));
    }
    receiver.mode = 'ok';
    expect(await drain()).toEqual([{ messageId, status: 'delivered', statusCode: 200 }]);
    expect(new Set(receiver.idsOf())).toEqual(new Set([messageId]));
    expect(receiver.received).toHaveLength(4);
    expect(receiver.received.every((r) => r.retell && r.standard[0])).toBe(true);
    const page = await listDeliveries(db, admin, { page: 1, pageSize: 20 });
    expect(page.deliveries[0]).toMatchObject({ messageId, status: 'delivered', attempts: 4, lastStatusCode: 200, nextAttemptAt: null });
    const firstAttempt = (await deliveriesOf(db, project.id)).at(-1)!.firstAttemptAt!.getTime();
    expect(firstAttempt - attemptTimes[0]!).toBeGreaterThanOrEqual(0);
    expect(firstAttempt - attemptTimes[0]!).toBeLessThan(1_000);
  });

  it('retries a receiver that does not answer in time with the same id', async () => {
    const { db, admin, receiver } = await setup();
    receiver.mode = 'hang';
    const { messageId } = await sendTestEvent(db, admin);
    const [timedOut] = await drain({ timeoutMs: 300 });
    expect(timedOut).toMatchObject({ messageId, status: 'pending', error: 'timeout' });
    receiver.mode = 'ok';
    clock.advance(retryDelayMs(1, () => 0));
    expect(await drain()).toEqual([{ messageId, status: 'delivered', statusCode: 200 }]);
    expect(receiver.idsOf()).toEqual([messageId, messageId]);
  });

  it('does not follow redirects', async () => {
    const { db, project, admin, receiver } = await setup();
    receiver.mode = 'redirect';
    await sendTestEvent(db, admin);
    const [outcome] = await drain();
    expect(outcome).toMatchObject({ status: 'pending', statusCode: 302, error: 'HTTP 3xx: redirects are not followed' });
    expect(receiver.received).toHaveLength(1);
    // Where it pointed is not kept: a Location header can name internal hosts.
    const [row] = await deliveriesOf(db, project.id).then((rows) => rows.slice(-1));
    expect(JSON.stringify(row)).not.toContain('169.254.169.254');
  });

  it('marks a delivery failed once the retry window has passed', async () => {
    const { db, admin, receiver } = await setup();
    receiver.mode = 'error';
    const { messageId } = await sendTestEvent(db, admin);
    const window = 5 * 60_000;
    let attempts = 0;
    for (; attempts < 30; attempts++) {
      const [outcome] = await drain({ retryWindowMs: window });
      if (outcome?.status === 'failed') break;
      clock.advance(retryDelayMs(attempts + 1, () => 0));
    }
    const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.messageId, messageId));
    expect(row).toMatchObject({ status: 'failed', nextAttemptAt: null, attempts: attempts + 1 });
    // 5 + 10 + 20 + 40 + 80 s of waits fit in five minutes; the next (160 s) would not.
    expect(row!.attempts).toBe(6);
    expect(await drain({ retryWindowMs: window })).toEqual([]);
  });

  it('delivers every event to a receiver that was down and came back', async () => {
    const { db, actor, admin, receiver } = await setup();
    const port = receiver.port;
    await receiver.stop();
    const made = await Promise.all(Array.from({ length: 5 }, (_, i) => createKey(db, actor, { name: `Offline ${i}` }, { catalogue: diga })));
    const first = await drain();
    expect(first).toHaveLength(5);
    expect(first.every((o) => o.status === 'pending' && o.error === 'connection refused')).toBe(true);
    // Stored and listed as the class alone: no code, address or port that would make a port scanner.
    const listed = (await listDeliveries(db, admin, { page: 1, pageSize: 20 })).deliveries.filter((d) => first.some((o) => o.messageId === d.messageId));
    expect(listed.map((d) => [d.lastError, d.lastStatusCode, d.responseBody])).toEqual(Array(5).fill(['connection refused', null, null]));
    await receiver.start(port);
    clock.advance(retryDelayMs(1, () => 0));
    const second = await drain();
    expect(second.map((o) => o.status)).toEqual(Array(5).fill('delivered'));
    expect(new Set(receiver.idsOf())).toEqual(new Set(first.map((o) => o.messageId)));
    expect(receiver.received).toHaveLength(5);
    const names = receiver.received.map((r) => (JSON.parse(r.body) as WebhookBody).data.key!.name).sort();
    expect(names).toEqual(made.map((m) => m.key.name).sort());
  });

  it('delivers each event exactly once with two dispatchers draining at once', async () => {
    const { db, actor, receiver } = await setup();
    receiver.delayMs = 15;
    await Promise.all(Array.from({ length: 30 }, (_, i) => createKey(db, actor, { name: `Busy ${i}` }, { catalogue: diga })));
    // On PostgreSQL the second dispatcher has connections of its own, as another node would.
    const database = current();
    const second = database.driver === 'postgres' ? openDatabase({ driver: 'postgres', url: database.url!, max: 3 }) : database;
    try {
      const run = async (db: Db) => {
        const outcomes = [];
        for (;;) {
          const batch = await deliverDue(options({ db, batchSize: 4 }));
          if (batch.length === 0) return outcomes;
          outcomes.push(...batch);
        }
      };
      const [a, b] = await Promise.all([run(db), run(second.db)]);
      expect(a.length + b.length).toBe(30);
      expect([...a, ...b].every((o) => o.status === 'delivered')).toBe(true);
      if (database.driver === 'postgres') expect(Math.min(a.length, b.length)).toBeGreaterThan(0);
    } finally {
      if (second !== database) await second.close();
    }
    expect(receiver.received).toHaveLength(30);
    expect(new Set(receiver.idsOf()).size).toBe(30);
  });

  it('signs with both keys while the webhook key’s rotation grace period runs; each one verifies', async () => {
    const { db, project, actor, admin, receiver, webhookSecret, webhookKeyId } = await setup();
    const rotated = await rotateKey(db, actor, webhookKeyId, { gracePeriodSeconds: 3600 }, { catalogue: diga });
    receiver.keys = [rotated.secret, webhookSecret];
    await sendTestEvent(db, admin);
    await drain();
    const [request] = receiver.received.slice(-1);
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(request!.retell).toBe(true);
    expect(request!.standard).toEqual([true, true]);
    // Once the grace period is over only the new key signs.
    const later = await loadSigningKeys(db, project.id, new Date(Date.now() + 2 * 3_600_000));
    expect(later).toEqual({ current: rotated.secret, previous: [] });
  });

  it('keeps deliveries waiting as "No webhook key" until a webhook key is chosen, then sends them', async () => {
    const { db, project, actor, admin, receiver } = await setup({ webhookKey: false });
    const made = await createKey(db, actor, { name: 'Future signer' }, { catalogue: diga });
    await sendTestEvent(db, admin);
    expect(await drain()).toEqual([]);
    const waiting = await deliveriesOf(db, project.id);
    expect(waiting.map((row) => row.status)).toEqual(['no_webhook_key', 'no_webhook_key']);
    expect(waiting[0]!.lastError).toMatch(/No webhook key/);
    expect(receiver.received).toHaveLength(0);

    receiver.keys = [made.secret];
    await setWebhookKey(db, actor, made.key.id, { catalogue: diga });
    const sent = await drain();
    expect(sent.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(receiver.received.map((r) => (JSON.parse(r.body) as WebhookBody).type).sort()).toEqual(['api_key.created', 'webhook.test', 'webhook_key.changed']);
    expect(receiver.received.every((r) => r.retell && r.standard[0])).toBe(true);

    // A webhook key deleted after an event was queued: the event waits again.
    await sendTestEvent(db, admin);
    await deleteKey(db, actor, made.key.id, { catalogue: diga });
    const statuses = (await deliveriesOf(db, project.id)).map((row) => row.status);
    expect(statuses.filter((s) => s === 'pending')).toHaveLength(1);
    expect(await drain()).toEqual([expect.objectContaining({ status: 'no_webhook_key' })]);
  });

  it('refuses metadata and link-local endpoints at save time, however they are written or resolved', async () => {
    const { db, admin } = await setup();
    const saveUrl = (url: string, extra: { resolve?: Resolver; allowPrivate?: boolean } = {}) =>
      saveEndpoint(db, admin, { url, events: ['api_key.created'], enabled: true }, { allowPrivate: true, ...extra });
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://2852039166/',
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://[fe80::1]/',
    ]) {
      const refused = await rejection(saveUrl(url));
      expect(refused.fieldErrors?.url?.[0], url).toMatch(/never sent there/);
    }
    const viaDns = await rejection(saveUrl('https://metadata.example.test/', { resolve: async () => [{ address: '8.8.8.8', family: 4 }, { address: '169.254.169.254', family: 4 }] }));
    expect(viaDns.fieldErrors?.url?.[0]).toBe('metadata.example.test resolves to 169.254.169.254, a link-local address (cloud metadata lives there); webhooks are never sent there.');
    expect((await rejection(saveUrl('ftp://example.test/'))).fieldErrors?.url).toEqual(['Only http:// and https:// URLs can receive webhooks.']);
    expect((await rejection(saveUrl('https://user:pw@example.test/'))).fieldErrors?.url?.[0]).toMatch(/user name and password/);
    expect((await rejection(saveUrl('https://does-not-exist.invalid/'))).fieldErrors?.url?.[0]).toMatch(/could not be resolved/);

    // Private networks: allowed by default, refused when the deployment says so.
    await expect(saveUrl('http://10.1.2.3/hook')).resolves.toMatchObject({ url: 'http://10.1.2.3/hook' });
    expect((await rejection(saveUrl('http://10.1.2.3/hook', { allowPrivate: false }))).fieldErrors?.url?.[0]).toMatch(/KEYWARD_WEBHOOK_ALLOW_PRIVATE=false/);
    expect((await rejection(saveUrl('http://localhost:9/hook', { allowPrivate: false }))).fieldErrors?.url?.[0]).toMatch(/loopback/);
    // A disabled endpoint can be saved whatever its host's DNS does now, but never on a refused address.
    await expect(saveEndpoint(db, admin, { url: 'https://does-not-exist.invalid/', events: [], enabled: false })).resolves.toMatchObject({ enabled: false });
    expect((await rejection(saveEndpoint(db, admin, { url: 'http://169.254.169.254/', events: [], enabled: false }))).fieldErrors?.url?.[0]).toMatch(/never sent there/);
  });

  it('checks the address again at delivery time and connects to the address it checked', async () => {
    const { db, admin, receiver } = await setup();
    const hostUrl = `http://receiver.example.test:${receiver.port}/hooks`;
    await saveEndpoint(db, admin, { url: hostUrl, events: [], enabled: true }, { resolve: async () => [{ address: '127.0.0.1', family: 4 }], allowPrivate: true });

    // The name now answers with the metadata address (DNS rebinding): refused, nothing sent.
    let sends = 0;
    const counting: Transport = (request) => {
      sends++;
      return pinnedTransport(request);
    };
    const { messageId } = await sendTestEvent(db, admin);
    const [refused] = await drain({ resolve: async () => [{ address: '169.254.169.254', family: 4 }], send: counting });
    // Shown as a class: what the name resolves to now is not told.
    expect(refused).toMatchObject({ messageId, status: 'pending', error: 'refused address' });
    expect(sends).toBe(0);

    // Private addresses refused by configuration at delivery time too.
    clock.advance(retryDelayMs(1, () => 0));
    const [privateRefused] = await drain({ resolve: async () => [{ address: '127.0.0.1', family: 4 }], allowPrivate: false, send: counting });
    expect(privateRefused!.error).toBe('refused address');
    expect(sends).toBe(0);

    // receiver.example.test exists in no DNS: the request reaches the receiver because the
    // socket goes to the checked address; the Host header still names the URL's host.
    clock.advance(retryDelayMs(2, () => 0));
    const [sent] = await drain({ resolve: async () => [{ address: '127.0.0.1', family: 4 }], send: counting });
    expect(sent).toMatchObject({ messageId, status: 'delivered' });
    expect(receiver.received[0]!.headers.host).toBe(`receiver.example.test:${receiver.port}`);
    expect(sends).toBe(1);
  });

  it('keeps the first bytes of a public endpoint’s answer, and shows DNS and TLS failures as classes', async () => {
    const { db, project, admin, receiver } = await setup();
    const hostUrl = `http://hooks.example.test:${receiver.port}/hooks`;
    const publicDns: Resolver = async () => [{ address: '93.184.216.34', family: 4 }];
    await saveEndpoint(db, admin, { url: hostUrl, events: [], enabled: true }, { resolve: publicDns });
    // The name resolves to a public address; the request itself goes to this test's receiver.
    const toReceiver: Transport = (request) => pinnedTransport({ ...request, target: { ...request.target, address: '127.0.0.1' } });
    const { messageId } = await sendTestEvent(db, admin);
    expect(await drain({ resolve: publicDns, send: toReceiver })).toEqual([{ messageId, status: 'delivered', statusCode: 200 }]);
    const lastRow = async () => (await deliveriesOf(db, project.id)).at(-1)!;
    expect(await lastRow()).toMatchObject({ messageId, lastStatusCode: 200, responseBody: 'ok' });

    receiver.mode = 'error';
    await sendTestEvent(db, admin);
    await drain({ resolve: publicDns, send: toReceiver });
    expect(await lastRow()).toMatchObject({ lastStatusCode: 500, responseBody: 'receiver is down for maintenance', lastError: 'HTTP 5xx' });

    const lost = Object.assign(new Error('getaddrinfo ENOTFOUND hooks.example.test'), { code: 'ENOTFOUND' });
    await sendTestEvent(db, admin);
    expect(await drain({ resolve: async () => Promise.reject(lost) })).toEqual([expect.objectContaining({ status: 'pending', error: 'DNS lookup failed' })]);

    // https to a server that speaks plain http fails the TLS handshake.
    await saveEndpoint(db, admin, { url: `https://127.0.0.1:${receiver.port}/hooks`, events: [], enabled: true });
    await sendTestEvent(db, admin);
    expect(await drain()).toEqual([expect.objectContaining({ status: 'pending', error: 'TLS error' })]);
    expect(await lastRow()).toMatchObject({ lastError: 'TLS error', lastStatusCode: null, responseBody: null });
  });

  it('lets only administrators see or change webhooks, and audits every change', async () => {
    const { db, project, admin, receiver } = await setup();
    const member = await createUser(db, { email: `member-${sequence}@hooks.test` });
    await setMembership(db, project.id, member.id, 'member');
    const outsider = await createUser(db, { email: `outsider-${sequence}@hooks.test` });
    const asMember: Actor = { type: 'user', userId: member.id, projectSlug: admin.projectSlug };
    const asOutsider: Actor = { type: 'user', userId: outsider.id, projectSlug: admin.projectSlug };
    const input = { url: receiver.url, events: ['api_key.created' as const], enabled: true };
    expect(await rejection(saveEndpoint(db, asMember, input))).toMatchObject({ code: 'forbidden', message: WEBHOOKS_ADMIN_ONLY });
    expect((await rejection(saveEndpoint(db, asOutsider, input))).code).toBe('not_found');
    expect((await rejection(sendTestEvent(db, asMember))).code).toBe('forbidden');
    expect((await rejection(listDeliveries(db, asMember, { page: 1, pageSize: 20 }))).code).toBe('forbidden');
    expect((await rejection(saveEndpoint(db, admin, { ...input, events: ['api_key.exploded'] } as never))).code).toBe('invalid_input');
    expect((await rejection(saveEndpoint(db, admin, { ...input, projectId: 'x' } as never))).code).toBe('invalid_input');

    await saveEndpoint(db, admin, input);
    const { messageId } = await sendTestEvent(db, admin);
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.projectId, project.id), inArray(auditEvents.action, ['webhook_endpoint.updated', 'webhook.test_sent'])))
      .orderBy(auditEvents.createdAt);
    expect(events.map((e) => e.action)).toEqual(['webhook_endpoint.updated', 'webhook_endpoint.updated', 'webhook.test_sent']);
    expect(events[1]).toMatchObject({ actorType: 'user', clientAddress: '192.0.2.7', metadata: { events: ['api_key.created'], enabled: true } });
    // The receiver's token in the query string stays out of the audit log.
    expect(JSON.stringify(events)).not.toContain('receiver-token');
    expect(events[2]!.metadata).toMatchObject({ messageId });

    const other = await setup();
    expect((await rejection(sendTestEvent(db, { ...other.admin, projectSlug: admin.projectSlug }))).code).toBe('not_found');
  });

  it('prunes settled deliveries past the retention, a batch at a time, and never pending or waiting ones', async () => {
    const { db, project } = await setup();
    const old = new Date('2001-01-01T00:00:00Z');
    const statuses = ['delivered', 'failed', 'canceled', 'pending', 'no_webhook_key'] as const;
    const row = (status: (typeof statuses)[number], createdAt: Date) => ({
      projectId: project.id,
      eventType: 'api_key.created',
      messageId: `msg_prune_${randomBytes(8).toString('hex')}`,
      payload: '{}',
      status,
      nextAttemptAt: null,
      createdAt,
    });
    // More old delivered rows than one batch, one of each other status, and recent settled ones.
    await db.insert(webhookDeliveries).values([
      ...Array.from({ length: 1005 }, () => row('delivered', old)),
      ...statuses.slice(1).map((status) => row(status, old)),
      ...statuses.slice(0, 3).map((status) => row(status, new Date('2001-03-01T00:00:00Z'))),
    ]);
    expect(await pruneDeliveries(db, new Date('2001-02-01T00:00:00Z'))).toBe(1007);
    const left = await db
      .select({ status: webhookDeliveries.status, createdAt: webhookDeliveries.createdAt })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.projectId, project.id), inArray(webhookDeliveries.status, [...statuses])));
    const summary = left.filter((r) => r.createdAt < new Date('2002-01-01')).map((r) => `${r.status} ${r.createdAt.toISOString().slice(0, 7)}`);
    expect(summary.sort()).toEqual(['canceled 2001-03', 'delivered 2001-03', 'failed 2001-03', 'no_webhook_key 2001-01', 'pending 2001-01']);
  });

  it('pages the deliveries table in the database, newest first', async () => {
    const { db, admin } = await setup();
    for (let i = 0; i < 5; i++) await sendTestEvent(db, admin);
    const first = await listDeliveries(db, admin, { page: 1, pageSize: 2 } as never);
    expect(first).toMatchObject({ total: 5, pageCount: 3, page: 1, totalIsCapped: false });
    const last = await listDeliveries(db, admin, { page: 9, pageSize: 2 } as never);
    expect(last.page).toBe(3);
    expect(last.deliveries).toHaveLength(1);
    expect(first.deliveries[0]!.createdAt >= first.deliveries[1]!.createdAt).toBe(true);
    expect(first.deliveries[0]).toMatchObject({ eventType: 'webhook.test', status: 'pending', attempts: 0 });
  });

  it('runs as a polling dispatcher that delivers without being asked and stops cleanly', async () => {
    const { db, admin, receiver } = await setup();
    const dispatcher = startDispatcher({ ...options(), pollMs: 25, log: () => {} });
    try {
      const { messageId } = await sendTestEvent(db, admin);
      await expect.poll(() => receiver.idsOf(), { timeout: 5_000, interval: 25 }).toContain(messageId);
      await expect.poll(async () => (await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.messageId, messageId)))[0]!.status).toBe('delivered');
    } finally {
      await dispatcher.stop();
    }
    await sendTestEvent(db, admin);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.received).toHaveLength(1);
  });
});
