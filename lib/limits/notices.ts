/**
 * The limits' webhooks, each sent exactly once across nodes:
 * - `api_key.usage_low` when a capped key's uses fall below a tenth of its cap (api_keys.usage_cap):
 *   once per refill period, or once per cap for a key without refill (setting its uses starts over);
 * - `api_key.rate_limited` when a key reaches its rate limit: the first refusal of a window, and at
 *   most one per key per 5 minutes.
 *
 * Nothing here runs on the verify path. After each exchange (lib/limits/exchange.ts) a node hands
 * over the keys the exchange found low and each key's first refusal it saw since the last one; a
 * notice is then claimed with a conditional UPDATE of the key's row — rows locked FOR UPDATE SKIP
 * LOCKED first, so claimers on several nodes never wait on each other, and whichever claims first
 * makes the condition false for the rest — in one transaction with its outbox row (and, for
 * usage_low, its audit event), as the expiry notices are (lib/keys/expiry-notices.ts). A row
 * another transaction held is tried again at the next exchange.
 *
 * api_key.rate_limited is a webhook alone: a key over its limit all day would write 288 audit
 * events a day into a log that is never pruned, and its refusals are counted in its usage already.
 */
import { asc, inArray, sql } from 'drizzle-orm';
import { queryRows, type Db, type Tx } from '@/db/client';
import { apiKeys } from '@/db/schema';
import { systemActorIn } from '@/lib/audit/record';
import { recordChange } from '@/lib/changes/record';
import { graceEndsAtColumn, keyJsonColumns, toApiKeyJson } from '@/lib/keys/json';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { enqueueKeyChange } from '@/lib/webhooks/outbox';
import { nextRefill } from './caps';
import type { RateRefusal } from './rate';
import { textList, usageLowNoticed, usesLeft } from './sql';

/** At most one api_key.rate_limited per key in this long. */
export const RATE_LIMITED_NOTICE_GAP_MS = 5 * 60_000;
/** Past this, any refusal is both in a later window (at most 1 h) and 5 minutes on: what this node remembers is moot. */
const REMEMBER_MS = 3_600_000 + RATE_LIMITED_NOTICE_GAP_MS;
/** A refusal whose key row stayed out of reach (held elsewhere, or the key deleted) this long is let go. */
const WAIT_MS = 60_000;

export type NoticesSent = { usageLow: string[]; rateLimited: string[] };

/** Whether a refusal at `refusal` may be reported after one reported at `last` (ms): the SQL condition below, in memory. */
const mayReport = (last: number | undefined, refusal: RateRefusal) =>
  last === undefined || (last < refusal.windowStart && last <= refusal.at - RATE_LIMITED_NOTICE_GAP_MS);

export class LimitNotices {
  /** The refusal last reported for each key, as far as this node knows: spares the database a claim bound to fail. */
  private readonly reported = new Map<string, number>();
  /** Refusals whose key row another transaction held: tried again with the next ones. */
  private waiting: RateRefusal[] = [];

  constructor(private readonly catalogue: () => Catalogue = activeCatalogue) {}

  /**
   * Claims and records the notices due: `low`, keys an exchange found below a tenth of their cap
   * and not yet told; `refusals`, each key's first refusal on this node since the last call.
   * Throws when the database does; what it carried is tried again at the next call.
   */
  async send(db: Db, low: string[], refusals: RateRefusal[], now: number): Promise<NoticesSent> {
    for (const [apiKeyId, at] of this.reported) if (now - at > REMEMBER_MS) this.reported.delete(apiKeyId);
    const due = new Map<string, RateRefusal>();
    for (const refusal of [...this.waiting.filter((refusal) => now - refusal.at < WAIT_MS), ...refusals]) {
      if (!due.has(refusal.apiKeyId) && mayReport(this.reported.get(refusal.apiKeyId), refusal)) due.set(refusal.apiKeyId, refusal);
    }
    this.waiting = [];
    if (low.length === 0 && due.size === 0) return { usageLow: [], rateLimited: [] };
    try {
      const { sent, reported, locked } = await db.transaction((tx) => this.claim(tx, low, [...due.values()], new Date(now)));
      for (const [apiKeyId, at] of reported) this.reported.set(apiKeyId, at);
      this.waiting = [...due.values()].filter((refusal) => !locked.has(refusal.apiKeyId));
      return sent;
    } catch (error) {
      this.waiting = [...due.values()];
      throw error;
    }
  }

