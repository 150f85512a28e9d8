import { randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets, auditEvents, projectKeyCounts } from '@/db/schema';
import { digaCatalogue as diga, retellCatalogue as retell } from '@/lib/permissions/presets';
import { describeEachDatabase } from '@/lib/testing/databases';
import { seedTwoProjects } from '@/lib/testing/two-projects';
import { rejection } from '@/lib/testing/rejection';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from './create';
import { decryptSecret, hashKey } from './crypto';
import { deleteKey, setWebhookKey, updateKey } from './manage';
import { rotateKey } from './rotate';
import { verifyKey } from '@/lib/verify/verify';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

async function tableCounts(db: Db) {
  const [keys] = await db.select({ n: count() }).from(apiKeys);
  const [secrets] = await db.select({ n: count() }).from(apiKeySecrets);
  const [events] = await db.select({ n: count() }).from(auditEvents);
  return { keys: keys!.n, secrets: secrets!.n, events: events!.n };
}

describeEachDatabase('API keys', (current) => {
  let admin: Actor;
  let member: Actor;
  let otherAdmin: Actor;
  let projectId = '';

  beforeAll(async () => {
    ({ projectId, admin, member, otherAdmin } = await seedTwoProjects(current().db));
  });

  it('creates a full-access key: secret returned once, stored only as hash and ciphertext, audited', async () => {
    const { db } = current();
    const created = await createKey(db, admin, { name: '  Production  ' }, { catalogue: diga });
    expect(created.key).toMatchObject({ name: 'Production', restricted: false, permissions: null, webhook: false, expiresAt: null });
    expect(created.key.id).toMatch(/^key_/);
    expect(created.secret.startsWith(created.key.start)).toBe(true);
    expect(created.secret.endsWith(created.key.last4)).toBe(true);

    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.publicId, created.key.id));
    const [secret] = await db.select().from(apiKeySecrets).where(eq(apiKeySecrets.apiKeyId, row!.id));
    expect(secret!.hash).toBe(hashKey(created.secret));
    expect(JSON.stringify([row, secret])).not.toContain(created.secret);
    expect(decryptSecret(secret!.ciphertext, created.key.id)).toBe(created.secret);

    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.targetId, created.key.id));
    expect(event).toMatchObject({ action: 'api_key.created', actorType: 'user', actorLabel: 'admin@acme.test', clientAddress: '192.0.2.1' });
    expect(JSON.stringify(event)).not.toContain(created.secret);
    expect((await verifyKey(db, diga, created.secret)).code).toBe('VALID');
  });

  it('creates a restricted key listing only what it grants; the rest is No access', async () => {
    const { db } = current();
    const { key, secret } = await createKey(db, admin, { name: 'Calls reader', permissions: { calls: 'read', contacts: 'write' } }, { catalogue: diga });
    expect(key.restricted).toBe(true);
    expect(key.permissions).toMatchObject({ calls: 'read', contacts: 'write', messages: 'none', api_keys: 'none' });
    expect(Object.keys(key.permissions!)).toHaveLength(19);
    expect(await verifyKey(db, diga, secret, { require: { calls: 'read' } })).toMatchObject({ valid: true, code: 'VALID', keyId: key.id });
    expect(await verifyKey(db, diga, secret, { require: { calls: 'write' } })).toMatchObject({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(await verifyKey(db, diga, secret, { require: { contacts: 'read', calls: 'read' } })).toMatchObject({ valid: true });
    expect((await rejection(verifyKey(db, diga, secret, { require: { teleport: 'read' } }))).code).toBe('invalid_input');
  });

  it('refuses members, other projects’ admins, bad input and extra fields, writing nothing', async () => {
    const { db } = current();
    const before = await tableCounts(db);
    expect((await rejection(createKey(db, member, { name: 'x' }, { catalogue: diga }))).message).toBe('Only administrators can manage API keys.');
    expect((await rejection(createKey(db, { ...(otherAdmin as Extract<Actor, { type: 'user' }>), projectSlug: 'acme' }, { name: 'x' }, { catalogue: diga }))).code).toBe('not_found');
    const blank = await rejection(createKey(db, admin, { name: '   ' }, { catalogue: diga }));
    expect(blank.fieldErrors).toEqual({ name: ['Name is required.'] });
    const long = await rejection(createKey(db, admin, { name: 'x'.repeat(101) }, { catalogue: diga }));
    expect(long.fieldErrors?.name).toEqual(['Name must be at most 100 characters.']);
    const rtl = await rejection(createKey(db, admin, { name: 'evil\u202Etxt.exe' }, { catalogue: diga }));
    expect(rtl.fieldErrors?.name?.[0]).toMatch(/control or text-direction/);
    const levels = await rejection(createKey(db, admin, { name: 'x', permissions: { call: 'read', warp: 'write' } }, { catalogue: retell }));
    expect(Object.keys(levels.fieldErrors ?? {}).sort()).toEqual(['permissions.call', 'permissions.warp']);
    const extra = await rejection(createKey(db, admin, { name: 'x', projectId, isWebhookKey: true } as never, { catalogue: diga }));
    expect(extra.code).toBe('invalid_input');
    const past = await rejection(createKey(db, admin, { name: 'x', expiresAt: '2020-01-01T00:00:00Z' }, { catalogue: diga }));
    expect(past.fieldErrors?.expiresAt).toEqual(['Expiry must be in the future.']);
    expect(await tableCounts(db)).toEqual(before);
  });

  it('deletes a key permanently: it stops verifying at once; another project cannot see it', async () => {
    const { db } = current();
    const { key, secret } = await createKey(db, admin, { name: 'Doomed' }, { catalogue: diga });
    const [before] = await db.select().from(projectKeyCounts).where(eq(projectKeyCounts.projectId, projectId));
    expect((await rejection(deleteKey(db, otherAdmin, key.id, { catalogue: diga }))).code).toBe('not_found');
    expect((await rejection(deleteKey(db, member, key.id, { catalogue: diga }))).code).toBe('forbidden');
    expect(await deleteKey(db, admin, key.id, { catalogue: diga })).toEqual({ id: key.id, wasWebhookKey: false });
    expect((await verifyKey(db, diga, secret)).code).toBe('NOT_FOUND');
    expect(await db.select().from(apiKeySecrets).where(eq(apiKeySecrets.hash, hashKey(secret)))).toHaveLength(0);
    const [after] = await db.select().from(projectKeyCounts).where(eq(projectKeyCounts.projectId, projectId));
    expect(after!.keyCount).toBe(before!.keyCount - 1);
    expect((await rejection(deleteKey(db, admin, key.id, { catalogue: diga }))).code).toBe('not_found');
  });

  it('keeps exactly one webhook key per project, even under 20 concurrent choices', async () => {
    const { db } = current();
    const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => createKey(db, admin, { name: `hook-${i}` }, { catalogue: diga })));
    expect((await setWebhookKey(db, admin, keys[0]!.key.id, { catalogue: diga })).webhook).toBe(true);
    expect((await setWebhookKey(db, admin, keys[1]!.key.id, { catalogue: diga })).webhook).toBe(true);
    const results = await Promise.allSettled(keys.map(({ key }) => setWebhookKey(db, admin, key.id, { catalogue: diga })));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const webhooks = await db.select().from(apiKeys).where(eq(apiKeys.isWebhookKey, true));
    expect(webhooks.filter((k) => k.projectId === projectId)).toHaveLength(1);
    const changes = await db.select().from(auditEvents).where(eq(auditEvents.action, 'webhook_key.changed'));
    expect(changes.length).toBeGreaterThanOrEqual(2);
  });

  it('edits permissions only where the catalogue allows, keeping the secret', async () => {
    const { db } = current();
    const fixed = await createKey(db, admin, { name: 'Fixed', permissions: { calls: 'read' } }, { catalogue: diga });
    const refused = await rejection(updateKey(db, admin, fixed.key.id, { permissions: { calls: 'write' } }, { catalogue: diga }));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toMatch(/Create a new key/);
    expect((await updateKey(db, admin, fixed.key.id, { name: 'Renamed' }, { catalogue: diga })).name).toBe('Renamed');

    const editable = await createKey(db, admin, { name: 'Editable', permissions: { agent: 'read' } }, { catalogue: retell });
    const edited = await updateKey(db, admin, editable.key.id, { permissions: { agent: 'write', call: 'write' } }, { catalogue: retell });
    expect(edited.permissions).toMatchObject({ agent: 'write', call: 'write', export: 'none' });
    expect(await verifyKey(db, retell, editable.secret, { require: { call: 'write' } })).toMatchObject({ code: 'VALID' });
    expect((await updateKey(db, admin, editable.key.id, { permissions: null }, { catalogue: retell })).permissions).toBeNull();
  });

  it('rotates with a grace period: both secrets work until it ends, then only the new one', async () => {
    const { db } = current();
    const t0 = new Date('2030-01-01T00:00:00Z');
    const original = await createKey(db, admin, { name: 'Rotating' }, { catalogue: diga, now: t0 });
    const rotated = await rotateKey(db, admin, original.key.id, { gracePeriodSeconds: 3600 }, { catalogue: diga, now: t0 });
    expect(rotated.key.id).toBe(original.key.id);
    expect(rotated.secret).not.toBe(original.secret);
    expect(rotated.key.previousSecretExpiresAt).toBe('2030-01-01T01:00:00.000Z');

    const justBefore = new Date(t0.getTime() + 3600_000 - 1);
    const atEnd = new Date(t0.getTime() + 3600_000);
    expect((await verifyKey(db, diga, original.secret, { now: justBefore })).code).toBe('VALID');
    expect((await verifyKey(db, diga, rotated.secret, { now: justBefore })).code).toBe('VALID');
    expect((await verifyKey(db, diga, original.secret, { now: atEnd })).valid).toBe(false);
    expect((await verifyKey(db, diga, rotated.secret, { now: atEnd })).code).toBe('VALID');

    const immediate = await rotateKey(db, admin, original.key.id, { gracePeriodSeconds: 0 }, { catalogue: diga, now: t0 });
    expect((await verifyKey(db, diga, rotated.secret, { now: t0 })).valid).toBe(false);
    expect((await verifyKey(db, diga, immediate.secret, { now: t0 })).code).toBe('VALID');
    expect((await rejection(rotateKey(db, admin, original.key.id, { gracePeriodSeconds: -1 }, { catalogue: diga }))).code).toBe('invalid_input');
    expect((await rejection(rotateKey(db, otherAdmin, original.key.id, { gracePeriodSeconds: 0 }, { catalogue: diga }))).code).toBe('not_found');
  });

  it('expires a key exactly at its expiry time', async () => {
    const { db } = current();
    const t0 = new Date('2030-06-01T00:00:00Z');
    const expiresAt = '2030-06-08T00:00:00.000Z';
    const { key, secret } = await createKey(db, admin, { name: 'Week', expiresAt }, { catalogue: diga, now: t0 });
    expect(key.expiresAt).toBe(expiresAt);
    expect(await verifyKey(db, diga, secret, { now: new Date(Date.parse(expiresAt) - 1) })).toMatchObject({ code: 'VALID', expiresAt });
    expect(await verifyKey(db, diga, secret, { now: new Date(expiresAt) })).toEqual({
      valid: false,
      code: 'EXPIRED',
      keyId: null,
      projectId: null,
      permissions: null,
      expiresAt: null,
    });
  });

  it('answers every malformed key the same way without a database lookup', async () => {
    const { db } = current();
    for (const key of ['', 'kw_', 'x'.repeat(1_000_000), 'kw_\u0000', 42, null]) {
      expect(await verifyKey(db, diga, key)).toEqual({ valid: false, code: 'NOT_FOUND', keyId: null, projectId: null, permissions: null, expiresAt: null });
    }
  });
});
