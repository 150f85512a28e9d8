/**
 * The verification service behind POST /api/v1/keys/verify: failure limit per address →
 * requirement check → checksum → cache → one indexed lookup → judgement → last-used note.
 * Shared by the node:http fast path (server.ts) and the Next route handler.
 */
import { getDb, type Db } from '@/db/client';
import { positiveIntFromEnv } from '@/lib/config/env';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { activeCatalogue } from '@/lib/permissions/load';
import { hashKey } from './crypto';
import { FailureLimiter } from './failure-limiter';
import { isWellFormedKey } from './format';
import { UsageRecorder } from './usage';
import { checkRequirement, judge, lookupKeyPrepared, refusal, type VerifyResult } from './verify';
import { verifyCache, type VerifyCache } from './verify-cache';

export type VerifyOutcome = { result: VerifyResult; retryAfterSeconds?: number };

export type VerifierDeps = {
  getDb: () => Db;
  catalogue: () => Catalogue;
  /** null disables caching (benchmarks measure the uncached path). */
  cache: VerifyCache | null;
  usage: UsageRecorder;
  limiter: FailureLimiter;
  now?: () => Date;
};

export class Verifier {
  constructor(private readonly deps: VerifierDeps) {}

  /** Throws DomainError('invalid_input') for a requirement the catalogue does not know. */
  async verify(key: unknown, require: unknown, address: string): Promise<VerifyOutcome> {
    const { cache, limiter } = this.deps;
    const retryAfterSeconds = limiter.retryAfterSeconds(address);
    if (retryAfterSeconds > 0) return { result: refusal('RATE_LIMITED'), retryAfterSeconds };
    const catalogue = this.deps.catalogue();
    const requirement = checkRequirement(catalogue, require);
    if (!isWellFormedKey(key)) {
      limiter.recordFailure(address);
      return { result: refusal('NOT_FOUND') };
    }
    const hash = hashKey(key);
    let found = cache?.get(hash);
    if (found === undefined) {
      found = (await lookupKeyPrepared(this.deps.getDb(), hash)) ?? null;
      cache?.set(hash, found);
    }
    const now = this.deps.now?.() ?? new Date();
    const result = judge(catalogue, found ?? undefined, requirement, now);
    if (result.code === 'NOT_FOUND' || result.code === 'EXPIRED') limiter.recordFailure(address);
    else if (found) this.deps.usage.record(found.apiKeyId, now);
    return { result };
  }
}

const globalForVerifier = globalThis as unknown as { keywardVerifier?: Verifier };

export function verifier(): Verifier {
  globalForVerifier.keywardVerifier ??= new Verifier({
    getDb,
    catalogue: activeCatalogue,
    cache: verifyCache(),
    usage: new UsageRecorder(getDb),
    limiter: new FailureLimiter(positiveIntFromEnv('KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE', 100)),
  });
  return globalForVerifier.keywardVerifier;
}
