/**
 * Rotation: a new secret for the same key (id, name, permissions unchanged). The old secret
 * keeps verifying until the grace period ends, or stops at once with no grace period. A second
 * rotation of the same key while one is running is refused (409) rather than queued.
 */
import { and, eq, isNull, lte } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets } from '@/db/schema';
import { recordChange } from '@/lib/changes/record';
import { DomainError, hasErrorCode, parseInput } from '@/lib/errors';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { activeCatalogue } from '@/lib/permissions/load';
import { assertWithinCeiling, WRITE_KEYS, type KeyOptions } from './access';
import type { CreatedKey } from './create';
import { encryptSecret, hashKey } from './crypto';
import { announceKeyChange, keyChanged } from './events';
import { findKeyForUpdate } from './find';
import { displayParts, generateKey } from './format';
import { keyJsonColumns, toApiKeyJson } from './json';
import { rotateKeyInput, type RotateKeyInput } from './schemas';

export async function rotateKey(db: Db, actor: Actor, publicId: string, input: RotateKeyInput, options: KeyOptions = {}): Promise<CreatedKey> {
  const { catalogue = activeCatalogue(), now = new Date() } = options;
  let result: CreatedKey & { projectId: string };
  try {
    result = await db.transaction(async (tx) => {
      const manager = await authorize(tx, actor, WRITE_KEYS, catalogue);
      const { gracePeriodSeconds } = parseInput(rotateKeyInput, input);
      const key = await findKeyForUpdate(tx, manager.projectId, publicId, 'nowait');
      // The new secret is the key's whole power: only an actor holding at least as much gets it.
      assertWithinCeiling(catalogue, manager, key);
      const at = now;
      const graceEnds = new Date(at.getTime() + gracePeriodSeconds * 1000);

      // Secrets whose grace has already ended are of no further use.
      await tx
        .delete(apiKeySecrets)
        .where(and(eq(apiKeySecrets.apiKeyId, key.id), lte(apiKeySecrets.expiresAt, at)));
      if (gracePeriodSeconds === 0) {
        await tx.delete(apiKeySecrets).where(eq(apiKeySecrets.apiKeyId, key.id));
      } else {
        await tx
          .update(apiKeySecrets)
          .set({ expiresAt: graceEnds })
          .where(and(eq(apiKeySecrets.apiKeyId, key.id), isNull(apiKeySecrets.expiresAt)));
      }

      const secret = generateKey();
      await tx.insert(apiKeySecrets).values({ apiKeyId: key.id, hash: hashKey(secret), ciphertext: encryptSecret(secret, key.publicId), createdAt: at });
      const [updated] = await tx.update(apiKeys).set(displayParts(secret)).where(eq(apiKeys.id, key.id)).returning(keyJsonColumns);
      await announceKeyChange(tx, key.publicId);
      const rotated = toApiKeyJson(catalogue, updated!, gracePeriodSeconds > 0 ? graceEnds : null, at);
      await recordChange(tx, manager, {
        action: 'api_key.rotated',
        targetType: 'api_key',
        targetId: key.publicId,
        metadata: { name: key.name, gracePeriodSeconds: gracePeriodSeconds, previousSecretExpiresAt: graceEnds.toISOString() },
        key: rotated,
      });
      return { projectId: manager.projectId, key: rotated, secret };
    });
  } catch (error) {
    // lock_not_available: another request holds the key (`nowait` above).
    if (hasErrorCode(error, '55P03')) throw new DomainError('conflict', 'This key is being changed by another request. Try again.');
    throw error;
  }
  keyChanged({ projectId: result.projectId, publicId: result.key.id, kind: 'rotated' });
  return { key: result.key, secret: result.secret };
}
