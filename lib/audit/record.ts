/**
 * Writes audit events. Callers pass the transaction of the change itself, so an event exists
 * exactly when its change does. There is no function here, or anywhere, that updates or deletes
 * an event. Domain code records a change through lib/changes/record.ts, which calls this; this
 * module knows nothing of webhooks.
 */
import type { Db, Tx } from '@/db/client';
import { auditEvents } from '@/db/schema';
import type { AuditAction } from './actions';

export type AuditActor = {
  projectId: string;
  actorType: 'user' | 'api_key' | 'system';
  actorId: string | null;
  actorLabel: string;
  clientAddress?: string | null;
};

/** How the audit log and the webhooks name Keyward itself, recording a notice no person made. */
export const SYSTEM_ACTOR_LABEL = 'Keyward';

export const systemActorIn = (projectId: string): AuditActor => ({ projectId, actorType: 'system', actorId: null, actorLabel: SYSTEM_ACTOR_LABEL });

export type AuditEntry = {
  action: AuditAction;
  targetType: string;
  targetId?: string | null;
  /** Never a secret: names, flags, levels, times. */
  metadata?: Record<string, unknown>;
};

export async function insertAuditEvent(tx: Db | Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await tx.insert(auditEvents).values({
    projectId: actor.projectId,
    actorType: actor.actorType,
    actorId: actor.actorId,
    actorLabel: actor.actorLabel,
    clientAddress: actor.clientAddress ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    metadata: entry.metadata ?? {},
  });
}