  private async claim(tx: Tx, low: string[], refusals: RateRefusal[], now: Date) {
    const ids = [...new Set([...low, ...refusals.map((refusal) => refusal.apiKeyId)])];
    const lockedRows = await tx.select({ id: apiKeys.id }).from(apiKeys).where(inArray(apiKeys.id, ids)).orderBy(asc(apiKeys.id)).for('update', { skipLocked: true });
    const locked = new Set(lockedRows.map((row) => row.id));
    const lowClaimed = await claimUsageLow(tx, low.filter((id) => locked.has(id)), now);
    const lockedRefusals = refusals.filter((refusal) => locked.has(refusal.apiKeyId));
    const { claimed: rateClaimed, reported } = await claimRateLimited(tx, lockedRefusals);
    const catalogue = this.catalogue();
    const claimed = [...new Set([...lowClaimed, ...rateClaimed])];
    const rows = claimed.length === 0 ? [] : await tx.select({ id: apiKeys.id, projectId: apiKeys.projectId, ...keyJsonColumns, graceEndsAt: graceEndsAtColumn(now) }).from(apiKeys).where(inArray(apiKeys.id, claimed));
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of lowClaimed) {
      const row = byId.get(id)!;
      const key = toApiKeyJson(catalogue, row, row.graceEndsAt ?? null, now);
      const refill = key.usage!.refill;
      const refillsAt = nextRefill({ remaining: key.usage!.remaining, refill, refilledAt: row.usageRefilledAt }, now.getTime());
      await recordChange(tx, systemActorIn(row.projectId), {
        action: 'api_key.usage_low',
        targetType: 'api_key',
        targetId: row.publicId,
        metadata: { name: row.name, remaining: key.usage!.remaining, cap: row.usageCap, refillsAt: refillsAt?.toISOString() ?? null },
        key,
      });
    }
    for (const refusal of lockedRefusals) {
      if (!rateClaimed.includes(refusal.apiKeyId)) continue;
      const row = byId.get(refusal.apiKeyId)!;
      const actor = systemActorIn(row.projectId);
      await enqueueKeyChange(tx, {
        projectId: row.projectId,
        event: 'api_key.rate_limited',
        actor: { type: actor.actorType, id: actor.actorId, label: actor.actorLabel },
        key: toApiKeyJson(catalogue, row, row.graceEndsAt ?? null, now),
        metadata: { limit: refusal.rate.limit, windowSeconds: refusal.rate.windowSeconds, retryAfterSeconds: refusal.retryAfterSeconds },
        at: new Date(refusal.at),
      });
    }
    return { sent: { usageLow: lowClaimed, rateLimited: rateClaimed }, reported, locked };
  }
}

/** Claims api_key.usage_low for those of `ids` still below a tenth of their cap and not yet told: the ids claimed. */
async function claimUsageLow(tx: Tx, ids: string[], now: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`update api_keys k set usage_low_noticed_at = ${now.toISOString()}::timestamptz
         where k.id = any(string_to_array(${textList(ids)}, ',')::uuid[])
           and k.usage_remaining is not null and ${usesLeft(now)} * 10 < k.usage_cap and not ${usageLowNoticed(now)}
        returning k.id`,
  );
  return rows.map((row) => row.id);
}

/**
 * Claims api_key.rate_limited for each refusal whose key still has a rate limit and whose last
 * reported refusal is from an earlier window and 5 minutes before it. Answers the ids claimed and,
 * for every key asked about, the refusal now last reported (ms), claimed here or elsewhere.
 */
async function claimRateLimited(tx: Tx, refusals: RateRefusal[]): Promise<{ claimed: string[]; reported: Map<string, number> }> {
  if (refusals.length === 0) return { claimed: [], reported: new Map() };
  const ids = textList(refusals.map((refusal) => refusal.apiKeyId));
  const claimed = await queryRows<{ id: string }>(
    tx,
    sql`update api_keys k set rate_limited_noticed_at = to_timestamp(r.at / 1000.0)
          from unnest(string_to_array(${ids}, ',')::uuid[],
                      string_to_array(${textList(refusals.map((refusal) => refusal.at))}, ',')::bigint[],
                      string_to_array(${textList(refusals.map((refusal) => refusal.windowStart))}, ',')::bigint[]) as r(id, at, window_start)
         where k.id = r.id and k.rate_limit is not null
           and (k.rate_limited_noticed_at is null
                or (k.rate_limited_noticed_at < to_timestamp(r.window_start / 1000.0)
                    and k.rate_limited_noticed_at <= to_timestamp(r.at / 1000.0) - make_interval(secs => ${RATE_LIMITED_NOTICE_GAP_MS / 1000})))
        returning k.id`,
  );
  const last = await queryRows<{ id: string; at: string | number | null }>(
    tx,
    sql`select k.id, (extract(epoch from k.rate_limited_noticed_at) * 1000)::bigint as at
          from api_keys k where k.id = any(string_to_array(${ids}, ',')::uuid[])`,
  );
  const reported = new Map<string, number>();
  for (const row of last) if (row.at !== null) reported.set(row.id, Number(row.at));
  return { claimed: claimed.map((row) => row.id), reported };
}
