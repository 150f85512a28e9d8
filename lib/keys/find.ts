/** Looks a key up inside its project: another project's key id is "not found", like a missing one. */
import { and, eq, gt, max } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { apiKeys, apiKeySecrets } from '@/db/schema';
import { DomainError } from '@/lib/errors';
import { authorize, type Actor } from '@/lib/auth/authorize';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { READ_KEYS, type KeyOptions } from './access';
import { keyJsonColumns, toApiKeyJson, type ApiKeyJson } from './json';

export const KEY_NOT_FOUND = 'API key not found.';

export async function findKeyForUpdate(tx: Db | Tx, projectId: string, publicId: string, lock: 'wait' | 'nowait' = 'wait') {
  const query = tx
    .select({ id: apiKeys.id, ...keyJsonColumns })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.publicId, String(publicId))))
    .limit(1);
  const [row] = await (lock === 'nowait' ? query.for('update', { noWait: true }) : query.for('update'));
  if (!row) throw new DomainError('not_found', KEY_NOT_FOUND);
  return row;
}

/** One key as the table shows it, with when a rotation's previous secret stops working. */
export async function getKey(db: Db, actor: Actor, publicId: string, options: KeyOptions = {}): Promise<ApiKeyJson> {
  const { catalogue = activeCatalogue(), now = new Date() } = options;
  const manager = await authorize(db, actor, READ_KEYS, catalogue);
  return keyInProject(db, catalogue, manager.projectId, publicId, now);
}

/** A key of `projectId` as JSON, for a caller that has already authorized the read. */
export async function keyInProject(db: Db, catalogue: Catalogue, projectId: string, publicId: string, now: Date): Promise<ApiKeyJson> {
  const [row] = await db
    .select({ ...keyJsonColumns, graceEnds: max(apiKeySecrets.expiresAt) })
    .from(apiKeys)
    .leftJoin(apiKeySecrets, and(eq(apiKeySecrets.apiKeyId, apiKeys.id), gt(apiKeySecrets.expiresAt, now)))
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.publicId, String(publicId))))
    .groupBy(apiKeys.id);
  if (!row) throw new DomainError('not_found', KEY_NOT_FOUND);
  return toApiKeyJson(catalogue, row, row.graceEnds, now);
}
