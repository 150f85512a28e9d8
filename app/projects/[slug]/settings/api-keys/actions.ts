'use server';

import { projectAction, type ActionResult } from '@/lib/auth/action';
import { deleteKeys, type DeletedKeys } from '@/lib/keys/bulk-delete';
import { createKey, type CreatedKey } from '@/lib/keys/create';
import type { ApiKeyJson } from '@/lib/keys/json';
import { deleteKey, setWebhookKey, updateKey } from '@/lib/keys/manage';
import { rotateKey } from '@/lib/keys/rotate';
import type { CreateKeyInput, DeleteKeysInput, RotateKeyInput, UpdateKeyInput } from '@/lib/keys/schemas';

// Thin adapters: the signed-in user, then one domain function that authorizes (admin of this
// project, read from the database), validates and writes. Inputs are untrusted.

const refresh = (slug: unknown) => ({ path: `/projects/${String(slug)}/settings/api-keys` });

/** The one response that carries a secret: shown once by the "Save your API key" dialog. */
export async function createKeyAction(slug: string, input: CreateKeyInput): Promise<ActionResult<CreatedKey>> {
  return projectAction(slug, (db, actor) => createKey(db, actor, input), refresh(slug));
}

export async function rotateKeyAction(slug: string, keyId: string, input: RotateKeyInput): Promise<ActionResult<CreatedKey>> {
  return projectAction(slug, (db, actor) => rotateKey(db, actor, keyId, input), refresh(slug));
}

export async function deleteKeyAction(slug: string, keyId: string): Promise<ActionResult<{ id: string; wasWebhookKey: boolean }>> {
  return projectAction(slug, (db, actor) => deleteKey(db, actor, keyId), refresh(slug));
}

/** "Delete selected": the keys named, all or none; the webhook key only with `confirmWebhookKey`. */
export async function deleteKeysAction(slug: string, input: DeleteKeysInput): Promise<ActionResult<DeletedKeys>> {
  return projectAction(slug, (db, actor) => deleteKeys(db, actor, input), refresh(slug));
}

/**
 * Delete from the key's own page, which is then left for the list: nothing to refresh, so the
 * page does not re-render (as a 404) before the browser leaves it.
 */
export async function deleteKeyFromItsPageAction(slug: string, keyId: string): Promise<ActionResult<{ id: string; wasWebhookKey: boolean }>> {
  return projectAction(slug, (db, actor) => deleteKey(db, actor, keyId), null);
}

export async function setWebhookKeyAction(slug: string, keyId: string): Promise<ActionResult<ApiKeyJson>> {
  return projectAction(slug, (db, actor) => setWebhookKey(db, actor, keyId), refresh(slug));
}

export async function updateKeyAction(slug: string, keyId: string, input: UpdateKeyInput): Promise<ActionResult<ApiKeyJson>> {
  return projectAction(slug, (db, actor) => updateKey(db, actor, keyId, input), refresh(slug));
}
