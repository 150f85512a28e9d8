/**
 * One page of a project's webhook deliveries, newest first, for the console: paged in the
 * database, counted up to DELIVERY_COUNT_CAP. Administrators only. Never returns a payload's
 * signature or a key; the payload itself holds none. `lastError` is a class of failure and
 * `responseBody` is null for private addresses, as the dispatcher stores them.
 */
import { count, desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { webhookDeliveries, type WebhookDeliveryStatus } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { MANAGE_WEBHOOKS } from './endpoint';
import type { ListDeliveriesQuery } from './schemas';

export const DELIVERY_COUNT_CAP = 10_000;

export type DeliveryRow = {
  id: string;
  messageId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  responseBody: string | null;
  lastError: string | null;
  createdAt: string;
};

export type DeliveryPage = { deliveries: DeliveryRow[]; page: number; pageSize: number; pageCount: number; total: number; totalIsCapped: boolean };

export async function listDeliveries(db: Db, actor: Actor, query: ListDeliveriesQuery): Promise<DeliveryPage> {
  const project = await authorize(db, actor, MANAGE_WEBHOOKS);
  const d = webhookDeliveries;
  const capped = db.select({ id: d.id }).from(d).where(eq(d.projectId, project.projectId)).limit(DELIVERY_COUNT_CAP + 1).as('capped');
  const [counted] = await db.select({ n: count() }).from(capped);
  const totalIsCapped = counted!.n > DELIVERY_COUNT_CAP;
  const total = Math.min(counted!.n, DELIVERY_COUNT_CAP);
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pageCount);
  const rows = await db
    .select({
      id: d.id,
      messageId: d.messageId,
      eventType: d.eventType,
      status: d.status,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastDurationMs: d.lastDurationMs,
      nextAttemptAt: d.nextAttemptAt,
      responseBody: d.responseBody,
      lastError: d.lastError,
      createdAt: d.createdAt,
    })
    .from(d)
    .where(eq(d.projectId, project.projectId))
    .orderBy(desc(d.createdAt), desc(d.id))
    .limit(query.pageSize)
    .offset((page - 1) * query.pageSize);
  return {
    deliveries: rows.map((row) => ({
      ...row,
      nextAttemptAt: row.status === 'pending' && row.nextAttemptAt ? row.nextAttemptAt.toISOString() : null,
      createdAt: row.createdAt.toISOString(),
    })),
    page,
    pageSize: query.pageSize,
    pageCount,
    total,
    totalIsCapped,
  };
}
