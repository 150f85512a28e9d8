'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { runAction, type ActionResult } from '@/lib/auth/action';
import { clientAddress } from '@/lib/api/client-address';
import type { Actor } from '@/lib/keys/actor';
import { createKey, type CreatedKey } from '@/lib/keys/create';
import type { ApiKeyJson } from '@/lib/keys/json';
import { deleteKey, setWebhookKey, updateKey } from '@/lib/keys/manage';
import { rotateKey } from '@/lib/keys/rotate';
import type { CreateKeyInput, RotateKeyInput, UpdateKeyInput } from '@/lib/keys/schemas';
import { activeCatalogue } from '@/lib/permissions/load';

// Thin adapters: each finds the signed-in user, then one domain function authorizes (admin of
// this project, read from the database), validates and writes. Inputs are untrusted.

async function actorFor(userId: string, slug: unknown): Promise<Actor> {
  return { type: 'user', userId, projectSlug: String(slug), clientAddress: clientAddress(await headers()) };
}

function refresh(result: ActionResult<unknown>, slug: unknown) {
  if (result.ok) revalidatePath(`/projects/${String(slug)}/settings/api-keys`);
}

/** The one response that carries a secret: shown once by the "Save your API key" dialog. */
export async function createKeyAction(slug: string, input: CreateKeyInput): Promise<ActionResult<CreatedKey>> {
  const result = await runAction(async ({ db, user }) => createKey(db, activeCatalogue(), await actorFor(user.id, slug), input));
  refresh(result, slug);
  return result;
}

export async function rotateKeyAction(slug: string, keyId: string, input: RotateKeyInput): Promise<ActionResult<CreatedKey>> {
  const result = await runAction(async ({ db, user }) => rotateKey(db, activeCatalogue(), await actorFor(user.id, slug), keyId, input));
  refresh(result, slug);
  return result;
}

export async function deleteKeyAction(slug: string, keyId: string): Promise<ActionResult<{ id: string; wasWebhookKey: boolean }>> {
  const result = await runAction(async ({ db, user }) => deleteKey(db, activeCatalogue(), await actorFor(user.id, slug), keyId));
  refresh(result, slug);
  return result;
}

export async function setWebhookKeyAction(slug: string, keyId: string): Promise<ActionResult<ApiKeyJson>> {
  const result = await runAction(async ({ db, user }) => setWebhookKey(db, activeCatalogue(), await actorFor(user.id, slug), keyId));
  refresh(result, slug);
  return result;
}

export async function updateKeyAction(slug: string, keyId: string, input: UpdateKeyInput): Promise<ActionResult<ApiKeyJson>> {
  const result = await runAction(async ({ db, user }) => updateKey(db, activeCatalogue(), await actorFor(user.id, slug), keyId, input));
  refresh(result, slug);
  return result;
}
