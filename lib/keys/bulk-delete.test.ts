import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { apiKeys, apiKeySecrets, auditEvents, projectKeyCounts, webhookDeliveries } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { describeEachDatabase, rowCounts } from '@/lib/testing/databases';
import { seedTwoProjects } from '@/lib/testing/two-projects';
import { rejection } from '@/lib/testing/rejection';
import { verifyKey } from '@/lib/verify/verify';
import { saveEndpoint } from '@/lib/webhooks/endpoint';
import { ESCALATION_MESSAGE } from './access';
import { deleteKeys, webhookKeyUnconfirmed } from './bulk-delete';
import { createKey } from './create';
import { hashKey } from './crypto';
import { onKeyChanged } from './events';
import { deleteKey, setWebhookKey } from './manage';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

describeEachDatabase('bulk delete', (current) => {
  let admin: Actor;
  let member: Actor;
  let otherAdmin: Actor;
  let projectId = '';
  const options = { catalogue: diga };
  const asKey = (secret: string): Actor => ({ type: 'api_key', keyHash: hashKey(secret), clientAddress: '198.51.100.7' });
  const everything = () => rowCounts(current().db, { keys: apiKeys, secrets: apiKeySecrets, events: auditEvents, deliveries: webhookDeliveries });
  const keyCount = async () => (await current().db.select().from(projectKeyCounts).where(eq(projectKeyCounts.projectId, projectId)))[0]!.keyCount;

  async function keys(count: number, actor: Actor = admin, prefix = 'bulk') {
    const made = [];
    for (let i = 0; i < count; i++) made.push(await createKey(current().db, actor, { name: `${prefix} ${i} ${randomBytes(2).toString('hex')}` }, options));
    return made;
  }

  const stopListening: (() => void)[] = [];
  afterEach(() => stopListening.splice(0).forEach((stop) => stop()));

  beforeAll(async () => {
    const { db } = current();
    ({ projectId, admin, member, otherAdmin } = await seedTwoProjects(db));
    // Deletions are webhook events: an endpoint that wants them, so the outbox shows each one.
    await saveEndpoint(db, admin, { url: 'http://hooks.acme.test/keyward', events: ['api_key.deleted'], enabled: true }, {
      allowPrivate: true,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
  });

  it('deletes every key named in one go, each with the audit event, webhook and cache notice a single delete leaves', async () => {
    const { db } = current();
    const made = await keys(3);
    const ids = made.map(({ key }) => key.id);
    const countBefore = await keyCount();
    const noticed: string[] = [];
    stopListening.push(onKeyChanged((change) => change.kind === 'deleted' && noticed.push(change.publicId)));

    // The order given is the order answered, audited and announced.
    const order = [ids[2]!, ids[0]!, ids[1]!];
    expect(await deleteKeys(db, admin, { ids: order }, options)).toEqual({ deleted: order });

    for (const { secret } of made) expect((await verifyKey(db, diga, secret)).code).toBe('NOT_FOUND');
    expect(await db.select().from(apiKeys).where(inArray(apiKeys.publicId, ids))).toHaveLength(0);
    expect(await db.select().from(apiKeySecrets).where(inArray(apiKeySecrets.hash, made.map(({ secret }) => hashKey(secret))))).toHaveLength(0);
    expect(await keyCount()).toBe(countBefore - 3);
    expect(noticed).toEqual(order);

    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'api_key.deleted'), inArray(auditEvents.targetId, ids)))
      .orderBy(asc(auditEvents.createdAt), asc(auditEvents.id));
    expect(events).toHaveLength(3);
    for (const event of events) {
      const { key } = made.find(({ key }) => key.id === event.targetId)!;
      expect(event).toMatchObject({
        actorType: 'user',
        actorLabel: 'admin@acme.test',
        clientAddress: '192.0.2.1',
        targetType: 'api_key',
        metadata: { name: key.name, wasWebhookKey: false },
      });
    }
    const deliveries = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventType, 'api_key.deleted'));
    const delivered = deliveries.map((row) => (JSON.parse(row.payload) as { data: { key: { id: string } } }).data.key.id);
    expect(delivered.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
  });

  it('leaves the same audit event and webhook per key as deleting each key alone', async () => {
    const { db } = current();
    const [single, bulk] = await keys(2, admin, 'same');
    await deleteKey(db, admin, single!.key.id, options);
    await deleteKeys(db, admin, { ids: [bulk!.key.id] }, options);
    const payloads = (await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventType, 'api_key.deleted'))).map(
      (row) => JSON.parse(row.payload) as { type: string; data: { actor: unknown; key: { id: string; name: string; webhook: boolean } } },
    );
    const shape = async (id: string) => {
      const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.targetId, id), eq(auditEvents.action, 'api_key.deleted')));
      const payload = payloads.find((body) => body.data.key.id === id)!;
      return {
        event: { action: event!.action, actorType: event!.actorType, actorLabel: event!.actorLabel, metadata: { ...event!.metadata, name: 'its name' } },
        webhook: { type: payload.type, actor: payload.data.actor, key: { ...payload.data.key, id: 'the key', name: 'its name' } },
      };
    };
    const alone = await shape(single!.key.id);
    const together = await shape(bulk!.key.id);
    expect(together).toEqual(alone);
    expect(alone.event).toEqual({ action: 'api_key.deleted', actorType: 'user', actorLabel: 'admin@acme.test', metadata: { name: 'its name', wasWebhookKey: false } });
  });

  it('is all or nothing: a missing id, or another project’s, and no key is deleted', async () => {
    const { db } = current();
    const mine = await keys(2);
    const [theirs] = await keys(1, otherAdmin, 'theirs');
    const before = await everything();

    const foreign = await rejection(deleteKeys(db, admin, { ids: [mine[0]!.key.id, theirs!.key.id, mine[1]!.key.id] }, options));
    expect(foreign.code).toBe('not_found');
    expect(foreign.message).toBe('One key (ids.1) is not in this project. Nothing was deleted.');
    expect(foreign.fieldErrors).toEqual({ 'ids.1': ['No key with this id in this project.'] });
    // The id sent is never echoed: it is the caller's input, whatever they pasted there.
    expect(JSON.stringify(foreign)).not.toContain(theirs!.key.id);

    const missing = await rejection(deleteKeys(db, admin, { ids: ['key_nope1', mine[0]!.key.id, 'key_nope2'] }, options));
    expect(missing.code).toBe('not_found');
    expect(Object.keys(missing.fieldErrors!)).toEqual(['ids.0', 'ids.2']);

    // The other project's administrator cannot reach this project's keys either.
    expect((await rejection(deleteKeys(db, otherAdmin, { ids: [mine[0]!.key.id] }, options))).code).toBe('not_found');
    expect(await everything()).toEqual(before);
    for (const { secret } of [...mine, theirs!]) expect((await verifyKey(db, diga, secret)).code).toBe('VALID');
  });

  it('refuses the whole batch when the webhook key is in it, unless that is confirmed', async () => {
    const { db } = current();
    const [hook, plain] = await keys(2, admin, 'webhook');
    await setWebhookKey(db, admin, hook!.key.id, options);
    const before = await everything();

    for (const confirmWebhookKey of [undefined, false]) {
      const refused = await rejection(deleteKeys(db, admin, { ids: [plain!.key.id, hook!.key.id], confirmWebhookKey }, options));
      expect(refused.code).toBe('webhook_key_confirmation_required');
      expect(refused.message).toBe(webhookKeyUnconfirmed(hook!.key.name));
      expect(refused.fieldErrors?.confirmWebhookKey).toEqual([`Set to true to delete the webhook key ${hook!.key.id} too.`]);
    }
    expect(await everything()).toEqual(before);

    // A batch without the webhook key needs no confirmation; the confirmation alone deletes nothing extra.
    expect(await deleteKeys(db, admin, { ids: [plain!.key.id], confirmWebhookKey: true }, options)).toEqual({ deleted: [plain!.key.id] });
    expect((await verifyKey(db, diga, hook!.secret)).code).toBe('VALID');

    expect(await deleteKeys(db, admin, { ids: [hook!.key.id], confirmWebhookKey: true }, options)).toEqual({ deleted: [hook!.key.id] });
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.targetId, hook!.key.id), eq(auditEvents.action, 'api_key.deleted')));
    expect(event!.metadata).toEqual({ name: hook!.key.name, wasWebhookKey: true });
    expect(await db.select().from(apiKeys).where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.isWebhookKey, true)))).toHaveLength(0);
  });

  it('takes 1 to 100 distinct ids and nothing else', async () => {
    const { db } = current();
    const [kept] = await keys(1, admin, 'kept');
    const before = await everything();
    const invalid = async (input: unknown) => {
      const error = await rejection(deleteKeys(db, admin, input as never, options));
      expect(error.code).toBe('invalid_input');
      return error.fieldErrors;
    };
    const hundredAndOne = Array.from({ length: 101 }, (_, i) => (i === 0 ? kept!.key.id : `key_${i}`));
    expect(await invalid({ ids: hundredAndOne })).toEqual({ ids: ['ids can list at most 100 keys.'] });
    expect(await invalid({ ids: [] })).toEqual({ ids: ['ids must list at least one key.'] });
    expect(await invalid({ ids: [kept!.key.id, kept!.key.id] })).toEqual({ ids: ['ids must not list a key twice.'] });
    expect(await invalid({ ids: [kept!.key.id, 7] })).toEqual({ 'ids.1': ['Each id must be a key id.'] });
    expect(await invalid({ ids: kept!.key.id })).toEqual({ ids: ['ids must be a list of key ids.'] });
    expect(await invalid({ ids: [kept!.key.id], projectId })).toEqual({ projectId: ['Unknown field.'] });
    expect(await invalid({ ids: [kept!.key.id], confirmWebhookKey: 'yes' })).toEqual({ confirmWebhookKey: ['confirmWebhookKey must be true or false.'] });
    expect(await everything()).toEqual(before);

    // A hundred is allowed.
    const hundred = await keys(100, admin, 'hundred');
    expect((await deleteKeys(db, admin, { ids: hundred.map(({ key }) => key.id) }, options)).deleted).toHaveLength(100);
  }, 60_000);

  it('needs an administrator, or a key with API Keys at Write holding at least what every key holds', async () => {
    const { db } = current();
    const [target] = await keys(1, admin, 'target');
    const before = await everything();
    expect((await rejection(deleteKeys(db, member, { ids: [target!.key.id] }, options))).code).toBe('forbidden');
    // Authorization comes first: a member is told that, not what is wrong with the input.
    expect((await rejection(deleteKeys(db, member, { ids: [] }, options))).code).toBe('forbidden');

    const reader = await createKey(db, admin, { name: 'reader', permissions: { api_keys: 'read' } }, options);
    const writer = await createKey(db, admin, { name: 'writer', permissions: { api_keys: 'write', calls: 'read' } }, options);
    const weaker = await createKey(db, admin, { name: 'weaker', permissions: { calls: 'read' } }, options);
    const middle = await rowCounts(db, { keys: apiKeys, events: auditEvents });
    expect((await rejection(deleteKeys(db, asKey(reader.secret), { ids: [weaker.key.id] }, options))).code).toBe('forbidden');
    // One key stronger than the caller (full access) refuses the batch, the weaker key included.
    const escalation = await rejection(deleteKeys(db, asKey(writer.secret), { ids: [weaker.key.id, target!.key.id] }, options));
    expect(escalation).toMatchObject({ code: 'forbidden', message: ESCALATION_MESSAGE });
    expect(await rowCounts(db, { keys: apiKeys, events: auditEvents })).toEqual(middle);
    expect(before.keys + 3).toBe(middle.keys);

    expect(await deleteKeys(db, asKey(writer.secret), { ids: [weaker.key.id] }, options)).toEqual({ deleted: [weaker.key.id] });
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.targetId, weaker.key.id), eq(auditEvents.action, 'api_key.deleted')));
    expect(event).toMatchObject({ actorType: 'api_key', actorId: writer.key.id, actorLabel: 'writer', clientAddress: '198.51.100.7' });
  });

  it('lets two overlapping batches finish one after the other, never both deleting a key', async () => {
    const { db } = current();
    const made = await keys(4, admin, 'race');
    const ids = made.map(({ key }) => key.id);
    const results = await Promise.allSettled([deleteKeys(db, admin, { ids: ids.slice(0, 3) }, options), deleteKeys(db, admin, { ids: ids.slice(1) }, options)]);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0]!.reason as { code: string }).code).toBe('not_found');
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.action, 'api_key.deleted'), inArray(auditEvents.targetId, ids)));
    expect(events).toHaveLength(3);
  });
});
