/** A key as the console and the REST API show it. Never carries a hash, ciphertext or secret. */
import { sql } from 'drizzle-orm';
import { apiKeys, apiKeySecrets } from '@/db/schema';
import { limitsJson, type KeyLimitsJson } from '@/lib/limits/schemas';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { normalizeGrants, type Permissions } from '@/lib/permissions/grants';

export type ApiKeyJson = {
  id: string;
  name: string;
  start: string;
  last4: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  restricted: boolean;
  /** null for full access; otherwise every catalogue resource with its level. */
  permissions: Permissions;
  webhook: boolean;
  /** While a rotation's grace period runs: when the previous secret stops working. */
  previousSecretExpiresAt: string | null;
} & KeyLimitsJson;

export type ApiKeyRow = Pick<
  typeof apiKeys.$inferSelect,
  | 'publicId'
  | 'name'
  | 'start'
  | 'last4'
  | 'createdAt'
  | 'lastUsedAt'
  | 'expiresAt'
  | 'permissions'
  | 'isWebhookKey'
  | 'allowedAddresses'
  | 'rateLimit'
  | 'rateLimitWindowSeconds'
  | 'usageRemaining'
  | 'usageCap'
  | 'usageRefillAmount'
  | 'usageRefillInterval'
  | 'usageRefilledAt'
>;

/** The columns toApiKeyJson needs, for `select` and `returning`. */
export const keyJsonColumns = {
  publicId: apiKeys.publicId,
  name: apiKeys.name,
  start: apiKeys.start,
  last4: apiKeys.last4,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
  permissions: apiKeys.permissions,
  isWebhookKey: apiKeys.isWebhookKey,
  allowedAddresses: apiKeys.allowedAddresses,
  rateLimit: apiKeys.rateLimit,
  rateLimitWindowSeconds: apiKeys.rateLimitWindowSeconds,
  usageRemaining: apiKeys.usageRemaining,
  usageCap: apiKeys.usageCap,
  usageRefillAmount: apiKeys.usageRefillAmount,
  usageRefillInterval: apiKeys.usageRefillInterval,
  usageRefilledAt: apiKeys.usageRefilledAt,
};

/** A secret of the key still inside a rotation's grace period at `now`: when it stops working, for `previousSecretExpiresAt`. */
export function graceEndsAtColumn(now: Date) {
  return sql`(select max(${apiKeySecrets.expiresAt}) from ${apiKeySecrets} where ${apiKeySecrets.apiKeyId} = ${apiKeys.id} and ${apiKeySecrets.expiresAt} > ${now.toISOString()}::timestamptz)`.mapWith(
    apiKeySecrets.expiresAt,
  );
}

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function toApiKeyJson(catalogue: Catalogue, row: ApiKeyRow, previousSecretExpiresAt: Date | null = null, now = new Date()): ApiKeyJson {
  const permissions = row.permissions === null ? null : normalizeGrants(catalogue, row.permissions);
  return {
    id: row.publicId,
    name: row.name,
    start: row.start,
    last4: row.last4,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    restricted: permissions !== null,
    permissions,
    webhook: row.isWebhookKey,
    previousSecretExpiresAt: iso(previousSecretExpiresAt),
    ...limitsJson(row, now),
  };
}
