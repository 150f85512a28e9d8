/**
 * A project's webhook settings and "Send test event", for the console. Administrators only,
 * checked against the database inside each change's transaction; every change is audited
 * (`webhook_endpoint.updated`, `webhook.test_sent`). An endpoint URL is checked where it points
 * before it is saved (and again by the dispatcher before every send).
 */
import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { apiKeys, webhookEndpoints } from '@/db/schema';
import { recordChange } from '@/lib/changes/record';
import { authorize, type Actor, type Need } from '@/lib/auth/authorize';
import { DomainError, parseInput } from '@/lib/errors';
import { webhookSettings } from './config';
import { TEST_EVENT, type WebhookEvent } from './events';
import { insertDelivery } from './outbox';
import { saveEndpointInput, type SaveEndpointInput } from './schemas';
import { checkEndpointUrl, RefusedUrlError, systemResolver, type Resolver } from './url-safety';

export const WEBHOOKS_ADMIN_ONLY = 'Only administrators can manage webhooks.';

/** Webhook settings and deliveries: a signed-in administrator. */
export const MANAGE_WEBHOOKS: Need = { role: 'admin', denied: WEBHOOKS_ADMIN_ONLY };

export type EndpointSettings = { url: string; events: WebhookEvent[]; enabled: boolean; updatedAt: string };
export type WebhookSettingsView = {
  endpoint: EndpointSettings | null;
  /** The key that signs deliveries; null means nothing is sent. */
  webhookKey: { id: string; name: string } | null;
};

async function readEndpoint(db: Db | Tx, projectId: string): Promise<EndpointSettings | null> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.projectId, projectId));
  if (!row) return null;
  return { url: row.url, events: row.events as WebhookEvent[], enabled: row.enabled, updatedAt: row.updatedAt.toISOString() };
}

export async function getWebhookSettings(db: Db, actor: Actor): Promise<WebhookSettingsView> {
  const cleared = await authorize(db, actor, MANAGE_WEBHOOKS);
  const [key] = await db
    .select({ id: apiKeys.publicId, name: apiKeys.name })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, cleared.projectId), eq(apiKeys.isWebhookKey, true)))
    .limit(1);
  return { endpoint: await readEndpoint(db, cleared.projectId), webhookKey: key ?? null };
}

/** The URL as the audit log keeps it: a query string may carry the receiver's token. */
function auditedUrl(url: string | undefined): string | null {
  if (!url) return null;
  const parsed = new URL(url);
  const hidden = parsed.search ? '?…' : '';
  parsed.search = '';
  return parsed.href + hidden;
}

export type SaveEndpointOptions = { resolve?: Resolver; allowPrivate?: boolean };

export async function saveEndpoint(db: Db, actor: Actor, input: SaveEndpointInput, options: SaveEndpointOptions = {}): Promise<EndpointSettings> {
  // Who asks comes first: nobody else gets to make this server resolve names.
  await authorize(db, actor, MANAGE_WEBHOOKS);
  const { url, events, enabled } = parseInput(saveEndpointInput, input);
  // A refused address is refused whatever the switch says; but a host name is looked up only
  // for an enabled endpoint, so one can be switched off whatever its DNS does now.
  try {
    await checkEndpointUrl(url, {
      resolve: enabled ? (options.resolve ?? systemResolver) : null,
      allowPrivate: options.allowPrivate ?? webhookSettings().allowPrivate,
    });
  } catch (error) {
    if (error instanceof RefusedUrlError) throw new DomainError('invalid_input', error.message, { url: [error.message] });
    throw error;
  }
  return db.transaction(async (tx) => {
    const cleared = await authorize(tx, actor, MANAGE_WEBHOOKS);
    const before = await readEndpoint(tx, cleared.projectId);
    const now = new Date();
    await tx
      .insert(webhookEndpoints)
      .values({ projectId: cleared.projectId, url, events, enabled, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: webhookEndpoints.projectId, set: { url, events, enabled, updatedAt: now } });
    await recordChange(tx, cleared, {
      action: 'webhook_endpoint.updated',
      targetType: 'webhook_endpoint',
      targetId: cleared.projectSlug,
      metadata: {
        url: auditedUrl(url),
        events,
        enabled,
        previous: before ? { url: auditedUrl(before.url), events: before.events, enabled: before.enabled } : null,
      },
    });
    return { url, events: events as WebhookEvent[], enabled, updatedAt: now.toISOString() };
  });
}

export const NO_ENDPOINT_MESSAGE = 'Save an endpoint URL first.';

/** Queues a `webhook.test` event for the saved endpoint, enabled or not. */
export async function sendTestEvent(db: Db, actor: Actor): Promise<{ messageId: string }> {
  return db.transaction(async (tx) => {
    const cleared = await authorize(tx, actor, MANAGE_WEBHOOKS);
    const endpoint = await readEndpoint(tx, cleared.projectId);
    if (!endpoint) throw new DomainError('invalid_input', NO_ENDPOINT_MESSAGE);
    const queued = await insertDelivery(tx, cleared.projectId, TEST_EVENT, {
      actor: { type: cleared.actorType, id: cleared.actorId, label: cleared.actorLabel },
      message: 'A test event from Keyward. If its signatures check out, your endpoint is ready.',
    });
    await recordChange(tx, cleared, {
      action: 'webhook.test_sent',
      targetType: 'webhook_endpoint',
      targetId: cleared.projectSlug,
      metadata: { messageId: queued.messageId, url: auditedUrl(endpoint.url) },
    });
    return queued;
  });
}
