/**
 * Creating a key: authorize, validate against the catalogue, and write the key, its secret's
 * hash and ciphertext, the project's key count and the audit event in one transaction. The
 * plaintext is returned here, once, and stored nowhere.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets, projectKeyCounts } from '@/db/schema';
import { recordChange } from '@/lib/changes/record';
import { parseInput } from '@/lib/errors';
import { authorize, type Actor } from '@/lib/auth/authorize';
import { assertLimitsWithin, limitColumns, NO_LIMIT_COLUMNS } from '@/lib/limits/schemas';
import { activeCatalogue } from '@/lib/permissions/load';
import { assertWithinCeiling, WRITE_KEYS, type KeyOptions } from './access';
import { encryptSecret, hashKey } from './crypto';
import { displayParts, generateKey, generatePublicId } from './format';
import { keyJsonColumns, toApiKeyJson, type ApiKeyJson } from './json';
import { createKeyInput, type CreateKeyInput } from './schemas';

export type CreatedKey = { key: ApiKeyJson; secret: string };

export async function createKey(db: Db, actor: Actor, input: CreateKeyInput, options: KeyOptions = {}): Promise<CreatedKey> {
  const { catalogue = activeCatalogue(), now = new Date() } = options;
  return db.transaction(async (tx) => {
    const manager = await authorize(tx, actor, WRITE_KEYS, catalogue);
    const parsed = parseInput(createKeyInput(catalogue, () => now), input);
    const { name, expiresAt } = parsed;
    const permissions = parsed.permissions ?? null;
    assertWithinCeiling(catalogue, manager, { permissions, expiresAt });
    const limits = { ...NO_LIMIT_COLUMNS, ...limitColumns(parsed, now) };
    assertLimitsWithin(limits, manager.limitsCeiling, now);

    const secret = generateKey();
    const publicId = generatePublicId();
    const [row] = await tx
      .insert(apiKeys)
      .values({
        publicId,
        projectId: manager.projectId,
        name,
        ...displayParts(secret),
        permissions,
        expiresAt,
        createdBy: manager.actorType === 'user' ? manager.actorId : null,
        createdAt: now,
        ...limits,
      })
      .returning({ id: apiKeys.id, ...keyJsonColumns });
    await tx.insert(apiKeySecrets).values({ apiKeyId: row!.id, hash: hashKey(secret), ciphertext: encryptSecret(secret, publicId) });
    await tx
      .insert(projectKeyCounts)
      .values({ projectId: manager.projectId, keyCount: 1 })
      .onConflictDoUpdate({ target: projectKeyCounts.projectId, set: { keyCount: sql`${projectKeyCounts.keyCount} + 1` } });
    const key = toApiKeyJson(catalogue, row!, null, now);
    const { allowedAddresses, rateLimit, usage } = key;
    await recordChange(tx, manager, {
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: publicId,
      metadata: {
        name,
        restricted: permissions !== null,
        permissions,
        expiresAt: expiresAt?.toISOString() ?? null,
        ...(allowedAddresses ? { allowedAddresses } : {}),
        ...(rateLimit ? { rateLimit } : {}),
        ...(usage ? { usage } : {}),
      },
      key,
    });
    return { key, secret };
  });
}

