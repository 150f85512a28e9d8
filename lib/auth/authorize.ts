/**
 * Who is acting, and may they: the one check every domain function, page and route handler
 * runs, against the database, inside the change's own transaction.
 *
 * - A user must be a member of the project, with the role the need asks for; a need for a
 *   resource asks for an administrator. A non-member learns nothing: the project is "not
 *   found" for them, as for a missing one.
 * - An API key (the REST API) is read by its secret's hash, so a key deleted, expired or
 *   downgraded a moment ago acts with what the database holds now, never with a cached
 *   verification. It acts on its own project, needs the resource at the level asked (in a
 *   catalogue without that resource, full access), and never meets a need for a role.
 * - The system (the operator CLI) is always granted: whoever can run it controls the database.
 */
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { projects, type Role } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/record';
import { userAuditActor } from '@/lib/audit/user-actor';
import { DomainError } from '@/lib/errors';
import { findResource, type Catalogue, type Level } from '@/lib/permissions/catalogue';
import { allows, type Permissions } from '@/lib/permissions/grants';
import { activeCatalogue } from '@/lib/permissions/load';
import { findMembership, requireProjectBySlug } from '@/lib/projects/projects';
import { judge, lookupKey, type VerifiedKey } from '@/lib/verify/verify';

export const ADMIN_ONLY_MESSAGE = 'Only administrators can manage this project.';
export const KEY_NOT_VALID = 'A valid API key is required: send it as Authorization: Bearer <key>.';
export const SIGNED_IN_ONLY = 'This needs a signed-in member of the project; an API key cannot do it.';

export type Actor =
  | { type: 'user'; userId: string; projectSlug: string; clientAddress?: string | null }
  // A REST caller, named by its secret's SHA-256: who it is and what it holds are read per change.
  | { type: 'api_key'; keyHash: string; clientAddress?: string | null }
  // The operator CLI: whoever can run it already controls the database.
  | { type: 'system'; projectSlug: string; label: string };

/** A signed-in person acting in the console. */
export type UserActor = Extract<Actor, { type: 'user' }>;

/**
 * What an action needs: a role of a signed-in member, or a catalogue resource at a level
 * (which a user meets as an administrator). `denied` is what a member without it is told;
 * `fullAccessOnly` what a restricted key is told where the catalogue lacks the resource.
 */
export type Need =
  | Role
  | { role: Role; denied?: string }
  | { resource: string; level: Exclude<Level, 'none'>; denied?: string; fullAccessOnly?: string };

/** An actor cleared for one project: how the audit log names it, and what it may grant. */
export type Authorized = AuditActor & {
  projectSlug: string;
  projectName: string;
  /** A member's role; the system acts as an administrator; a key has none. */
  role: Role | null;
  /** The most a key made or changed by this actor may hold: null (anything) for people and the system. */
  ceiling: Permissions;
  /** When the actor's own credential stops working: a key it makes or changes may not outlive it. */
  lifetimeCeiling: Date | null;
  /** The acting key's own limits, which a key it makes or changes must keep (null for people and the system). */
  limitsCeiling: LimitCeiling | null;
};

/** A key's limit columns, as the acting key's are read with it. */
export type LimitCeiling = Pick<
  VerifiedKey,
  'allowedAddresses' | 'rateLimit' | 'rateLimitWindowSeconds' | 'usageRemaining' | 'usageRefillAmount' | 'usageRefillInterval' | 'usageRefilledAt'
>;

export async function authorize(tx: Db | Tx, actor: Actor, need: Need, catalogue: Catalogue = activeCatalogue()): Promise<Authorized> {
  const wanted = typeof need === 'string' ? { role: need } : need;
  if (actor.type === 'user') {
    const role = 'role' in wanted ? wanted.role : 'admin';
    const membership = await findMembership(tx, actor.userId, actor.projectSlug);
    if (!membership) throw new DomainError('not_found', 'Project not found.');
    if (role === 'admin' && membership.role !== 'admin') throw new DomainError('forbidden', wanted.denied ?? ADMIN_ONLY_MESSAGE);
    return {
      ...(await userAuditActor(tx, membership.id, actor.userId, actor.clientAddress)),
      projectSlug: membership.slug,
      projectName: membership.name,
      role: membership.role,
      ceiling: null,
      lifetimeCeiling: null,
      limitsCeiling: null,
    };
  }
  if (actor.type === 'system') {
    const project = await requireProjectBySlug(tx, actor.projectSlug);
    return {
      projectId: project.id,
      projectSlug: project.slug,
      projectName: project.name,
      role: 'admin',
      actorType: 'system',
      actorId: null,
      actorLabel: actor.label,
      ceiling: null,
      lifetimeCeiling: null,
      limitsCeiling: null,
    };
  }
  // The acting key as the database holds it now, inside this transaction: gone or expired is
  // the same 401 as a key never seen.
  const found = await lookupKey(tx, actor.keyHash);
  const verdict = judge(catalogue, found, {}, new Date());
  if (!found || !verdict.valid) throw new DomainError('unauthorized', KEY_NOT_VALID);
  if ('role' in wanted) throw new DomainError('forbidden', SIGNED_IN_ONLY);
  const hasResource = Boolean(findResource(catalogue, wanted.resource));
  const permitted = hasResource ? allows(catalogue, verdict.permissions, wanted.resource, wanted.level) : verdict.permissions === null;
  if (!permitted) {
    const label = findResource(catalogue, wanted.resource)?.label ?? wanted.resource;
    throw new DomainError(
      'forbidden',
      hasResource
        ? `This key needs the ${label} permission at ${catalogue.levelLabels[wanted.level]} or more.`
        : (wanted.fullAccessOnly ?? 'Only a full-access key can do this in this deployment.'),
    );
  }
  const [project] = await tx.select({ slug: projects.slug, name: projects.name }).from(projects).where(eq(projects.id, found.projectId)).limit(1);
  if (!project) throw new DomainError('unauthorized', KEY_NOT_VALID);
  const ends = [found.keyExpiresAt, found.secretExpiresAt].filter((date): date is Date => date !== null);
  return {
    projectId: found.projectId,
    projectSlug: project.slug,
    projectName: project.name,
    role: null,
    actorType: 'api_key',
    actorId: found.publicId,
    actorLabel: found.name,
    clientAddress: actor.clientAddress,
    ceiling: verdict.permissions,
    lifetimeCeiling: ends.length ? new Date(Math.min(...ends.map((date) => date.getTime()))) : null,
    limitsCeiling: found,
  };
}
