import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { projects } from '@/db/schema';
import { createProject, setMembership } from '@/lib/projects/projects';
import { renameProject } from '@/lib/projects/rename';
import { describeEachDatabase } from '@/lib/testing/databases';
import { rejection } from '@/lib/testing/rejection';
import { createUser } from '@/lib/users/users';
import { authorizeProject } from './authorize';

describeEachDatabase('authorizeProject and an admin-only action', (current) => {
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

    expect(await authorizeProject(db, admin.id, 'acme', 'admin')).toMatchObject({ slug: 'acme', role: 'admin' });
    expect(await authorizeProject(db, member.id, 'acme', 'member')).toMatchObject({ role: 'member' });
    expect((await rejection(authorizeProject(db, member.id, 'acme', 'admin'))).code).toBe('forbidden');
    expect((await rejection(authorizeProject(db, outsider.id, 'acme', 'member'))).code).toBe('not_found');
    expect((await rejection(authorizeProject(db, admin.id, 'missing', 'member'))).code).toBe('not_found');
  });

  it('refuses a demoted admin on their next action and changes nothing', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'demote', name: 'Before' });
    const admin = await createUser(db, { email: 'soon-member@demote.test' });
    await setMembership(db, project.id, admin.id, 'admin');

    await renameProject(db, admin.id, { slug: 'demote', name: 'While admin' });
    await setMembership(db, project.id, admin.id, 'member');
    const error = await rejection(renameProject(db, admin.id, { slug: 'demote', name: 'After demotion' }));
    expect(error.code).toBe('forbidden');

    const [row] = await db.select({ name: projects.name }).from(projects).where(eq(projects.id, project.id));
    expect(row?.name).toBe('While admin');
  });

  it('refuses bad input and extra fields with per-field errors', async () => {
    const { db } = current();
    const project = await createProject(db, { slug: 'strict', name: 'Strict' });
    const admin = await createUser(db, { email: 'admin@strict.test' });
    await setMembership(db, project.id, admin.id, 'admin');

    const blank = await rejection(renameProject(db, admin.id, { slug: 'strict', name: '   ' }));
    expect(blank.fieldErrors).toEqual({ name: ['Name is required.'] });
    const extra = await rejection(renameProject(db, admin.id, { slug: 'strict', name: 'Fine', id: project.id } as never));
    expect(extra.code).toBe('invalid_input');
    const [row] = await db.select({ name: projects.name }).from(projects).where(eq(projects.id, project.id));
    expect(row?.name).toBe('Strict');
  });
});
