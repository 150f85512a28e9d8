'use server';

import { projectAction, type ActionResult } from '@/lib/auth/action';
import { saveEndpoint, sendTestEvent, type EndpointSettings } from '@/lib/webhooks/endpoint';
import type { SaveEndpointInput } from '@/lib/webhooks/schemas';

// Thin adapters: the signed-in user, then one domain function that authorizes (admin of this
// project, read from the database), validates and writes with its audit event. Inputs are untrusted.

const refresh = (slug: unknown) => ({ path: `/projects/${String(slug)}/settings/webhooks` });

export async function saveEndpointAction(slug: string, input: SaveEndpointInput): Promise<ActionResult<EndpointSettings>> {
  return projectAction(slug, (db, actor) => saveEndpoint(db, actor, input), refresh(slug));
}

export async function sendTestEventAction(slug: string): Promise<ActionResult<{ messageId: string }>> {
  return projectAction(slug, (db, actor) => sendTestEvent(db, actor), refresh(slug));
}
