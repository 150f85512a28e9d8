/**
 * The verification service behind POST /api/v1/keys/verify: failure limit per address →
 * requirement check → cache → checksum → one indexed lookup → judgement → last-used note.
 * Shared by the node:http fast path (server.ts) and the Next route handler.
 *
 * What needs no database — a limited address, a malformed key, a cache hit — is answered
 * synchronously: no promise is made between the request's body and its answer (in a process
 * that also runs Next, whose AsyncLocalStorage makes every promise pay for async-hooks
 * tracking, that is a fifth of a cache hit's cost). Only a cache miss returns a promise, and
 * concurrent misses share one query (lib/verify/lookup-batch.ts).
 */
import { getDb, type Db } from '@/db/client';
import { booleanFromEnv, positiveIntFromEnv } from '@/lib/config/env';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { hashKey } from '@/lib/keys/crypto';
import { metricsRecorder, type MetricsRecorder } from '@/lib/metrics/recorder';
import { FailureLimiter } from './failure-limiter';
import { isWellFormedKey, keyLength } from '@/lib/keys/format';
import { USAGE_WRITE_INTERVAL_MS, UsageRecorder } from './usage';
import { VerificationCounts, type CountsWritten } from './counts';
import { LookupBatch } from './lookup-batch';
import { checkRequirement, judge, NO_REQUIREMENT, refusal, type Requirement, type VerifiedKey, type VerifyResult } from './verify';
import { nextRefill, UsageCaps } from '@/lib/limits/caps';
import { LimitExchange, limitsExchangeMs } from '@/lib/limits/exchange';
import { hasLimits, limitsOf } from '@/lib/limits/key-limits';
import { RateLimits } from '@/lib/limits/rate';
import type { CountedCode } from '@/lib/usage/codes';
import { verifyCache, type VerifyCache } from './cache';

/** `keyLimit`: a RATE_LIMITED answer is the key's own rate limit, not the failures of the caller's address. */
export type VerifyOutcome = { result: VerifyResult; retryAfterSeconds?: number; keyLimit?: true };

export type VerifierDeps = {
  getDb: () => Db;
  catalogue: () => Catalogue;
  /** null disables caching (benchmarks measure the uncached path). */
  cache: VerifyCache | null;
  usage: UsageRecorder;
  /** Every answer about a key, counted per minute and code (lib/verify/counts.ts); null counts nothing. */
  counts?: VerificationCounts | null;
  limiter: FailureLimiter;
  /** Cache hits and misses, counted when metrics are on (KEYWARD_METRICS_PORT); null counts nothing. */
  metrics?: MetricsRecorder | null;
  now?: () => Date;
  /** Each node's share of the keys' rate limits and usage caps (lib/limits); null enforces none (tests of other things). */
  limits?: { rates: RateLimits; caps: UsageCaps } | null;
  /** A cache miss's database lookup: by default the coalesced one (lib/verify/lookup-batch.ts). */
  lookup?: (hash: string) => Promise<VerifiedKey | null>;
};

export class Verifier {
  private readonly lookup: (hash: string) => Promise<VerifiedKey | null>;
  /**
   * A key's answer to a verification without requirement, judged once per looked-up record
   * (a cache entry) and frozen; it is given only while the key is unexpired at the moment asked.
   * `notedAt`: when it last went to the usage recorder, which needs to hear at most once a
   * minute (USAGE_WRITE_INTERVAL_MS) per key.
   */
  private readonly plainAnswers = new WeakMap<VerifiedKey, { result: VerifyResult; notedAt: number }>();

  constructor(private readonly deps: VerifierDeps) {
    if (deps.lookup) this.lookup = deps.lookup;
    else {
      const batch = new LookupBatch(deps.getDb);
      this.lookup = (hash) => batch.find(hash);
    }
  }

