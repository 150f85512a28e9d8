/**
 * Deleting a key, choosing the webhook key, and editing a key's name or permissions. Each is
 * one transaction with its audit event; each looks the key up inside the actor's project.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { recordChange } from '@/lib/changes/record';
import { DomainError, parseInput } from '@/lib/errors';
import { lockProject } from '@/lib/projects/projects';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { assertLimitsWithin, limitChanges, limitColumns } from '@/lib/limits/schemas';
import { activeCatalogue } from '@/lib/permissions/load';
import { assertWithinCeiling, WRITE_KEYS, type KeyOptions } from './access';
import { announceKeyChange, keyChanged } from './events';
import { EXPIRY_NOTICE } from './expiry-notices';
import { findKeyForUpdate } from './find';
import { keyJsonColumns, toApiKeyJson, type ApiKeyJson } from './json';
import { keysRemoved, removeLockedKeys } from './remove';
import { updateKeyInput, type UpdateKeyInput } from './schemas';

export const PERMISSIONS_FIXED_MESSAGE =
  'Permissions of an existing key cannot be changed in this deployment. Create a new key with the permissions you need, then delete this one.';

export async function deleteKey(db: Db, actor: Actor, publicId: string, options: KeyOptions = {}): Promise<{ id: string; wasWebhookKey: boolean }> {
  const { catalogue = activeCatalogue() } = options;
  const result = await db.transaction(async (tx) => {
    const manager = await authorize(tx, actor, WRITE_KEYS, catalogue);
    const key = await findKeyForUpdate(tx, manager.projectId, publicId);
    // A restricted key cannot take a stronger key away from its owners.
    assertWithinCeiling(catalogue, manager, key);
    await removeLockedKeys(tx, manager, [key]);
    return { projectId: manager.projectId, id: key.publicId, wasWebhookKey: key.isWebhookKey };
  });
  keysRemoved(result.projectId, [result.id]);
  return { id: result.id, wasWebhookKey: result.wasWebhookKey };
}

/**
 * Makes this key the project's one webhook signing key; the previous one stops being it. A
 * restricted key may neither choose nor unseat a key stronger or longer-lived than itself.
 */
export async function setWebhookKey(db: Db, actor: Actor, publicId: string, options: KeyOptions = {}): Promise<ApiKeyJson> {
  const { catalogue = activeCatalogue() } = options;
  return db.transaction(async (tx) => {
    const manager = await authorize(tx, actor, WRITE_KEYS, catalogue);
    // Concurrent choices in one project take turns here; the partial unique index is the backstop.
    await lockProject(tx, manager.projectId);
    const key = await findKeyForUpdate(tx, manager.projectId, publicId);
    assertWithinCeiling(catalogue, manager, key);
    if (key.isWebhookKey) return toApiKeyJson(catalogue, key);
    const [previous] = await tx
      .select({ id: apiKeys.id, publicId: apiKeys.publicId, permissions: apiKeys.permissions, expiresAt: apiKeys.expiresAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.projectId, manager.projectId), eq(apiKeys.isWebhookKey, true)))
      .for('update');
    if (previous) {
      assertWithinCeiling(catalogue, manager, previous);
      await tx.update(apiKeys).set({ isWebhookKey: false }).where(eq(apiKeys.id, previous.id));
    }
    const [updated] = await tx.update(apiKeys).set({ isWebhookKey: true }).where(eq(apiKeys.id, key.id)).returning(keyJsonColumns);
    const changed = toApiKeyJson(catalogue, updated!);
    await recordChange(tx, manager, {
      action: 'webhook_key.changed',
      targetType: 'api_key',
      targetId: key.publicId,
      metadata: { name: key.name, previousKeyId: previous?.publicId ?? null },
      key: changed,
    });
    return changed;
  });
}

/**
 * Renames a key, changes its expiry, or changes its permissions where the catalogue allows; the
 * secret stays. The key as changed must be within what the actor holds.
 */
export async function updateKey(db: Db, actor: Actor, publicId: string, input: UpdateKeyInput, options: KeyOptions = {}): Promise<ApiKeyJson> {
  const { catalogue = activeCatalogue(), now = new Date() } = options;
  const result = await db.transaction(async (tx) => {
    const manager = await authorize(tx, actor, WRITE_KEYS, catalogue);
    const parsed = parseInput(updateKeyInput(catalogue, () => now), input);
    const key = await findKeyForUpdate(tx, manager.projectId, publicId);
    const changes: { name?: string; permissions?: typeof key.permissions; expiresAt?: Date | null } = {};
    if (parsed.name !== undefined) changes.name = parsed.name;
    if (parsed.expiresAt !== undefined) changes.expiresAt = parsed.expiresAt;
    // A new expiry starts its notices over (lib/keys/expiry-notices.ts), in this same write.
    const expiryMoved = changes.expiresAt !== undefined && changes.expiresAt?.getTime() !== key.expiresAt?.getTime();
    if (parsed.permissions !== undefined) {
      if (!catalogue.editableAfterCreation) throw new DomainError('forbidden', PERMISSIONS_FIXED_MESSAGE);
      changes.permissions = parsed.permissions;
    }
    assertWithinCeiling(catalogue, manager, {
      permissions: changes.permissions !== undefined ? changes.permissions : key.permissions,
      expiresAt: changes.expiresAt !== undefined ? changes.expiresAt : key.expiresAt,
    });
    const limits = limitColumns(parsed, now);
    assertLimitsWithin({ ...key, ...limits }, manager.limitsCeiling, now);
    // New uses start the "running low" notice over too (lib/limits/notices.ts).
    const [updated] = await tx
      .update(apiKeys)
      .set({ ...changes, ...limits, ...(expiryMoved ? { expiryNotice: EXPIRY_NOTICE.none } : {}), ...(parsed.usage !== undefined ? { usageLowNoticedAt: null } : {}) })
      .where(eq(apiKeys.id, key.id))
      .returning(keyJsonColumns);
    await announceKeyChange(tx, key.publicId);
    const json = toApiKeyJson(catalogue, updated!, null, now);
    await recordChange(tx, manager, {
      action: 'api_key.updated',
      targetType: 'api_key',
      targetId: key.publicId,
      metadata: {
        ...(changes.name !== undefined ? { name: { from: key.name, to: changes.name } } : {}),
        ...(changes.permissions !== undefined ? { permissions: { from: key.permissions, to: changes.permissions } } : {}),
        ...(changes.expiresAt !== undefined ? { expiresAt: { from: key.expiresAt?.toISOString() ?? null, to: changes.expiresAt?.toISOString() ?? null } } : {}),
        ...limitChanges(key, updated!, parsed, now),
      },
      key: json,
    });
    return { projectId: manager.projectId, key: json };
  });
  keyChanged({ projectId: result.projectId, publicId: result.key.id, kind: 'updated' });
  return result.key;
}
