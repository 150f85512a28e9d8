/**
 * What a key's own page shows about it beyond the table's row: who created it, the address of
 * its last use, and the most uses its usage limit has held (the "of 1,000" of "412 of 1,000 uses left"). Authorized like every read of keys (the API Keys resource at Read) and scoped to
 * the actor's project, so another project's key is "not found". Carries no secret.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, auditEvents, users } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { DomainError } from '@/lib/errors';
import { activeCatalogue } from '@/lib/permissions/load';
import { READ_KEYS, type KeyOptions } from './access';
import { KEY_NOT_FOUND, keyInProject } from './find';
import type { ApiKeyJson } from './json';

/** Who made the key: a person (by email), another key (over the REST API), the operator CLI, or no record of it. */
export type KeyCreator = { type: 'user'; email: string } | { type: 'api_key'; id: string | null; name: string } | { type: 'operator' } | { type: 'unknown' };

export type KeyDetails = { key: ApiKeyJson; createdBy: KeyCreator; lastUsedAddress: string | null; usageCap: number | null };

/** The creator as its `api_key.created` event recorded it: for keys made without a user, or whose user is gone. */
async function creatorFromAudit(db: Db, projectId: string, publicId: string): Promise<KeyCreator> {
  const [event] = await db
    .select({ type: auditEvents.actorType, id: auditEvents.actorId, label: auditEvents.actorLabel })
    .from(auditEvents)
    .where(and(eq(auditEvents.projectId, projectId), eq(auditEvents.action, 'api_key.created'), eq(auditEvents.targetType, 'api_key'), eq(auditEvents.targetId, publicId)))
    .limit(1);
  if (!event) return { type: 'unknown' };
  if (event.type === 'user') return { type: 'user', email: event.label };
  if (event.type === 'api_key') return { type: 'api_key', id: event.id, name: event.label };
  return { type: 'operator' };
}

export async function getKeyDetails(db: Db, actor: Actor, publicId: string, options: KeyOptions = {}): Promise<KeyDetails> {
  const { catalogue = activeCatalogue(), now = new Date() } = options;
  const { projectId } = await authorize(db, actor, READ_KEYS, catalogue);
  const id = String(publicId);
  const key = await keyInProject(db, catalogue, projectId, id, now);
  const [extra] = await db
    .select({ email: users.email, lastUsedAddress: apiKeys.lastUsedAddress, usageCap: apiKeys.usageCap })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.publicId, id)));
  // Deleted between the two reads.
  if (!extra) throw new DomainError('not_found', KEY_NOT_FOUND);
  const createdBy: KeyCreator = extra.email ? { type: 'user', email: extra.email } : await creatorFromAudit(db, projectId, id);
  return { key, createdBy, lastUsedAddress: extra.lastUsedAddress, usageCap: extra.usageCap };
}
