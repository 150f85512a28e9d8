/**
 * Removing keys already found and locked in the caller's transaction: the rows (secrets go with
 * them), the project's key count, and per key its NOTIFY to the other nodes, its audit event and
 * its webhook. Single and bulk delete both end here, so one key deleted either way leaves the
 * same trace. Never authorizes: callers have, and have checked each key against the actor.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { apiKeys, projectKeyCounts } from '@/db/schema';
import type { Authorized } from '@/lib/auth/authorize';
import { recordChange } from '@/lib/changes/record';
import { announceKeyChange, keyChanged } from './events';
import type { findKeyForUpdate } from './find';

export type LockedKey = Awaited<ReturnType<typeof findKeyForUpdate>>;

export async function removeLockedKeys(tx: Tx, manager: Authorized, keys: readonly LockedKey[]): Promise<void> {
  if (keys.length === 0) return;
  // Secrets go with the keys (ON DELETE CASCADE).
  await tx.delete(apiKeys).where(inArray(apiKeys.id, keys.map((key) => key.id)));
  await tx
    .update(projectKeyCounts)
    .set({ keyCount: sql`greatest(${projectKeyCounts.keyCount} - ${keys.length}, 0)` })
    .where(eq(projectKeyCounts.projectId, manager.projectId));
  for (const key of keys) {
    await announceKeyChange(tx, key.publicId);
    await recordChange(tx, manager, {
      action: 'api_key.deleted',
      targetType: 'api_key',
      targetId: key.publicId,
      metadata: { name: key.name, wasWebhookKey: key.isWebhookKey },
      key: { id: key.publicId, name: key.name, webhook: key.isWebhookKey },
    });
  }
}

/** After the commit: this process's verification cache drops the keys at once. */
export function keysRemoved(projectId: string, publicIds: readonly string[]): void {
  for (const publicId of publicIds) keyChanged({ projectId, publicId, kind: 'deleted' });
}