  /**
   * The outcome, synchronously when no database is needed, else a promise of it. Throws (or
   * rejects with) DomainError('invalid_input') for a requirement the catalogue does not know.
   * `address`: the caller's, which failures count against; `usedFrom`: the address recorded as
   * the key's last use (a verify call may report the client it serves), by default `address`.
   */
  verify(key: unknown, require: unknown, address: string, usedFrom: string = address): VerifyOutcome | Promise<VerifyOutcome> {
    const { cache, limiter } = this.deps;
    const retryAfterSeconds = limiter.retryAfterSeconds(address);
    if (retryAfterSeconds > 0) return { result: { ...refusal('RATE_LIMITED'), retryAfterSeconds }, retryAfterSeconds };
    const catalogue = this.deps.catalogue();
    const requirement = checkRequirement(catalogue, require);
    // A string of a key's length is looked up in the cache first: the cache holds only hashes of
    // keys that passed the checksum (and SHA-256 does not collide), so a hit needs no checksum.
    // Anything else is never hashed; a miss is checked before the database is asked.
    const hash = cache && typeof key === 'string' && key.length === keyLength() ? hashKey(key) : undefined;
    const cached = hash === undefined ? undefined : cache!.get(hash);
    const { metrics } = this.deps;
    if (cached !== undefined) {
      if (metrics) metrics.cacheHits++;
      return this.conclude(catalogue, cached, requirement, address, usedFrom);
    }
    if (!isWellFormedKey(key)) {
      limiter.recordFailure(address);
      return { result: refusal('NOT_FOUND') };
    }
    // A miss is a key that passed its checksum and goes to the database (with no cache, every one).
    if (metrics) metrics.cacheMisses++;
    const lookedUp = hash ?? hashKey(key);
    // Taken before the database is asked: a drop of this key from now on keeps the answer out.
    const startedAt = cache?.generation ?? 0;
    return this.lookup(lookedUp).then((found) => {
      cache?.set(lookedUp, found, startedAt);
      return this.conclude(catalogue, found, requirement, address, usedFrom);
    });
  }

  /** Writes the pending last-used notes and counts now. */
  async flushUsage(): Promise<void> {
    await Promise.all([this.deps.usage.flush(), this.deps.counts?.flush()]);
  }

  /** What the counts wrote since start; null when counting is off. */
  countsWritten(): CountsWritten | null {
    return this.deps.counts ? { ...this.deps.counts.written } : null;
  }

  /** Answers counted and not written yet (after a flush: those the database refused). */
  countsPending(): number {
    return this.deps.counts?.pending() ?? 0;
  }

  private conclude(catalogue: Catalogue, found: VerifiedKey | null, requirement: Requirement, address: string, usedFrom: string): VerifyOutcome {
    // Milliseconds: no Date per verification (in a process running Next, Date goes through its clock tracking).
    const now = this.deps.now ? this.deps.now().getTime() : Date.now();
    const limited = found !== null && hasLimits(found);
    // A key's answer without a requirement is the same every time until the record changes: kept
    // frozen (the endpoint keeps its JSON), and only a key's limits can turn it into a refusal.
    const plain = found && requirement === NO_REQUIREMENT && isUnexpired(found, now) ? this.plainAnswers.get(found) : undefined;
    if (plain) {
      const outcome = limited ? this.limit(found!, plain.result, usedFrom, now) : { result: plain.result };
      const code = outcome.result.code as CountedCode; // a known key's answer is never NOT_FOUND
      this.deps.counts?.add(found!.apiKeyId, found!.projectId, code, now);
      if (code !== 'ADDRESS_NOT_ALLOWED' && now - plain.notedAt >= USAGE_WRITE_INTERVAL_MS) this.deps.usage.record(found!.apiKeyId, (plain.notedAt = now), usedFrom);
      return outcome;
    }
    const judged = judge(catalogue, found ?? undefined, requirement, new Date(now));
    const outcome = limited && judged.code !== 'EXPIRED' ? this.limit(found!, judged, usedFrom, now) : { result: judged };
    const { code } = outcome.result;
    if (found && code !== 'NOT_FOUND') this.deps.counts?.add(found.apiKeyId, found.projectId, code, now);
    if (code === 'NOT_FOUND' || code === 'EXPIRED') this.deps.limiter.recordFailure(address);
    else if (found && code !== 'ADDRESS_NOT_ALLOWED') this.deps.usage.record(found.apiKeyId, now, usedFrom);
    if (found && requirement === NO_REQUIREMENT && judged.valid && this.deps.cache) this.plainAnswers.set(found, { result: Object.freeze(judged), notedAt: now });
    return outcome;
  }

