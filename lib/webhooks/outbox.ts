/**
 * The webhook outbox: rows written inside the transaction of the change they report, so an event
 * is queued exactly when its change commits. lib/changes/record.ts calls enqueueKeyChange for
 * every key lifecycle change; only those of a project whose enabled endpoint subscribes to them
 * become rows. Without a webhook key a row waits ("No webhook key") and is released once
 * a key is chosen. Never puts a secret in a row.
 */
import { and, count, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { apiKeys, projects, webhookDeliveries, webhookEndpoints } from '@/db/schema';
import type { ApiKeyJson } from '@/lib/keys/json';
import type { DeletedKeyJson, WebhookActor, WebhookBody, WebhookEvent } from './events';
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

/**
 * Deliveries due now and not yet claimed (a claim moves next_attempt_at past now): the backlog
 * the metrics show. The dispatcher's own condition, answered from the partial index of due rows.
 */
export async function countDueDeliveries(db: Db, at = new Date()): Promise<number> {
  const [row] = await db
    .select({ due: count() })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, at)));
  return row?.due ?? 0;
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

/** A key lifecycle change as its webhook reports it; the key as the REST API shows it after the change. */
export type KeyChange = {
  projectId: string;
  event: WebhookEvent;
  actor: WebhookActor;
  key: ApiKeyJson | DeletedKeyJson;
  /**
   * The change's audit metadata: api_key.updated sends it as `changes`; webhook_key.changed names
   * the key it replaced; api_key.expiring and api_key.expired carry `daysLeft` and `expiresAt`;
   * api_key.usage_low `remaining`, `cap` and `refillsAt`; api_key.rate_limited (which has no audit
   * event) `limit`, `windowSeconds` and `retryAfterSeconds`.
   */
  metadata: Record<string, unknown>;
  /** When it happened, if not now (the body's `timestamp`). */
  at?: Date;
};

const text = (value: unknown) => (typeof value === 'string' ? value : null);

function eventData({ event, actor, key, metadata }: KeyChange): Omit<WebhookBody['data'], 'project'> {
  if (event === 'api_key.updated') return { actor, key, changes: metadata };
  if (event === 'webhook_key.changed') return { actor, key, previousKeyId: text(metadata.previousKeyId) };
  if (event === 'api_key.expiring' || event === 'api_key.expired') {
    return { actor, key, daysLeft: Number(metadata.daysLeft), expiresAt: text(metadata.expiresAt) ?? undefined };
  }
  if (event === 'api_key.usage_low') return { actor, key, remaining: Number(metadata.remaining), cap: Number(metadata.cap), refillsAt: text(metadata.refillsAt) };
  if (event === 'api_key.rate_limited') {
    return { actor, key, limit: Number(metadata.limit), windowSeconds: Number(metadata.windowSeconds), retryAfterSeconds: Number(metadata.retryAfterSeconds) };
  }
  return { actor, key };
}

/**
 * Called inside the change's transaction. One indexed read for any key change; a row only when
 * the project's enabled endpoint subscribes to the event.
 */
export async function enqueueKeyChange(tx: Db | Tx, change: KeyChange): Promise<void> {
  const { projectId, event } = change;
  if (event === 'webhook_key.changed') await releaseWaiting(tx, [projectId]);
  const [endpoint] = await tx
    .select({ enabled: webhookEndpoints.enabled, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.projectId, projectId));
  if (!endpoint?.enabled || !endpoint.events.includes(event)) return;
  await insertDelivery(tx, projectId, event, eventData(change), change.at);
}
