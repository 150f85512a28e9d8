/** Looks a key up inside its project: another project's key id is "not found", like a missing one. */
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { DomainError } from '@/lib/errors';
import { keyJsonColumns } from './json';

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
