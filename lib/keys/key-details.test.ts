import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { apiKeys, users } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject, setMembership } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { createUser } from '@/lib/users/users';
import { createKey } from './create';
import { hashKey } from './crypto';
import { getKeyDetails } from './key-details';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

describeEachDatabase('key details', (current) => {
  let admin: Actor;
  let member: Actor;
  let otherAdmin: Actor;
  let adminId = '';
  const operator: Actor = { type: 'system', projectSlug: 'details', label: 'keyward CLI' };

  beforeAll(async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'details' });
    const other = await createProject(db, { slug: 'details-other' });
    const a = await createUser(db, { email: 'admin@details.test' });
    const m = await createUser(db, { email: 'member@details.test' });
    const o = await createUser(db, { email: 'admin@details-other.test' });
    await setMembership(db, project.id, a.id, 'admin');
    await setMembership(db, project.id, m.id, 'member');
    await setMembership(db, other.id, o.id, 'admin');
    adminId = a.id;
    admin = { type: 'user', userId: a.id, projectSlug: 'details' };
    member = { type: 'user', userId: m.id, projectSlug: 'details' };
    otherAdmin = { type: 'user', userId: o.id, projectSlug: 'details-other' };
  });

  it('names who created each key: a person, a key over the REST API, or the operator', async () => {
    const { db } = current();
    const byAdmin = await createKey(db, admin, { name: 'by admin' }, { catalogue: diga });
    const byOperator = await createKey(db, operator, { name: 'by operator' }, { catalogue: diga });
    const keyActor: Actor = { type: 'api_key', keyHash: hashKey(byOperator.secret) };
    const byKey = await createKey(db, keyActor, { name: 'by key', permissions: { calls: 'read' } }, { catalogue: diga });

    const details = await getKeyDetails(db, admin, byAdmin.key.id, { catalogue: diga });
    expect(details).toEqual({ key: byAdmin.key, createdBy: { type: 'user', email: 'admin@details.test' }, lastUsedAddress: null, usageCap: null });
    expect((await getKeyDetails(db, admin, byOperator.key.id, { catalogue: diga })).createdBy).toEqual({ type: 'operator' });
    expect((await getKeyDetails(db, admin, byKey.key.id, { catalogue: diga })).createdBy).toEqual({ type: 'api_key', id: byOperator.key.id, name: 'by operator' });
    // A key may read another key's details when it holds API Keys at Read (full access here).
    expect((await getKeyDetails(db, keyActor, byAdmin.key.id, { catalogue: diga })).key.id).toBe(byAdmin.key.id);

    // The creator's account gone: the audit event still names them.
    await db.update(apiKeys).set({ createdBy: null }).where(eq(apiKeys.publicId, byAdmin.key.id));
    expect((await getKeyDetails(db, admin, byAdmin.key.id, { catalogue: diga })).createdBy).toEqual({ type: 'user', email: 'admin@details.test' });
    await db.update(apiKeys).set({ createdBy: adminId }).where(eq(apiKeys.publicId, byAdmin.key.id));
    // A renamed account shows its current email.
    await db.update(users).set({ email: 'renamed@details.test' }).where(eq(users.id, adminId));
    expect((await getKeyDetails(db, admin, byAdmin.key.id, { catalogue: diga })).createdBy).toEqual({ type: 'user', email: 'renamed@details.test' });
  });

  it('shows the last use’s address, and no secret', async () => {
    const { db } = current();
    const made = await createKey(db, admin, { name: 'used' }, { catalogue: diga });
    await db.update(apiKeys).set({ lastUsedAt: new Date(), lastUsedAddress: '2001:db8::42' }).where(eq(apiKeys.publicId, made.key.id));
    const details = await getKeyDetails(db, admin, made.key.id, { catalogue: diga });
    expect(details.lastUsedAddress).toBe('2001:db8::42');
    expect(details.key.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(details)).not.toContain(made.secret);
    expect(JSON.stringify(details)).not.toContain(made.secret.slice(3, 20));
  });

  it('gives the most uses a usage limit has held, for “412 of 1,000 uses left”', async () => {
    const { db } = current();
    const refilled = await createKey(db, admin, { name: 'refilled', usage: { remaining: 412, refill: { amount: 1000, interval: 'month' } } }, { catalogue: diga });
    expect(await getKeyDetails(db, admin, refilled.key.id, { catalogue: diga })).toMatchObject({ usageCap: 1000, key: { usage: { remaining: 412 } } });
    const capped = await createKey(db, admin, { name: 'capped', usage: { remaining: 50 } }, { catalogue: diga });
    expect((await getKeyDetails(db, admin, capped.key.id, { catalogue: diga })).usageCap).toBe(50);
  });

  it('refuses members and keeps other projects’ keys out of reach', async () => {
    const { db } = current();
    const made = await createKey(db, admin, { name: 'guarded' }, { catalogue: diga });
    await expect(getKeyDetails(db, member, made.key.id, { catalogue: diga })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(getKeyDetails(db, otherAdmin, made.key.id, { catalogue: diga })).rejects.toMatchObject({ code: 'not_found' });
    await expect(getKeyDetails(db, admin, 'key_doesnotexist', { catalogue: diga })).rejects.toMatchObject({ code: 'not_found' });
    const reader = await createKey(db, admin, { name: 'no key access', permissions: { calls: 'write' } }, { catalogue: diga });
    await expect(getKeyDetails(db, { type: 'api_key', keyHash: hashKey(reader.secret) }, made.key.id, { catalogue: diga })).rejects.toMatchObject({ code: 'forbidden' });
  });
});
