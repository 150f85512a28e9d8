'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import type { Db } from '@/db/client';
import { clientAddress } from '@/lib/api/client-address';
import { runAction, type ActionResult } from '@/lib/auth/action';
import { saveEndpoint, sendTestEvent, type EndpointSettings, type WebhookAdmin } from '@/lib/webhooks/endpoint';
import type { SaveEndpointInput } from '@/lib/webhooks/schemas';

// Thin adapters: the signed-in user, then one domain function that authorizes (admin of this
// project, read from the database), validates and writes with its audit event. Inputs are untrusted.

async function webhookAction<T>(slug: unknown, operation: (db: Db, admin: WebhookAdmin) => Promise<T>): Promise<ActionResult<T>> {
  const result = await runAction(async ({ db, user }) =>
    operation(db, { userId: user.id, projectSlug: String(slug), clientAddress: clientAddress(await headers()) }),
  );
  if (result.ok) revalidatePath(`/projects/${String(slug)}/settings/webhooks`);
  return result;
}

export async function saveEndpointAction(slug: string, input: SaveEndpointInput): Promise<ActionResult<EndpointSettings>> {
  return webhookAction(slug, (db, admin) => saveEndpoint(db, admin, input));
}

export async function sendTestEventAction(slug: string): Promise<ActionResult<{ messageId: string }>> {
  return webhookAction(slug, (db, admin) => sendTestEvent(db, admin));
}
