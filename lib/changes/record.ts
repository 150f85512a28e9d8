/**
 * Recording a change: its audit event and, for a key lifecycle change, its webhook, both in the
 * change's own transaction. Every domain mutation records through recordChange; the audit log
 * (lib/audit) and the webhook outbox (lib/webhooks) each know nothing of the other.
 */
import type { Db, Tx } from '@/db/client';
import type { AuditAction } from '@/lib/audit/actions';
import { insertAuditEvent, type AuditActor, type AuditEntry } from '@/lib/audit/record';
import type { ApiKeyJson } from '@/lib/keys/json';
import type { DeletedKeyJson, WebhookEvent } from '@/lib/webhooks/events';
import { enqueueKeyChange } from '@/lib/webhooks/outbox';

/**
 * A key lifecycle change carries the key as the REST API shows it after the change, for its
 * webhook. (api_key.rate_limited is a webhook alone: lib/limits/notices.ts queues it directly.)
 */
export type KeyChangeEvent = AuditEntry & {
  action: Extract<WebhookEvent, AuditAction>;
  targetType: 'api_key';
  targetId: string;
  key: ApiKeyJson | DeletedKeyJson;
};

export type ChangeEvent = KeyChangeEvent | (AuditEntry & { action: Exclude<AuditAction, WebhookEvent> });

export async function recordChange(tx: Db | Tx, actor: AuditActor, event: ChangeEvent): Promise<void> {
  await insertAuditEvent(tx, actor, event);
  if (!('key' in event)) return;
  await enqueueKeyChange(tx, {
    projectId: actor.projectId,
    event: event.action,
    actor: { type: actor.actorType, id: actor.actorId, label: actor.actorLabel },
    key: event.key,
    metadata: event.metadata ?? {},
  });
}
