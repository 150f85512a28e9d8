/**
 * Keys about to expire: those whose expiry is still to come, within the next N days. The API Keys
 * page's banner counts them, its `?expiring=7d` filter lists them (lib/keys/list.ts), and so does
 * `GET /api/v1/keys?expiring=7d`. Both read a range of api_keys_expiring_idx (the keys that
 * expire at all), never a walk of the project's keys.
 */
import { and, count, eq, gt, lte, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { activeCatalogue } from '@/lib/permissions/load';
import { READ_KEYS, type KeyOptions } from './access';
import { DAY_MS } from './expiry-warning';

/** Expires after `now` and at most `days` days after it. */
export function expiringWithin(days: number, now: Date): SQL {
  return and(gt(apiKeys.expiresAt, now), lte(apiKeys.expiresAt, new Date(now.getTime() + days * DAY_MS)))!;
}

/** The count of a project's keys that expire within `days` days (the tests read its plan). */
export function expiringCountQuery(db: Db, projectId: string, days: number, now: Date) {
  return db
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), expiringWithin(days, now)));
}

/** How many of the actor's project's keys expire within `days` days: the banner's N. */
export async function countExpiringKeys(db: Db, actor: Actor, days: number, options: KeyOptions = {}): Promise<number> {
  const { catalogue = activeCatalogue(), now = new Date() } = options;
  const manager = await authorize(db, actor, READ_KEYS, catalogue);
  const [row] = await expiringCountQuery(db, manager.projectId, days, now);
  return Number(row?.n ?? 0);
}
