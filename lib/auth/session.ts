/**
 * The signed-in user, as the database knows them on this request. Every page, server action
 * and route handler starts here; a deleted user's still-valid cookie gets them nowhere.
 */
import { notFound, redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import type { Role } from '@/db/schema';
import { DomainError } from '@/lib/errors';
import type { ProjectMembership } from '@/lib/projects/projects';
import { findUserById, type User } from '@/lib/users/users';
import { authorize } from './authorize';
import { auth } from './config';

export async function currentUser(): Promise<User | undefined> {
  const session = await auth();
  const id = session?.user?.id;
  return id ? findUserById(getDb(), id) : undefined;
}

/** Signed-out visitors go to /login and come back to `returnTo` afterwards. */
export async function requireUser(returnTo: string): Promise<User> {
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

export type ProjectAccess = { user: User; membership: ProjectMembership; isAdmin: boolean };

/**
 * For pages under /projects/{slug}: the user must be a member (else 404). Admin-only pages
 * check `isAdmin` themselves so that members see why they cannot act.
 */
export async function requireProjectPage(slug: string, returnTo: string): Promise<ProjectAccess> {
  const user = await requireUser(returnTo);
  try {
    const cleared = await authorize(getDb(), { type: 'user', userId: user.id, projectSlug: slug }, 'member');
    const membership: ProjectMembership = { id: cleared.projectId, slug: cleared.projectSlug, name: cleared.projectName, role: cleared.role ?? 'member' };
    return { user, membership, isAdmin: membership.role === 'admin' };
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') notFound();
    throw error;
  }
}

export async function requireProjectRole(slug: string, role: Role, returnTo: string): Promise<ProjectAccess> {
  const access = await requireProjectPage(slug, returnTo);
  if (role === 'admin' && !access.isAdmin) notFound();
  return access;
}
