/**
 * Who is managing keys, and may they. A user must be an administrator of the project, read
 * from the database inside the change's own transaction; an API key (the REST API) is read
 * there too, by its secret's hash — so a key deleted, expired or downgraded a moment ago acts
 * with what the database holds now, never with a cached verification — and must hold the
 * catalogue's API Keys resource at the needed level, or, in a catalogue without that
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
import { allows, isWithin, type Permissions } from '@/lib/permissions/grants';
import { judge, lookupKey } from '@/lib/verify/verify';

export const KEYS_ADMIN_ONLY = 'Only administrators can manage API keys.';
export const API_KEYS_RESOURCE = 'api_keys';
export const KEY_NOT_VALID = 'A valid API key is required: send it as Authorization: Bearer <key>.';
export const ESCALATION_MESSAGE = 'A key cannot grant more than the key that creates or changes it holds.';
export const OUTLIVES_MESSAGE = 'A key cannot create, change or rotate a key that works longer than itself. Give it an expiry no later than this key’s.';

export type Actor =
  | { type: 'user'; userId: string; projectSlug: string; clientAddress?: string | null }
  // A REST caller, named by its secret's SHA-256: who it is and what it holds are read per change.
  | { type: 'api_key'; keyHash: string; clientAddress?: string | null }
  // The operator CLI: whoever can run it already controls the database.
  | { type: 'system'; projectSlug: string; label: string };

/** An actor cleared for one project: what it may grant, and how the audit log names it. */
export type KeyManager = AuditActor & {
  /** The most a key made or changed by this actor may hold: null (anything) for administrators. */
  ceiling: Permissions;
  /** When the actor's own credential stops working: a key it makes or changes may not outlive it. */
  lifetimeCeiling: Date | null;
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
      lifetimeCeiling: null,
    };
  }
  if (actor.type === 'system') {
    const project = await requireProjectBySlug(tx, actor.projectSlug);
    return { projectId: project.id, actorType: 'system', actorId: null, actorLabel: actor.label, ceiling: null, lifetimeCeiling: null };
  }
  // The acting key as the database holds it now, inside this transaction: gone or expired is
  // the same 401 as a key never seen.
  const found = await lookupKey(tx, actor.keyHash);
  const now = new Date();
  const verdict = judge(catalogue, found, {}, now);
  if (!found || !verdict.valid) throw new DomainError('unauthorized', KEY_NOT_VALID);
  const permitted = findResource(catalogue, API_KEYS_RESOURCE)
    ? allows(catalogue, verdict.permissions, API_KEYS_RESOURCE, need)
    : verdict.permissions === null;
  if (!permitted) {
    throw new DomainError(
      'forbidden',
      findResource(catalogue, API_KEYS_RESOURCE)
        ? `This key needs the API Keys permission at ${catalogue.levelLabels[need]} or more.`
        : 'Only a full-access key can manage keys in this deployment.',
    );
  }
  const ends = [found.keyExpiresAt, found.secretExpiresAt].filter((date): date is Date => date !== null);
  return {
    projectId: found.projectId,
    actorType: 'api_key',
    actorId: found.publicId,
    actorLabel: found.name,
    clientAddress: actor.clientAddress,
    ceiling: verdict.permissions,
    lifetimeCeiling: ends.length ? new Date(Math.min(...ends.map((date) => date.getTime()))) : null,
  };
}

/**
 * Refuses (403) a key that would hold more than the manager: more permission, or a longer life.
 * Create, edit and rotate check the key as it will be after the change.
 */
export function assertWithinCeiling(catalogue: Catalogue, manager: KeyManager, key: { permissions: Permissions; expiresAt: Date | null }): void {
  if (!isWithin(catalogue, key.permissions, manager.ceiling)) throw new DomainError('forbidden', ESCALATION_MESSAGE);
  const limit = manager.lifetimeCeiling;
  if (limit && (key.expiresAt === null || key.expiresAt.getTime() > limit.getTime())) throw new DomainError('forbidden', OUTLIVES_MESSAGE);
}
