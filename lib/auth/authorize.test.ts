import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { projects } from '@/db/schema';
import { createKey } from '@/lib/keys/create';
import { hashKey } from '@/lib/keys/crypto';
import { deleteKey } from '@/lib/keys/manage';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject, setMembership } from '@/lib/projects/projects';
import { renameProject } from '@/lib/projects/rename';
import { describeEachDatabase } from '@/lib/testing/databases';
import { rejection } from '@/lib/testing/rejection';
import { createUser } from '@/lib/users/users';
import { ADMIN_ONLY_MESSAGE, authorize, KEY_NOT_VALID, SIGNED_IN_ONLY, type Actor } from './authorize';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

const user = (userId: string, projectSlug: string): Actor => ({ type: 'user', userId, projectSlug });

describeEachDatabase('authorize and an admin-only action', (current) => {
  it('admits admins, refuses members, and hides the project from outsiders', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'acme', name: 'Acme' });
    const other = await createProject(db, { slug: 'other' });
    const admin = await createUser(db, { email: 'admin@acme.test' });
    const member = await createUser(db, { email: 'member@acme.test' });
    const outsider = await createUser(db, { email: 'outsider@other.test' });
    await setMembership(db, project.id, admin.id, 'admin');
    await setMembership(db, project.id, member.id, 'member');
    await setMembership(db, other.id, outsider.id, 'admin');

    expect(await authorize(db, { ...user(admin.id, 'acme'), clientAddress: '192.0.2.1' } as Actor, 'admin')).toMatchObject({
      projectId: project.id,
      projectSlug: 'acme',
      projectName: 'Acme',
      role: 'admin',
      actorType: 'user',
      actorId: admin.id,
      actorLabel: 'admin@acme.test',
      clientAddress: '192.0.2.1',
      ceiling: null,
      lifetimeCeiling: null,
    });
    expect(await authorize(db, user(member.id, 'acme'), 'member')).toMatchObject({ role: 'member' });
    expect(await rejection(authorize(db, user(member.id, 'acme'), 'admin'))).toMatchObject({ code: 'forbidden', message: ADMIN_ONLY_MESSAGE });
    expect(await rejection(authorize(db, user(member.id, 'acme'), { role: 'admin', denied: 'Not you.' }))).toMatchObject({ code: 'forbidden', message: 'Not you.' });
    // A resource need asks a person to be an administrator.
    expect((await rejection(authorize(db, user(member.id, 'acme'), { resource: 'api_keys', level: 'read' }, diga))).code).toBe('forbidden');
    expect((await rejection(authorize(db, user(outsider.id, 'acme'), 'member'))).code).toBe('not_found');
    expect((await rejection(authorize(db, user(admin.id, 'missing'), 'member'))).code).toBe('not_found');
  });

  it('clears the system for any need, and names it as the audit log does', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'operated', name: 'Operated' });
    const system: Actor = { type: 'system', projectSlug: 'operated', label: 'operator CLI' };
    expect(await authorize(db, system, { resource: 'api_keys', level: 'write' }, diga)).toMatchObject({
      projectId: project.id,
      projectSlug: 'operated',
      role: 'admin',
      actorType: 'system',
      actorId: null,
      actorLabel: 'operator CLI',
      ceiling: null,
    });
    expect((await rejection(authorize(db, { ...system, projectSlug: 'nowhere' }, 'admin'))).code).toBe('not_found');
  });

  it('clears a key for its own project by what it holds now, never for a role', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'keyed', name: 'Keyed' });
    const system: Actor = { type: 'system', projectSlug: 'keyed', label: 'test' };
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const reader = await createKey(db, system, { name: 'Reader', permissions: { api_keys: 'read' }, expiresAt }, { catalogue: diga });
    const asReader: Actor = { type: 'api_key', keyHash: hashKey(reader.secret), clientAddress: '198.51.100.4' };

    expect(await authorize(db, asReader, { resource: 'api_keys', level: 'read' }, diga)).toMatchObject({
      projectId: project.id,
      projectSlug: 'keyed',
      role: null,
      actorType: 'api_key',
      actorId: reader.key.id,
      actorLabel: 'Reader',
      clientAddress: '198.51.100.4',
      ceiling: expect.objectContaining({ api_keys: 'read', calls: 'none' }),
      lifetimeCeiling: new Date(expiresAt),
    });
    expect(await rejection(authorize(db, asReader, { resource: 'api_keys', level: 'write' }, diga))).toMatchObject({
      code: 'forbidden',
      message: 'This key needs the API Keys permission at Write or more.',
    });
    expect(await rejection(authorize(db, asReader, 'member', diga))).toMatchObject({ code: 'forbidden', message: SIGNED_IN_ONLY });

    await deleteKey(db, system, reader.key.id, { catalogue: diga });
    expect(await rejection(authorize(db, asReader, { resource: 'api_keys', level: 'read' }, diga))).toMatchObject({ code: 'unauthorized', message: KEY_NOT_VALID });
  });

  it('refuses a demoted admin on their next action and changes nothing', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'demote', name: 'Before' });
    const admin = await createUser(db, { email: 'soon-member@demote.test' });
    await setMembership(db, project.id, admin.id, 'admin');

    await renameProject(db, user(admin.id, 'demote'), { name: 'While admin' });
    await setMembership(db, project.id, admin.id, 'member');
    const error = await rejection(renameProject(db, user(admin.id, 'demote'), { name: 'After demotion' }));
    expect(error.code).toBe('forbidden');

    const [row] = await db.select({ name: projects.name }).from(projects).where(eq(projects.id, project.id));
    expect(row?.name).toBe('While admin');
  });

  it('authorizes before it reads the input: a member sending nonsense learns only that they may not', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'ordered', name: 'Ordered' });
    const member = await createUser(db, { email: 'member@ordered.test' });
    await setMembership(db, project.id, member.id, 'member');
    const refused = await rejection(renameProject(db, user(member.id, 'ordered'), { name: '   ' }));
    expect(refused).toMatchObject({ code: 'forbidden', fieldErrors: undefined });
  });

  it('refuses bad input and extra fields with per-field errors', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'strict', name: 'Strict' });
    const admin = await createUser(db, { email: 'admin@strict.test' });
    await setMembership(db, project.id, admin.id, 'admin');

    const blank = await rejection(renameProject(db, user(admin.id, 'strict'), { name: '   ' }));
    expect(blank.fieldErrors).toEqual({ name: ['Name is required.'] });
    const extra = await rejection(renameProject(db, user(admin.id, 'strict'), { name: 'Fine', slug: 'other' } as never));
    expect(extra.code).toBe('invalid_input');
    const [row] = await db.select({ name: projects.name }).from(projects).where(eq(projects.id, project.id));
    expect(row?.name).toBe('Strict');
  });
});
