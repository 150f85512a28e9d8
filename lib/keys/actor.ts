/**
 * Who is managing keys, and may they. A user must be an administrator of the project, read
 * from the database inside the change's own transaction; an API key (the REST API) must hold
 * the catalogue's API Keys resource at the needed level — or, in a catalogue without that
 * resource, full access. The operator CLI acts as the system. Every key operation starts here.
 */
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { users } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/record';
import { authorizeProject } from '@/lib/auth/authorize';
import { requireProjectBySlug } from '@/lib/projects/projects';
import { DomainError } from '@/lib/errors';
import { findResource, type Catalogue } from '@/lib/permissions/catalogue';
import { allows, type Permissions } from '@/lib/permissions/grants';

export const KEYS_ADMIN_ONLY = 'Only administrators can manage API keys.';
export const API_KEYS_RESOURCE = 'api_keys';

export type Actor =
  | { type: 'user'; userId: string; projectSlug: string; clientAddress?: string | null }
  | { type: 'api_key'; apiKeyId: string; publicId: string; name: string; projectId: string; permissions: Permissions; clientAddress?: string | null }
  // The operator CLI: whoever can run it already controls the database.
  | { type: 'system'; projectSlug: string; label: string };

/** An actor cleared for one project: what it may grant, and how the audit log names it. */
export type KeyManager = AuditActor & {
  /** The most a key made or changed by this actor may hold: null (anything) for administrators. */
  ceiling: Permissions;
};

export async function authorizeKeyManager(tx: Db | Tx, catalogue: Catalogue, actor: Actor, need: 'read' | 'write'): Promise<KeyManager> {
  if (actor.type === 'user') {
    const membership = await authorizeProject(tx, actor.userId, actor.projectSlug, 'admin', KEYS_ADMIN_ONLY);
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, actor.userId)).limit(1);
    return {
      projectId: membership.id,
      actorType: 'user',
      actorId: actor.userId,
      actorLabel: user?.email ?? 'unknown user',
      clientAddress: actor.clientAddress,
      ceiling: null,
    };
  }
  if (actor.type === 'system') {
    const project = await requireProjectBySlug(tx, actor.projectSlug);
    return { projectId: project.id, actorType: 'system', actorId: null, actorLabel: actor.label, ceiling: null };
  }
  const permitted = findResource(catalogue, API_KEYS_RESOURCE)
    ? allows(catalogue, actor.permissions, API_KEYS_RESOURCE, need)
    : actor.permissions === null;
  if (!permitted) {
    throw new DomainError('forbidden', `This key needs the API Keys permission at ${need === 'read' ? 'Read' : 'Write'} or more.`);
  }
  return {
    projectId: actor.projectId,
    actorType: 'api_key',
    actorId: actor.publicId,
    actorLabel: actor.name,
    clientAddress: actor.clientAddress,
    ceiling: actor.permissions,
  };
}
