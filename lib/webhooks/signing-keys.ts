/**
 * The project's webhook key, decrypted to sign deliveries: its current secret and any secret
 * still inside a rotation's grace period. The plaintext lives only in the caller's memory for one
 * send. An expired key still signs: a receiver checks signatures, not the key's API access.
 */
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { apiKeys, apiKeySecrets } from '@/db/schema';
import { decryptSecret } from '@/lib/keys/crypto';
import type { SigningKeys } from './signing';

export async function loadSigningKeys(db: Db | Tx, projectId: string, now: Date): Promise<SigningKeys | undefined> {
  const rows = await db
    .select({ publicId: apiKeys.publicId, ciphertext: apiKeySecrets.ciphertext, expiresAt: apiKeySecrets.expiresAt })
    .from(apiKeys)
    .innerJoin(apiKeySecrets, eq(apiKeySecrets.apiKeyId, apiKeys.id))
    .where(
      and(
        eq(apiKeys.projectId, projectId),
        eq(apiKeys.isWebhookKey, true),
        or(isNull(apiKeySecrets.expiresAt), gt(apiKeySecrets.expiresAt, now)),
      ),
    )
    .orderBy(desc(apiKeySecrets.createdAt));
  const current = rows.find((row) => row.expiresAt === null);
  if (!current) return undefined;
  return {
    current: decryptSecret(current.ciphertext, current.publicId),
    previous: rows.filter((row) => row !== current).map((row) => decryptSecret(row.ciphertext, row.publicId)),
  };
}
