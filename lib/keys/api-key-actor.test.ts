import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, auditEvents } from '@/db/schema';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { digaCatalogue as diga, retellCatalogue as retell } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { rejection } from '@/lib/testing/rejection';
import type { Actor } from '@/lib/auth/authorize';
import { ESCALATION_MESSAGE, OUTLIVES_MESSAGE } from './access';
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
    return createKey(current().db, system(project), { name: `actor ${randomBytes(3).toString('hex')}`, permissions, expiresAt }, { catalogue });
  }

  it('needs the API Keys resource: Read to look, Write to change; full access may do everything', async () => {
    const { db } = current();
    const reader = await keyFor(diga, { api_keys: 'read', calls: 'read' });
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read' });
    const none = await keyFor(diga, { calls: 'write' });
    const full = await keyFor(diga, null);

    expect((await listKeys(db, asKey(reader.secret), query, { catalogue: diga })).total).toBeGreaterThan(0);
    expect((await getKey(db, asKey(reader.secret), writer.key.id, { catalogue: diga })).id).toBe(writer.key.id);
    const readOnly = await rejection(createKey(db, asKey(reader.secret), { name: 'x', permissions: { calls: 'read' } }, { catalogue: diga }));
    expect(readOnly.code).toBe('forbidden');
    expect(readOnly.message).toMatch(/API Keys permission at Write/);
    expect((await rejection(listKeys(db, asKey(none.secret), query, { catalogue: diga }))).code).toBe('forbidden');
    expect((await createKey(db, asKey(writer.secret), { name: 'child', permissions: { calls: 'read' } }, { catalogue: diga })).key.restricted).toBe(true);
    expect((await createKey(db, asKey(full.secret), { name: 'full child' }, { catalogue: diga })).key.restricted).toBe(false);
  });

  it('writes the calling key into the audit log as the actor', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write' });
    const { key } = await createKey(db, asKey(writer.secret), { name: 'audited', permissions: { api_keys: 'read' } }, { catalogue: diga });
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.targetId, key.id));
    expect(event).toMatchObject({ action: 'api_key.created', actorType: 'api_key', actorId: writer.key.id, actorLabel: writer.key.name, clientAddress: '198.51.100.20' });
  });

  it('in a catalogue without an API Keys resource, lets only full-access keys manage keys', async () => {
    const { db } = current();
    const everything = await keyFor(retell, { agent: 'write', testing: 'write', history: 'write', export: 'write', call: 'write', phone: 'write' }, undefined, 'retell');
    const full = await keyFor(retell, null, undefined, 'retell');
    const refused = await rejection(listKeys(db, asKey(everything.secret), query, { catalogue: retell }));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toMatch(/full-access key/);
    expect((await rejection(rotateKey(db, asKey(everything.secret), everything.key.id, { gracePeriodSeconds: 0 }, { catalogue: retell }))).code).toBe('forbidden');
    expect((await listKeys(db, asKey(full.secret), query, { catalogue: retell })).total).toBe(2);
  });

  it('never creates a key with more than the caller holds: not full access, not one level above', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read', contacts: 'write' });
    const actor = asKey(writer.secret);
    const escalations: (Record<string, string> | null)[] = [null, { calls: 'write' }, { messages: 'read' }, { calls: 'read', billing: 'read' }];
    for (const permissions of escalations) {
      const error = await rejection(createKey(db, actor, { name: 'escalation', permissions }, { catalogue: diga }));
      expect(error.code, JSON.stringify(permissions)).toBe('forbidden');
      expect(error.message).toBe(ESCALATION_MESSAGE);
    }
    const equal = await createKey(db, actor, { name: 'equal', permissions: { api_keys: 'write', calls: 'read', contacts: 'write' } }, { catalogue: diga });
    expect(equal.key.permissions).toMatchObject({ api_keys: 'write', calls: 'read', contacts: 'write', messages: 'none' });
  });

  it('never edits a key into more than the caller holds, its own key included', async () => {
    const { db } = current();
    const writer = await keyFor(editableDiga, { api_keys: 'write', calls: 'read' });
    const actor = asKey(writer.secret);
    expect((await rejection(updateKey(db, actor, writer.key.id, { permissions: { api_keys: 'write', calls: 'write' } }, { catalogue: editableDiga }))).message).toBe(
      ESCALATION_MESSAGE,
    );
    expect((await rejection(updateKey(db, actor, writer.key.id, { permissions: null }, { catalogue: editableDiga }))).message).toBe(ESCALATION_MESSAGE);
    const full = await keyFor(editableDiga, null);
    // A key above the caller stays out of its reach, even for a rename.
    expect((await rejection(updateKey(db, actor, full.key.id, { name: 'renamed' }, { catalogue: editableDiga }))).message).toBe(ESCALATION_MESSAGE);
    expect((await updateKey(db, actor, writer.key.id, { permissions: { api_keys: 'write' } }, { catalogue: editableDiga })).permissions).toMatchObject({ calls: 'none' });
    // Having given calls up, the key cannot take it back.
    expect((await rejection(updateKey(db, actor, writer.key.id, { permissions: { api_keys: 'write', calls: 'read' } }, { catalogue: editableDiga }))).code).toBe('forbidden');
  });

  it('never rotates a key that holds more than the caller (the new secret would be that power)', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read' });
    const full = await keyFor(diga, null);
    const stronger = await keyFor(diga, { calls: 'write' });
    for (const target of [full, stronger]) {
      expect((await rejection(rotateKey(db, asKey(writer.secret), target.key.id, { gracePeriodSeconds: 0 }, { catalogue: diga }))).message).toBe(ESCALATION_MESSAGE);
      expect((await verifyKey(db, diga, target.secret)).code).toBe('VALID');
    }
    const weaker = await keyFor(diga, { calls: 'read' });
    expect((await rotateKey(db, asKey(writer.secret), weaker.key.id, { gracePeriodSeconds: 0 }, { catalogue: diga })).key.id).toBe(weaker.key.id);
  });

  it('never deletes a key that holds more than the caller', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read' });
    const stronger = await keyFor(diga, { calls: 'write' });
    expect((await rejection(deleteKey(db, asKey(writer.secret), stronger.key.id, { catalogue: diga }))).message).toBe(ESCALATION_MESSAGE);
    expect((await verifyKey(db, diga, stronger.secret)).code).toBe('VALID');
    const weaker = await keyFor(diga, { calls: 'read' });
    expect(await deleteKey(db, asKey(writer.secret), weaker.key.id, { catalogue: diga })).toMatchObject({ id: weaker.key.id });
  });

  it('never makes, extends or rotates a key to outlive the calling key', async () => {
    const { db } = current();
    const end = new Date(Date.now() + 3_600_000);
    const temporary = await keyFor(diga, null, end.toISOString());
    const actor = asKey(temporary.secret);
    expect((await rejection(createKey(db, actor, { name: 'forever' }, { catalogue: diga }))).message).toBe(OUTLIVES_MESSAGE);
    const later = new Date(end.getTime() + 1000).toISOString();
    expect((await rejection(createKey(db, actor, { name: 'later', expiresAt: later }, { catalogue: diga }))).message).toBe(OUTLIVES_MESSAGE);
    const child = await createKey(db, actor, { name: 'within', expiresAt: end.toISOString() }, { catalogue: diga });
    expect((await rejection(updateKey(db, actor, child.key.id, { expiresAt: null }, { catalogue: diga }))).message).toBe(OUTLIVES_MESSAGE);
    const permanent = await keyFor(diga, { calls: 'read' });
    expect((await rejection(rotateKey(db, actor, permanent.key.id, { gracePeriodSeconds: 0 }, { catalogue: diga }))).message).toBe(OUTLIVES_MESSAGE);
    const sooner = new Date(end.getTime() - 60_000).toISOString();
    expect((await updateKey(db, actor, child.key.id, { expiresAt: sooner }, { catalogue: diga })).expiresAt).toBe(sooner);
  });

  it('an old secret inside its grace period cannot rotate its key again to get the new one', async () => {
    const { db } = current();
    const key = await keyFor(diga, null);
    await rotateKey(db, system('acme'), key.key.id, { gracePeriodSeconds: 600 }, { catalogue: diga });
    expect((await verifyKey(db, diga, key.secret)).code).toBe('VALID');
    expect((await rejection(rotateKey(db, asKey(key.secret), key.key.id, { gracePeriodSeconds: 0 }, { catalogue: diga }))).message).toBe(OUTLIVES_MESSAGE);
  });

  it('reads the calling key from the database in the change’s transaction: deleted, expired or downgraded a moment ago counts', async () => {
    const { db } = current();
    const writer = await keyFor(diga, { api_keys: 'write', calls: 'read' });
    const actor = asKey(writer.secret);
    // Another node downgrades it: no event reaches this process, only the database knows.
    await db.update(apiKeys).set({ permissions: { ...(writer.key.permissions as object), api_keys: 'read' } }).where(eq(apiKeys.publicId, writer.key.id));
    expect((await rejection(createKey(db, actor, { name: 'x', permissions: { calls: 'read' } }, { catalogue: diga }))).code).toBe('forbidden');
    expect((await listKeys(db, actor, query, { catalogue: diga })).keys.length).toBeGreaterThan(0);

    await db.update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.publicId, writer.key.id));
    expect((await rejection(listKeys(db, actor, query, { catalogue: diga }))).code).toBe('unauthorized');

    const doomed = await keyFor(diga, null);
    await deleteKey(db, asKey(doomed.secret), doomed.key.id, { catalogue: diga });
    for (const attempt of [
      () => listKeys(db, asKey(doomed.secret), query, { catalogue: diga }),
      () => createKey(db, asKey(doomed.secret), { name: 'ghost' }, { catalogue: diga }),
      () => setWebhookKey(db, asKey(doomed.secret), writer.key.id, { catalogue: diga }),
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
      () => getKey(db, actor, theirs.key.id, { catalogue: diga }),
      () => updateKey(db, actor, theirs.key.id, { name: 'mine now' }, { catalogue: diga }),
      () => rotateKey(db, actor, theirs.key.id, { gracePeriodSeconds: 0 }, { catalogue: diga }),
      () => setWebhookKey(db, actor, theirs.key.id, { catalogue: diga }),
      () => deleteKey(db, actor, theirs.key.id, { catalogue: diga }),
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
      expect((await getKey(db, system('acme'), key.key.id, { catalogue: diga })).previousSecretExpiresAt).toBeNull();
      const rotated = await rotateKey(db, system('acme'), key.key.id, { gracePeriodSeconds: 120 }, { catalogue: diga });
      expect((await getKey(db, system('acme'), key.key.id, { catalogue: diga })).previousSecretExpiresAt).toBe(rotated.key.previousSecretExpiresAt);
    });
  });
});