  /**
   * A found, unexpired key's limits, in order: the client's address (`usedFrom`: the address the
   * verify call reported, else the caller's own), then the rate limit (every request judged counts,
   * refused for permissions or not), then — only for an answer that would be VALID — the usage cap.
   */
  private limit(found: VerifiedKey, judged: VerifyResult, usedFrom: string, now: number): VerifyOutcome {
    const { allowed, rate, cap } = limitsOf(found);
    if (allowed && !allowed(usedFrom)) return { result: refusal('ADDRESS_NOT_ALLOWED') };
    const shared = this.deps.limits;
    if (!shared) return { result: judged };
    if (rate) {
      const retryAfterSeconds = shared.rates.take(found.apiKeyId, rate, now);
      if (retryAfterSeconds > 0) return { result: { ...refusal('RATE_LIMITED'), retryAfterSeconds }, retryAfterSeconds, keyLimit: true };
    }
    if (cap && judged.valid && !shared.caps.spend(found.apiKeyId, cap, now)) {
      const refill = nextRefill(cap, now);
      return { result: { ...refusal('USAGE_EXCEEDED'), retryAfterSeconds: refill && Math.ceil((refill.getTime() - now) / 1000) } };
    }
    return { result: judged };
  }
}

const isUnexpired = (found: VerifiedKey, now: number) =>
  (!found.secretExpiresAt || found.secretExpiresAt.getTime() > now) && (!found.keyExpiresAt || found.keyExpiresAt.getTime() > now);

/** KEYWARD_USAGE_COUNTING=false turns counting off (the verify bench measures both). */
const usageCountingEnabled = () => booleanFromEnv('KEYWARD_USAGE_COUNTING', true);

const globalForVerifier = globalThis as unknown as { keywardVerifier?: Verifier; keywardLimitExchange?: LimitExchange };

/**
 * Writes the process's pending last-used notes and counts now (an orderly shutdown), then tells
 * what the counts wrote since start and how many answers stay unwritten; null when counting is off.
 */
export async function flushVerifierUsage(): Promise<{ written: CountsWritten; unwritten: number } | null> {
  const current = globalForVerifier.keywardVerifier;
  // The last limit counts go out with the usage (their failure is counted as a database error).
  await globalForVerifier.keywardLimitExchange?.stop();
  if (!current) return usageCountingEnabled() ? { written: { statements: 0, rows: 0, answers: 0 }, unwritten: 0 } : null;
  await current.flushUsage();
  const written = current.countsWritten();
  return written && { written, unwritten: current.countsPending() };
}

/**
 * Stops the process-wide verifier: its last limit counts, last-used notes and counts are written
 * to the database still installed, and the next verifier() starts afresh. For tests that install
 * a database of their own (lib/testing/databases.ts), so no timer of this one writes into the next.
 */
export async function resetVerifier(): Promise<void> {
  await flushVerifierUsage();
  globalForVerifier.keywardVerifier = undefined;
  globalForVerifier.keywardLimitExchange = undefined;
}

export function verifier(): Verifier {
  if (globalForVerifier.keywardVerifier) return globalForVerifier.keywardVerifier;
  const limits = { rates: new RateLimits(), caps: new UsageCaps() };
  globalForVerifier.keywardLimitExchange = new LimitExchange(getDb, limits.rates, limits.caps, limitsExchangeMs());
  globalForVerifier.keywardLimitExchange.start();
  globalForVerifier.keywardVerifier = new Verifier({
    getDb,
    catalogue: activeCatalogue,
    cache: verifyCache(),
    usage: new UsageRecorder(getDb),
    counts: usageCountingEnabled() ? VerificationCounts.forDatabase(getDb, positiveIntFromEnv('KEYWARD_USAGE_FLUSH_MS', 10_000)) : null,
    limiter: new FailureLimiter(positiveIntFromEnv('KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE', 100)),
    metrics: metricsRecorder() ?? null,
    limits,
  });
  return globalForVerifier.keywardVerifier;
}
