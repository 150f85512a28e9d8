/**
 * The expiry notices: `api_key.expiring` once when a key comes within KEYWARD_EXPIRY_WARNING_DAYS
 * (7) days of its expiry and once more within its last day, and `api_key.expired` once when the
 * expiry passes — each exactly once, however many processes sweep at once.
 *
 * api_keys.expiry_notice says how far a key's notices have gone (EXPIRY_NOTICE). A sweep claims a
 * step for the keys due it with one UPDATE of rows it locked FOR UPDATE SKIP LOCKED (concurrent
 * sweeps share the keys and never wait on each other), and records each notice with
 * recordChange, as the system, in the same transaction: the claim, the audit event and the
 * outbox row commit together or not at all. A key gets only the latest step it has reached (one
 * first seen on its last day is not also told "in 7 days"); one that expired more than a day
 * before any sweep saw it — before this feature existed — is marked done without a notice.
 * Changing a key's expiry (lib/keys/manage.ts) starts its notices over. lib/usage/maintenance.ts
 * runs the sweep every minute.
 */
import { and, asc, eq, gt, gte, inArray, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { SYSTEM_ACTOR_LABEL, systemActorIn } from '@/lib/audit/record';
import { recordChange } from '@/lib/changes/record';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { DAY_MS, expiresInDays, expiryWarningDays } from './expiry-warning';
import { graceEndsAtColumn, keyJsonColumns, toApiKeyJson } from './json';

/** The values of api_keys.expiry_notice. */
export const EXPIRY_NOTICE = { none: 0, warned: 1, lastDay: 2, expired: 3 } as const;

/** How the audit log and the webhooks name who sent a notice. */
export const EXPIRY_NOTICE_ACTOR = SYSTEM_ACTOR_LABEL;

/** Keys claimed per transaction: a large backlog is sent in several short ones. */
const BATCH = 200;

type Step = { notice: number; action: 'api_key.expiring' | 'api_key.expired' | null; due: SQL };

/** The steps as of `now`: each key due one is in exactly one of their windows. */
function steps(now: Date, warningDays: number): Step[] {
  const dayFromNow = (days: number) => new Date(now.getTime() + days * DAY_MS);
  const neverSeenLongExpired = and(lt(apiKeys.expiresAt, dayFromNow(-1)), eq(apiKeys.expiryNotice, EXPIRY_NOTICE.none))!;
  return [
    { notice: EXPIRY_NOTICE.expired, action: null, due: neverSeenLongExpired },
    {
      notice: EXPIRY_NOTICE.expired,
      action: 'api_key.expired',
      due: and(lte(apiKeys.expiresAt, now), or(gte(apiKeys.expiresAt, dayFromNow(-1)), gt(apiKeys.expiryNotice, EXPIRY_NOTICE.none)))!,
    },
    { notice: EXPIRY_NOTICE.lastDay, action: 'api_key.expiring', due: and(gt(apiKeys.expiresAt, now), lte(apiKeys.expiresAt, dayFromNow(1)))! },
    { notice: EXPIRY_NOTICE.warned, action: 'api_key.expiring', due: and(gt(apiKeys.expiresAt, dayFromNow(1)), lte(apiKeys.expiresAt, dayFromNow(warningDays)))! },
  ];
}

export type ExpiryNoticeOptions = { now?: Date; warningDays?: number; catalogue?: Catalogue; batchSize?: number };
export type SweepResult = { expiring: number; expired: number; silenced: number };

/** Claims up to `batch` keys due `step` and records their notices, in one transaction: how many it claimed. */
async function claimStep(db: Db, step: Step, now: Date, warningDays: number, catalogue: Catalogue, batch: number): Promise<number> {
  return db.transaction(async (tx) => {
    const due = tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(step.due, lt(apiKeys.expiryNotice, step.notice)))
      .orderBy(asc(apiKeys.expiresAt))
      .limit(batch)
      .for('update', { skipLocked: true });
    const claimed = await tx
      .update(apiKeys)
      .set({ expiryNotice: step.notice })
      .where(inArray(apiKeys.id, due))
      .returning({ projectId: apiKeys.projectId, ...keyJsonColumns, graceEndsAt: graceEndsAtColumn(now) });
    if (!step.action) return claimed.length;
    for (const row of claimed) {
      const expiresAt = row.expiresAt!;
      const daysLeft = step.notice === EXPIRY_NOTICE.expired ? 0 : (expiresInDays(expiresAt, now.getTime(), warningDays) ?? 0);
      await recordChange(tx, systemActorIn(row.projectId), {
        action: step.action,
        targetType: 'api_key',
        targetId: row.publicId,
        metadata: { name: row.name, daysLeft, expiresAt: expiresAt.toISOString() },
        key: toApiKeyJson(catalogue, row, row.graceEndsAt ?? null),
      });
    }
    return claimed.length;
  });
}

/** One pass over every project's keys. Safe beside any number of other passes, on any node. */
export async function sweepExpiryNotices(db: Db, options: ExpiryNoticeOptions = {}): Promise<SweepResult> {
  const { now = new Date(), warningDays = expiryWarningDays(), catalogue = activeCatalogue(), batchSize = BATCH } = options;
  const result: SweepResult = { expiring: 0, expired: 0, silenced: 0 };
  for (const step of steps(now, warningDays)) {
    let claimed: number;
    do {
      claimed = await claimStep(db, step, now, warningDays, catalogue, batchSize);
      if (step.action === null) result.silenced += claimed;
      else if (step.action === 'api_key.expired') result.expired += claimed;
      else result.expiring += claimed;
    } while (claimed === batchSize);
  }
  return result;
}
