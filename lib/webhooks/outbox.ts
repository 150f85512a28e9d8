/**
 * The webhook outbox: rows written inside the transaction of the change they report, so an event
 * is queued exactly when its change commits. lib/audit/record.ts calls enqueueAuditedChange for
 * every audited change; only key lifecycle events of a project whose enabled endpoint subscribes
 * to them become rows. Without a webhook key a row waits ("No webhook key") and is released once
 * a key is chosen. Never puts a secret in a row.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { apiKeys, projects, webhookDeliveries, webhookEndpoints } from '@/db/schema';
import type { AuditActor, AuditEntry } from '@/lib/audit/record';
import { keyJsonColumns, toApiKeyJson } from '@/lib/keys/json';
import { activeCatalogue } from '@/lib/permissions/load';
import { isWebhookEvent, type WebhookActor, type WebhookBody, type WebhookEvent } from './events';
import { newMessageId } from './signing';

export const NO_WEBHOOK_KEY = 'No webhook key: choose one under API Keys and this delivery is sent.';

export async function projectHasWebhookKey(tx: Db | Tx, projectId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.isWebhookKey, true)))
    .limit(1);
  return Boolean(row);
}

/** Queues one event for the project's endpoint; it waits when the project has no webhook key. */
export async function insertDelivery(
  tx: Db | Tx,
  projectId: string,
  type: WebhookBody['type'],
  data: Omit<WebhookBody['data'], 'project'>,
  at = new Date(),
): Promise<{ messageId: string }> {
  const [project] = await tx.select({ id: projects.id, slug: projects.slug }).from(projects).where(eq(projects.id, projectId));
  const messageId = newMessageId();
  const body: WebhookBody = { id: messageId, type, timestamp: at.toISOString(), data: { project: project!, ...data } };
  const hasKey = await projectHasWebhookKey(tx, projectId);
  await tx.insert(webhookDeliveries).values({
    projectId,
    eventType: type,
    messageId,
    payload: JSON.stringify(body),
    ...(hasKey ? {} : { status: 'no_webhook_key' as const, nextAttemptAt: null, lastError: NO_WEBHOOK_KEY }),
  });
  return { messageId };
}

/** A project just got a webhook key: what waited for one is due now. */
export async function releaseWaiting(tx: Db | Tx, projectIds?: string[]): Promise<number> {
  const waiting = eq(webhookDeliveries.status, 'no_webhook_key');
  const scope = projectIds
    ? inArray(webhookDeliveries.projectId, projectIds)
    : // Backstop for a row queued as waiting while another transaction chose a key.
      inArray(webhookDeliveries.projectId, sql`(select ${apiKeys.projectId} from ${apiKeys} where ${apiKeys.isWebhookKey})`);
  const released = await tx
    .update(webhookDeliveries)
    .set({ status: 'pending', nextAttemptAt: sql`now()`, lastError: null })
    .where(and(waiting, scope))
    .returning({ id: webhookDeliveries.id });
  return released.length;
}

function actorOf(actor: AuditActor): WebhookActor {
  return { type: actor.actorType, id: actor.actorId, label: actor.actorLabel };
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** The event's data: the key as the REST API shows it now (inside the change's transaction). */
async function keyEventData(tx: Db | Tx, actor: AuditActor, event: WebhookEvent, entry: AuditEntry): Promise<Omit<WebhookBody['data'], 'project'>> {
  const metadata = entry.metadata ?? {};
  const publicId = entry.targetId ?? '';
  const base = { actor: actorOf(actor) };
  if (event === 'api_key.deleted') {
    return { ...base, key: { id: publicId, name: text(metadata.name) ?? '', webhook: metadata.wasWebhookKey === true } };
  }
  const [row] = await tx
    .select(keyJsonColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, actor.projectId), eq(apiKeys.publicId, publicId)))
    .limit(1);
  const graceEnds = event === 'api_key.rotated' && Number(metadata.gracePeriodSeconds) > 0 ? text(metadata.previousSecretExpiresAt) : null;
  const key = row ? toApiKeyJson(activeCatalogue(), row, graceEnds ? new Date(graceEnds) : null) : { id: publicId, name: text(metadata.name) ?? '', webhook: false };
  if (event === 'api_key.updated') return { ...base, key, changes: metadata };
  if (event === 'webhook_key.changed') return { ...base, key, previousKeyId: text(metadata.previousKeyId) };
  return { ...base, key };
}

/**
 * Called by recordAudit inside the change's transaction. One indexed read for any key change;
 * a row only when the project's enabled endpoint subscribes to the event.
 */
export async function enqueueAuditedChange(tx: Db | Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const event = entry.action;
  if (!isWebhookEvent(event)) return;
  if (event === 'webhook_key.changed') await releaseWaiting(tx, [actor.projectId]);
  const [endpoint] = await tx
    .select({ enabled: webhookEndpoints.enabled, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.projectId, actor.projectId));
  if (!endpoint?.enabled || !endpoint.events.includes(event)) return;
  await insertDelivery(tx, actor.projectId, event, await keyEventData(tx, actor, event, entry));
}
