/**
 * The people most key tests need: project "acme" with an administrator (acting from 192.0.2.1)
 * and a member, and project "other" with an administrator of its own.
 */
import type { Db } from '@/db/client';
import type { Actor } from '@/lib/auth/authorize';
import { createProject, setMembership } from '@/lib/projects/projects';
import { createUser } from '@/lib/users/users';

export type TwoProjects = { projectId: string; admin: Actor; member: Actor; otherAdmin: Actor };

export async function seedTwoProjects(db: Db): Promise<TwoProjects> {
  const project = await createProject(db, { slug: 'acme' });
  const other = await createProject(db, { slug: 'other' });
  const a = await createUser(db, { email: 'admin@acme.test' });
  const m = await createUser(db, { email: 'member@acme.test' });
  const o = await createUser(db, { email: 'admin@other.test' });
  await setMembership(db, project.id, a.id, 'admin');
  await setMembership(db, project.id, m.id, 'member');
  await setMembership(db, other.id, o.id, 'admin');
  return {
    projectId: project.id,
    admin: { type: 'user', userId: a.id, projectSlug: 'acme', clientAddress: '192.0.2.1' },
    member: { type: 'user', userId: m.id, projectSlug: 'acme' },
    otherAdmin: { type: 'user', userId: o.id, projectSlug: 'other' },
  };
}
