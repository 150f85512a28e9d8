/**
 * Deleting several keys of one project at once, in one transaction: every id must be a key of
 * the actor's project and within what the actor holds, and the project's webhook key goes only
 * when the input says so; otherwise nothing is deleted. Each key leaves what a single delete
 * leaves (lib/keys/remove.ts): its audit event, its webhook, its NOTIFY to the other nodes.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { DomainError, parseInput } from '@/lib/errors';
import { activeCatalogue } from '@/lib/permissions/load';
import { assertWithinCeiling, WRITE_KEYS, type KeyOptions } from './access';
import { keyJsonColumns } from './json';
import { keysRemoved, removeLockedKeys } from './remove';
import { deleteKeysInput, type DeleteKeysInput } from './schemas';

export type DeletedKeys = { deleted: string[] };

/** What is said when the project's webhook key is among the keys without a confirmation. */
export function webhookKeyUnconfirmed(name: string): string {
  return `“${name}” is the project’s webhook key: signed webhooks stop until another key is chosen. Confirm deleting the webhook key too, or leave it out. Nothing was deleted.`;
}

/** Named by position, not by the id sent: an id is the caller's input, echoed nowhere. */
function notFound(ids: readonly string[], found: ReadonlySet<string>): DomainError | null {
  const fields: Record<string, string[]> = {};
  ids.forEach((id, index) => {
    if (!found.has(id)) fields[`ids.${index}`] = ['No key with this id in this project.'];
  });
  const missing = Object.keys(fields);
  if (missing.length === 0) return null;
  const which = missing.length === 1 ? `One key (${missing[0]}) is` : `${missing.length} keys (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}) are`;
  return new DomainError('not_found', `${which} not in this project. Nothing was deleted.`, fields);
}

export async function deleteKeys(db: Db, actor: Actor, input: DeleteKeysInput, options: KeyOptions = {}): Promise<DeletedKeys> {
  const { catalogue = activeCatalogue() } = options;
  const result = await db.transaction(async (tx) => {
    const manager = await authorize(tx, actor, WRITE_KEYS, catalogue);
    const { ids, confirmWebhookKey } = parseInput(deleteKeysInput, input);
    // Locked in one order, so that two overlapping batches wait for each other instead of deadlocking.
    const keys = await tx
      .select({ id: apiKeys.id, ...keyJsonColumns })
      .from(apiKeys)
      .where(and(eq(apiKeys.projectId, manager.projectId), inArray(apiKeys.publicId, ids)))
      .orderBy(asc(apiKeys.id))
      .for('update');
    const missing = notFound(ids, new Set(keys.map((key) => key.publicId)));
    if (missing) throw missing;
    // A restricted key cannot take a stronger key away from its owners, not even one of many.
    for (const key of keys) assertWithinCeiling(catalogue, manager, key);
    const webhookKey = keys.find((key) => key.isWebhookKey);
    if (webhookKey && confirmWebhookKey !== true) {
      throw new DomainError('webhook_key_confirmation_required', webhookKeyUnconfirmed(webhookKey.name), {
        confirmWebhookKey: [`Set to true to delete the webhook key ${webhookKey.publicId} too.`],
      });
    }
    // Audit events and webhooks in the order the keys were given.
    const byPublicId = new Map(keys.map((key) => [key.publicId, key]));
    await removeLockedKeys(tx, manager, ids.map((id) => byPublicId.get(id)!));
    return { projectId: manager.projectId, deleted: ids };
  });
  keysRemoved(result.projectId, result.deleted);
  return { deleted: result.deleted };
}
