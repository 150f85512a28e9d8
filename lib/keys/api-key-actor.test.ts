import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, auditEvents } from '@/db/schema';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { digaCatalogue as diga, retellCatalogue as retell } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { rejection } from '@/lib/testing/rejection';
import { ESCALATION_MESSAGE, OUTLIVES_MESSAGE, type Actor } from './actor';
import { createKey } from './create';
import { hashKey } from './crypto';
import { getKey } from './find';
import { listKeys } from './list';
import { deleteKey, setWebhookKey, updateKey } from './manage';
import { rotateKey } from './rotate';
import { verifyKey } from '@/lib/verify/verify';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
process.env.AUTH_SECRET ||= randomBytes(32).toString('base64');

// Diga's resources, but with permissions editable after creation, so PATCH ceilings can be shown.
const editableDiga: Catalogue = { ...diga, id: 'diga_editable', editableAfterCreation: true };
const query = { q: '', page: 1, pageSize: 10, sort: 'created', dir: 'desc' } as const;

describeEachDatabase('keys managed by an API key', (current) => {
  const system = (projectSlug: string): Actor => ({ type: 'system', projectSlug, label: 'test' });
  const asKey = (secret: string): Actor => ({ type: 'api_key', keyHash: hashKey(secret), clientAddress: '198.51.100.20' });

  beforeAll(async () => {
    const { db } = current();
    await createProject(db, { slug: 'acme' });
    await createProject(db, { slug: 'other' });
    await createProject(db, { slug: 'retell' });
  });

  async function keyFor(catalogue: Catalogue, permissions: Record<string, string> | null, expiresAt?: string, project = 'acme') {
    return createKey(current().db, catalogue, system(project), { name: `actor ${randomBytes(3).toString('hex')}`, permissions, expiresAt });
  }

  it('needs the API Keys resource: Read to look, Write to change; full access may do everything', async () => {
    const { db } = current();
    const reader = await keyFor(diga, { api_keys: 'read', calls: 'read' });
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read' });
    const none = await keyFor(diga, { calls: 'write' });
    const full = await keyFor(diga, null);

    expect((await listKeys(db, diga, asKey(reader.secret), query)).total).toBeGreaterThan(0);
    expect((await getKey(db, diga, asKey(reader.secret), writer.key.id)).id).toBe(writer.key.id);
    const readOnly = await rejection(createKey(db, diga, asKey(reader.secret), { name: 'x', permissions: { calls: 'read' } }));
    expect(readOnly.code).toBe('forbidden');
    expect(readOnly.message).toMatch(/API Keys permission at Write/);
    expect((await rejection(listKeys(db, diga, asKey(none.secret), query))).code).toBe('forbidden');
    expect((await createKey(db, diga, asKey(writer.secret), { name: 'child', permissions: { calls: 'read' } })).key.restricted).toBe(true);
    expect((await createKey(db, diga, asKey(full.secret), { name: 'full child' })).key.restricted).toBe(false);
  });

  it('writes the calling key into the audit log as the actor', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write' });
    const { key } = await createKey(db, diga, asKey(writer.secret), { name: 'audited', permissions: { api_keys: 'read' } });
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.targetId, key.id));
    expect(event).toMatchObject({ action: 'api_key.created', actorType: 'api_key', actorId: writer.key.id, actorLabel: writer.key.name, clientAddress: '198.51.100.20' });
  });

  it('in a catalogue without an API Keys resource, lets only full-access keys manage keys', async () => {
    const { db } = current();
    const everything = await keyFor(retell, { agent: 'write', testing: 'write', history: 'write', export: 'write', call: 'write', phone: 'write' }, undefined, 'retell');
    const full = await keyFor(retell, null, undefined, 'retell');
    const refused = await rejection(listKeys(db, retell, asKey(everything.secret), query));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toMatch(/full-access key/);
    expect((await rejection(rotateKey(db, retell, asKey(everything.secret), everything.key.id, { gracePeriodSeconds: 0 }))).code).toBe('forbidden');
    expect((await listKeys(db, retell, asKey(full.secret), query)).total).toBe(2);
  });

  it('never creates a key with more than the caller holds: not full access, not one level above', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read', contacts: 'write' });
    const actor = asKey(writer.secret);
    const escalations: (Record<string, string> | null)[] = [null, { calls: 'write' }, { messages: 'read' }, { calls: 'read', billing: 'read' }];
    for (const permissions of escalations) {
      const error = await rejection(createKey(db, diga, actor, { name: 'escalation', permissions }));
      expect(error.code, JSON.stringify(permissions)).toBe('forbidden');
      expect(error.message).toBe(ESCALATION_MESSAGE);
    }
    const equal = await createKey(db, diga, actor, { name: 'equal', permissions: { api_keys: 'write', calls: 'read', contacts: 'write' } });
    expect(equal.key.permissions).toMatchObject({ api_keys: 'write', calls: 'read', contacts: 'write', messages: 'none' });
  });

  it('never edits a key into more than the caller holds, its own key included', async () => {
    const { db } = current();
    const writer = await keyFor(editableDiga, { api_keys: 'write', calls: 'read' });
    const actor = asKey(writer.secret);
    expect((await rejection(updateKey(db, editableDiga, actor, writer.key.id, { permissions: { api_keys: 'write', calls: 'write' } }))).message).toBe(
      ESCALATION_MESSAGE,
    );
    expect((await rejection(updateKey(db, editableDiga, actor, writer.key.id, { permissions: null }))).message).toBe(ESCALATION_MESSAGE);
    const full = await keyFor(editableDiga, null);
    // A key above the caller stays out of its reach, even for a rename.
    expect((await rejection(updateKey(db, editableDiga, actor, full.key.id, { name: 'renamed' }))).message).toBe(ESCALATION_MESSAGE);
    expect((await updateKey(db, editableDiga, actor, writer.key.id, { permissions: { api_keys: 'write' } })).permissions).toMatchObject({ calls: 'none' });
    // Having given calls up, the key cannot take it back.
    expect((await rejection(updateKey(db, editableDiga, actor, writer.key.id, { permissions: { api_keys: 'write', calls: 'read' } }))).code).toBe('forbidden');
  });

  it('never rotates a key that holds more than the caller (the new secret would be that power)', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read' });
    const full = await keyFor(diga, null);
    const stronger = await keyFor(diga, { calls: 'write' });
    for (const target of [full, stronger]) {
      expect((await rejection(rotateKey(db, diga, asKey(writer.secret), target.key.id, { gracePeriodSeconds: 0 }))).message).toBe(ESCALATION_MESSAGE);
      expect((await verifyKey(db, diga, target.secret)).code).toBe('VALID');
    }
    const weaker = await keyFor(diga, { calls: 'read' });
    expect((await rotateKey(db, diga, asKey(writer.secret), weaker.key.id, { gracePeriodSeconds: 0 })).key.id).toBe(weaker.key.id);
  });

  it('never deletes a key that holds more than the caller', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read' });
    const stronger = await keyFor(diga, { calls: 'write' });
    expect((await rejection(deleteKey(db, diga, asKey(writer.secret), stronger.key.id))).message).toBe(ESCALATION_MESSAGE);
    expect((await verifyKey(db, diga, stronger.secret)).code).toBe('VALID');
    const weaker = await keyFor(diga, { calls: 'read' });
    expect(await deleteKey(db, diga, asKey(writer.secret), weaker.key.id)).toMatchObject({ id: weaker.key.id });
  });

  it('never makes, extends or rotates a key to outlive the calling key', async () => {
    const { db } = current();
    const end = new Date(Date.now() + 3_600_000);
    const temporary = await keyFor(diga, null, end.toISOString());
    const actor = asKey(temporary.secret);
    expect((await rejection(createKey(db, diga, actor, { name: 'forever' }))).message).toBe(OUTLIVES_MESSAGE);
    const later = new Date(end.getTime() + 1000).toISOString();
    expect((await rejection(createKey(db, diga, actor, { name: 'later', expiresAt: later }))).message).toBe(OUTLIVES_MESSAGE);
    const child = await createKey(db, diga, actor, { name: 'within', expiresAt: end.toISOString() });
    expect((await rejection(updateKey(db, diga, actor, child.key.id, { expiresAt: null }))).message).toBe(OUTLIVES_MESSAGE);
    const permanent = await keyFor(diga, { calls: 'read' });
    expect((await rejection(rotateKey(db, diga, actor, permanent.key.id, { gracePeriodSeconds: 0 }))).message).toBe(OUTLIVES_MESSAGE);
    const sooner = new Date(end.getTime() - 60_000).toISOString();
    expect((await updateKey(db, diga, actor, child.key.id, { expiresAt: sooner })).expiresAt).toBe(sooner);
  });

  it('an old secret inside its grace period cannot rotate its key again to get the new one', async () => {
    const { db } = current();
    const key = await keyFor(diga, null);
    await rotateKey(db, diga, system('acme'), key.key.id, { gracePeriodSeconds: 600 });
    expect((await verifyKey(db, diga, key.secret)).code).toBe('VALID');
    expect((await rejection(rotateKey(db, diga, asKey(key.secret), key.key.id, { gracePeriodSeconds: 0 }))).message).toBe(OUTLIVES_MESSAGE);
  });

  it('reads the calling key from the database in the change’s transaction: deleted, expired or downgraded a moment ago counts', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read' });
    const actor = asKey(writer.secret);
    // Another node downgrades it: no event reaches this process, only the database knows.
    await db.update(apiKeys).set({ permissions: { ...(writer.key.permissions as object), api_keys: 'read' } }).where(eq(apiKeys.publicId, writer.key.id));
    expect((await rejection(createKey(db, diga, actor, { name: 'x', permissions: { calls: 'read' } }))).code).toBe('forbidden');
    expect((await listKeys(db, diga, actor, query)).keys.length).toBeGreaterThan(0);

    await db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.publicId, writer.key.id));
    expect((await rejection(listKeys(db, diga, actor, query))).code).toBe('unauthorized');

    const doomed = await keyFor(diga, null);
    await deleteKey(db, diga, asKey(doomed.secret), doomed.key.id);
    for (const attempt of [
      () => listKeys(db, diga, asKey(doomed.secret), query),
      () => createKey(db, diga, asKey(doomed.secret), { name: 'ghost' }),
      () => setWebhookKey(db, diga, asKey(doomed.secret), writer.key.id),
    ]) {
      expect((await rejection(attempt())).code).toBe('unauthorized');
    }
  });

  it('acts only inside the calling key’s project: another project’s ids are not found', async () => {
    const { db } = current();
    const mine = await keyFor(diga, null);
    const theirs = await keyFor(diga, { calls: 'read' }, undefined, 'other');
    const actor = asKey(mine.secret);
    for (const attempt of [
      () => getKey(db, diga, actor, theirs.key.id),
      () => updateKey(db, diga, actor, theirs.key.id, { name: 'mine now' }),
      () => rotateKey(db, diga, actor, theirs.key.id, { gracePeriodSeconds: 0 }),
      () => setWebhookKey(db, diga, actor, theirs.key.id),
      () => deleteKey(db, diga, actor, theirs.key.id),
    ]) {
      const error = await rejection(attempt());
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('API key not found.');
    }
    expect((await verifyKey(db, diga, theirs.secret)).code).toBe('VALID');
  });

  describe('getKey', () => {
    it('shows when a rotation’s previous secret stops working', async () => {
      const { db } = current();
      const key = await keyFor(diga, null);
      expect((await getKey(db, diga, system('acme'), key.key.id)).previousSecretExpiresAt).toBeNull();
      const rotated = await rotateKey(db, diga, system('acme'), key.key.id, { gracePeriodSeconds: 120 });
      expect((await getKey(db, diga, system('acme'), key.key.id)).previousSecretExpiresAt).toBe(rotated.key.previousSecretExpiresAt);
    });
  });
});
