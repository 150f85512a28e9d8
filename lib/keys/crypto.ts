/**
 * Hashing and encryption of key secrets. SHA-256 of the whole key is what is looked up and
 * compared; AES-256-GCM ciphertext under KEYWARD_ENCRYPTION_KEY exists only so webhooks can be
 * signed with the webhook key. The ciphertext is bound to its key's public id (associated
 * data), so a ciphertext copied onto another key's row does not decrypt.
 */
import { createCipheriv, createDecipheriv, hash, randomBytes } from 'node:crypto';
import { loadSecrets } from '@/lib/config/secrets';

/** SHA-256, hex. One-shot `hash` makes no Hash object: verification does this on every request. */
export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** The 32-byte AES key: KEYWARD_ENCRYPTION_KEY is base64 of 32 random bytes. */
export function encryptionKeyBytes(encoded = loadSecrets().encryptionKey): Buffer {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== 32) {
    throw new Error('KEYWARD_ENCRYPTION_KEY must be base64 of 32 random bytes (openssl rand -base64 32).');
  }
  return bytes;
}

const VERSION = 'v1';
/** Bytes of the GCM tag, pinned: unpinned, decryption accepts a tag cut to as little as 4 bytes. */
const TAG_BYTES = 16;

export function encryptSecret(secret: string, boundTo: string, key = encryptionKeyBytes()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(boundTo));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** Throws if the ciphertext was altered (its tag shortened too), bound to another id, or made under another key. */
export function decryptSecret(sealed: string, boundTo: string, key = encryptionKeyBytes()): string {
  const [version, iv, ciphertext, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !ciphertext || !tag) throw new Error('Unrecognised ciphertext format.');
  const authTag = Buffer.from(tag, 'base64url');
  if (authTag.length !== TAG_BYTES) throw new Error('Unrecognised ciphertext format.');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(authTag);
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
