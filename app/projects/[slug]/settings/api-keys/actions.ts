'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import type { Db } from '@/db/client';
import { runAction, type ActionResult } from '@/lib/auth/action';
import { clientAddress } from '@/lib/api/client-address';
import type { Actor } from '@/lib/keys/actor';
import { createKey, type CreatedKey } from '@/lib/keys/create';
import type { ApiKeyJson } from '@/lib/keys/json';
import { deleteKey, setWebhookKey, updateKey } from '@/lib/keys/manage';
import { rotateKey } from '@/lib/keys/rotate';
import type { CreateKeyInput, RotateKeyInput, UpdateKeyInput } from '@/lib/keys/schemas';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';

// Thin adapters: each finds the signed-in user, then one domain function authorizes (admin of
// this project, read from the database), validates and writes. Inputs are untrusted.

/** Runs one key operation as the signed-in user on project `slug`; a success refreshes the page. */
async function keyAction<T>(slug: unknown, operation: (db: Db, actor: Actor, catalogue: Catalogue) => Promise<T>): Promise<ActionResult<T>> {
  const result = await runAction(async ({ db, user }) => {
    const actor: Actor = { type: 'user', userId: user.id, projectSlug: String(slug), clientAddress: clientAddress(await headers()) };
    return operation(db, actor, activeCatalogue());
  });
  if (result.ok) revalidatePath(`/projects/${String(slug)}/settings/api-keys`);
  return result;
}

/** The one response that carries a secret: shown once by the "Save your API key" dialog. */
export async function createKeyAction(slug: string, input: CreateKeyInput): Promise<ActionResult<CreatedKey>> {
  return keyAction(slug, (db, actor, catalogue) => createKey(db, catalogue, actor, input));
}

export async function rotateKeyAction(slug: string, keyId: string, input: RotateKeyInput): Promise<ActionResult<CreatedKey>> {
  return keyAction(slug, (db, actor, catalogue) => rotateKey(db, catalogue, actor, keyId, input));
}

export async function deleteKeyAction(slug: string, keyId: string): Promise<ActionResult<{ id: string; wasWebhookKey: boolean }>> {
  return keyAction(slug, (db, actor, catalogue) => deleteKey(db, catalogue, actor, keyId));
}

export async function setWebhookKeyAction(slug: string, keyId: string): Promise<ActionResult<ApiKeyJson>> {
  return keyAction(slug, (db, actor, catalogue) => setWebhookKey(db, catalogue, actor, keyId));
}

export async function updateKeyAction(slug: string, keyId: string, input: UpdateKeyInput): Promise<ActionResult<ApiKeyJson>> {
  return keyAction(slug, (db, actor, catalogue) => updateKey(db, catalogue, actor, keyId, input));
}
