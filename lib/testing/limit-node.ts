/**
 * One Keyward node's verification and share of the keys' limits, in this process: its own cache,
 * counts, rate windows, usage spending and limit notices, on the database the test gives and a
 * clock it moves. Two of them on one database are two nodes (lib/limits tests).
 */
import type { Db } from '@/db/client';
import { UsageCaps } from '@/lib/limits/caps';
import { LimitExchange } from '@/lib/limits/exchange';
import { LimitNotices } from '@/lib/limits/notices';
import { RateLimits } from '@/lib/limits/rate';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { digaCatalogue } from '@/lib/permissions/presets';
import { VerifyCache } from '@/lib/verify/cache';
import { VerificationCounts } from '@/lib/verify/counts';
import { FailureLimiter } from '@/lib/verify/failure-limiter';
import { UsageRecorder } from '@/lib/verify/usage';
import { Verifier } from '@/lib/verify/verifier';

export type LimitNode = ReturnType<typeof limitNode>;

export function limitNode(db: () => Db, clock: () => number, catalogue: Catalogue = digaCatalogue) {
  const limits = { rates: new RateLimits(), caps: new UsageCaps() };
  const counts = new VerificationCounts(async () => {}, 60_000);
  const verifier = new Verifier({
    getDb: db,
    catalogue: () => catalogue,
    cache: new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 }),
    usage: new UsageRecorder(db),
    counts,
    limiter: new FailureLimiter(1_000_000),
    now: () => new Date(clock()),
    limits,
  });
  const exchange = new LimitExchange(db, limits.rates, limits.caps, 500, clock, new LimitNotices(() => catalogue));
  /** The verify answer's code and how it explains a refusal (missing, retryAfterSeconds), the client being `from`. */
  const verify = async (secret: string, from = '192.0.2.10', require?: Record<string, string>) => {
    const { result } = await verifier.verify(secret, require, '127.0.0.1', from);
    return { code: result.code, retryAfterSeconds: result.retryAfterSeconds, missing: result.missing };
  };
  return { verify, exchange, counts };
}
