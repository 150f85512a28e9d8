/**
 * How long deliveries are kept: a delivery that is settled (delivered, failed or canceled) is
 * deleted once it is older than KEYWARD_WEBHOOK_RETENTION_DAYS (lib/webhooks/config.ts), so the outbox does
 * not grow for ever. Pending deliveries and those waiting for a webhook key are never pruned.
 * Dispatchers prune about once an hour, a project at a time through the console's
 * (project, created) index, in batches, so no statement scans the whole table or holds locks for long.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { projects, webhookDeliveries } from '@/db/schema';

export const PRUNE_EVERY_MS = 3_600_000;
const BATCH = 1000;

/** Deletes the settled deliveries created before `before`; returns how many. */
export async function pruneDeliveries(db: Db, before: Date): Promise<number> {
  let pruned = 0;
  for (const { id: projectId } of await db.select({ id: projects.id }).from(projects)) {
    for (;;) {
      const old = db
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.projectId, projectId),
            lt(webhookDeliveries.createdAt, before),
            inArray(webhookDeliveries.status, ['delivered', 'failed', 'canceled']),
          ),
        )
        .limit(BATCH);
      const deleted = await db
        .delete(webhookDeliveries)
        .where(inArray(webhookDeliveries.id, sql`(${old})`))
        .returning({ id: webhookDeliveries.id });
      pruned += deleted.length;
      if (deleted.length < BATCH) break;
    }
  }
  return pruned;
}
