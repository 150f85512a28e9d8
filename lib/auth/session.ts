/**
 * The signed-in user, as the database knows them on this request. Every page, server action
 * and route handler starts here; a deleted user's still-valid cookie gets them nowhere.
 */
import { notFound, redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import type { Role } from '@/db/schema';
import { findMembership, type ProjectMembership } from '@/lib/projects/projects';
import { findUserById, type User } from '@/lib/users/users';
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
  // A page only asks whether the user is a member: each domain function it calls authorizes for itself.
  const membership = await findMembership(getDb(), user.id, slug);
  if (!membership) notFound();
  return { user, membership, isAdmin: membership.role === 'admin' };
}

export async function requireProjectRole(slug: string, role: Role, returnTo: string): Promise<ProjectAccess> {
  const access = await requireProjectPage(slug, returnTo);
  if (role === 'admin' && !access.isAdmin) notFound();
  return access;
}
