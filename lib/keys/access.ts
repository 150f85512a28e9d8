/**
 * The rules about keys that authorization alone does not cover: what a key operation needs of
 * its actor, and that a key never grants more, or lives longer, than the key making the change.
 * Who the actor is, and whether it may act at all, is lib/auth/authorize.ts's question.
 */
import type { Authorized, Need } from '@/lib/auth/authorize';
import { DomainError } from '@/lib/errors';
import type { Catalogue } from '@/lib/permissions/catalogue';
import { isWithin, type Permissions } from '@/lib/permissions/grants';

export const KEYS_ADMIN_ONLY = 'Only administrators can manage API keys.';
export const API_KEYS_RESOURCE = 'api_keys';
/** What a restricted key is told in a catalogue without the API Keys resource. */
export const FULL_ACCESS_ONLY = 'Only a full-access key can manage keys in this deployment.';
export const ESCALATION_MESSAGE = 'A key cannot grant more than the key that creates or changes it holds.';
export const OUTLIVES_MESSAGE = 'A key cannot create, change or rotate a key that works longer than itself. Give it an expiry no later than this key’s.';

/** Reading keys: an administrator, or a key holding API Keys at Read. */
export const READ_KEYS: Need = { resource: API_KEYS_RESOURCE, level: 'read', denied: KEYS_ADMIN_ONLY, fullAccessOnly: FULL_ACCESS_ONLY };
/** Changing keys: an administrator, or a key holding API Keys at Write. */
export const WRITE_KEYS: Need = { resource: API_KEYS_RESOURCE, level: 'write', denied: KEYS_ADMIN_ONLY, fullAccessOnly: FULL_ACCESS_ONLY };

/** What every key operation may be told besides its input: the catalogue (else the active one) and the time. */
export type KeyOptions = { catalogue?: Catalogue; now?: Date };

/**
 * Refuses (403) a key that would hold more than the actor: more permission, or a longer life.
 * Create, edit and rotate check the key as it will be after the change.
 */
export function assertWithinCeiling(catalogue: Catalogue, actor: Authorized, key: { permissions: Permissions; expiresAt: Date | null }): void {
  if (!isWithin(catalogue, key.permissions, actor.ceiling)) throw new DomainError('forbidden', ESCALATION_MESSAGE);
  const limit = actor.lifetimeCeiling;
  if (limit && (key.expiresAt === null || key.expiresAt.getTime() > limit.getTime())) throw new DomainError('forbidden', OUTLIVES_MESSAGE);
}
