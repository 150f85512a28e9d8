/**
 * Verification, the hot path: checksum → hash → one indexed lookup → expiry → permissions
 * (lib/verify/verifier.ts puts a cache in front, which answers before the checksum).
 * A malformed key is refused without touching the database. Every refusal has the same shape
 * and says nothing about which keys exist.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets } from '@/db/schema';
import { DomainError } from '@/lib/errors';
import { findResource, levelSchema, type Catalogue, type Level } from '@/lib/permissions/catalogue';
import { allows, normalizeGrants, type Permissions } from '@/lib/permissions/grants';
import { hashKey } from '@/lib/keys/crypto';
import { isWellFormedKey } from '@/lib/keys/format';

import type { VerifyCode } from './codes';

export type { VerifyCode } from './codes';

export type VerifyResult = {
  valid: boolean;
  code: VerifyCode;
  keyId: string | null;
  projectId: string | null;
  permissions: Permissions;
  expiresAt: string | null;
  /** INSUFFICIENT_PERMISSIONS: each resource required at a level the key does not hold. */
  missing?: Requirement;
  /** RATE_LIMITED: seconds until a retry can pass; USAGE_EXCEEDED: until the next refill, or null without one. */
  retryAfterSeconds?: number | null;
};

export type Requirement = Record<string, Exclude<Level, 'none'>>;

/** The record verification needs, as the cache keeps it. */
export type VerifiedKey = {
  apiKeyId: string;
  publicId: string;
  projectId: string;
  name: string;
  permissions: Permissions;
  keyExpiresAt: Date | null;
  secretExpiresAt: Date | null;
  // Its limits as stored (lib/limits/key-limits.ts reads them once per record).
  allowedAddresses: string[] | null;
  rateLimit: number | null;
  rateLimitWindowSeconds: number | null;
  usageRemaining: number | null;
  usageRefillAmount: number | null;
  usageRefillInterval: 'day' | 'month' | null;
  usageRefilledAt: Date | null;
};

type RefusalCode = Exclude<VerifyCode, 'VALID' | 'INSUFFICIENT_PERMISSIONS'>;

const REFUSALS = Object.fromEntries(
  (['NOT_FOUND', 'EXPIRED', 'RATE_LIMITED', 'ADDRESS_NOT_ALLOWED', 'USAGE_EXCEEDED'] as const).map((code) => [
    code,
    Object.freeze({ valid: false, code, keyId: null, projectId: null, permissions: null, expiresAt: null }),
  ]),
) as Record<RefusalCode, VerifyResult>;

/** The one answer for every invalid key of this kind (frozen: shared by every caller). */
export const refusal = (code: RefusalCode): VerifyResult => REFUSALS[code];

/** The requirement of a verification that names none. */
export const NO_REQUIREMENT: Requirement = Object.freeze({});

/** Refuses a requirement naming a resource or level the catalogue does not have (a 400, not a refusal). */
export function checkRequirement(catalogue: Catalogue, require: unknown): Requirement {
  if (require === undefined || require === null) return NO_REQUIREMENT;
  if (typeof require !== 'object' || Array.isArray(require)) {
    throw new DomainError('invalid_input', 'require must be an object of resource → "read" | "write".', { require: ['Expected an object.'] });
  }
  const fields: Record<string, string[]> = {};
  for (const [resource, level] of Object.entries(require)) {
    if (!findResource(catalogue, resource)) fields[`require.${resource}`] = [`Unknown resource "${resource}".`];
    else if (!levelSchema.exclude(['none']).safeParse(level).success) fields[`require.${resource}`] = ['Level must be "read" or "write".'];
  }
  if (Object.keys(fields).length) throw new DomainError('invalid_input', 'Invalid requirement.', fields);
  return Object.keys(require).length ? (require as Requirement) : NO_REQUIREMENT;
}

/** What verification reads of a key, by its secret's hash (the unique index behind every lookup). */
export const verifiedKeyColumns = {
  apiKeyId: apiKeys.id,
  publicId: apiKeys.publicId,
  projectId: apiKeys.projectId,
  name: apiKeys.name,
  permissions: apiKeys.permissions,
  keyExpiresAt: apiKeys.expiresAt,
  secretExpiresAt: apiKeySecrets.expiresAt,
  allowedAddresses: apiKeys.allowedAddresses,
  rateLimit: apiKeys.rateLimit,
  rateLimitWindowSeconds: apiKeys.rateLimitWindowSeconds,
  usageRemaining: apiKeys.usageRemaining,
  usageRefillAmount: apiKeys.usageRefillAmount,
  usageRefillInterval: apiKeys.usageRefillInterval,
  usageRefilledAt: apiKeys.usageRefilledAt,
};

/** The key holding the secret with this hash (inside a transaction too). */
export async function lookupKey(db: Db, hash: string): Promise<VerifiedKey | undefined> {
  const [row] = await db
    .select(verifiedKeyColumns)
    .from(apiKeySecrets)
    .innerJoin(apiKeys, eq(apiKeys.id, apiKeySecrets.apiKeyId))
    .where(eq(apiKeySecrets.hash, hash))
    .limit(1);
  return row;
}

/** Judges a looked-up key at time `now` against a checked requirement. */
export function judge(catalogue: Catalogue, found: VerifiedKey | undefined, require: Requirement, now: Date): VerifyResult {
  if (!found) return refusal('NOT_FOUND');
  if (found.secretExpiresAt && found.secretExpiresAt <= now) return refusal('EXPIRED');
  if (found.keyExpiresAt && found.keyExpiresAt <= now) return refusal('EXPIRED');
  const permissions = found.permissions === null ? null : normalizeGrants(catalogue, found.permissions);
  const missing = Object.entries(require).filter(([resource, level]) => !allows(catalogue, permissions, resource, level));
  return {
    valid: missing.length === 0,
    code: missing.length === 0 ? 'VALID' : 'INSUFFICIENT_PERMISSIONS',
    keyId: found.publicId,
    projectId: found.projectId,
    permissions,
    expiresAt: found.keyExpiresAt?.toISOString() ?? null,
    ...(missing.length ? { missing: Object.fromEntries(missing) } : {}),
  };
}

export type VerifyOptions = { require?: unknown; now?: Date };

export async function verifyKey(db: Db, catalogue: Catalogue, key: unknown, options: VerifyOptions = {}): Promise<VerifyResult> {
  const require = checkRequirement(catalogue, options.require);
  if (!isWellFormedKey(key)) return refusal('NOT_FOUND');
  return judge(catalogue, await lookupKey(db, hashKey(key)), require, options.now ?? new Date());
}
