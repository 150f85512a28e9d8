/**
 * The one authorization check: is this user a member of the project, with at least this role,
 * right now in the database. Pages, server actions and route handlers all come through here.
 * A non-member learns nothing: the project is "not found" for them, as for a missing one.
 */
import type { Db, Tx } from '@/db/client';
import type { Role } from '@/db/schema';
import { DomainError } from '@/lib/errors';
import { findMembership, type ProjectMembership } from '@/lib/projects/projects';

export const ADMIN_ONLY_MESSAGE = 'Only administrators can manage this project.';

export async function authorizeProject(
  db: Db | Tx,
  userId: string,
  slug: string,
  required: Role,
  deniedMessage = ADMIN_ONLY_MESSAGE,
): Promise<ProjectMembership> {
  const membership = await findMembership(db, userId, slug);
  if (!membership) throw new DomainError('not_found', 'Project not found.');
  if (required === 'admin' && membership.role !== 'admin') throw new DomainError('forbidden', deniedMessage);
  return membership;
}
