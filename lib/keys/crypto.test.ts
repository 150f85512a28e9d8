import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, encryptionKeyBytes, hashKey } from './crypto';
import { generateKey } from './format';

describe('key secrets at rest', () => {
  const aesKey = randomBytes(32);
  const secret = generateKey('kw');

  it('hashes with SHA-256', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('decrypts only with its key and only for the id it is bound to', () => {
    const sealed = encryptSecret(secret, 'key_one', aesKey);
    expect(sealed).not.toContain(secret);
    expect(decryptSecret(sealed, 'key_one', aesKey)).toBe(secret);
    expect(() => decryptSecret(sealed, 'key_one', randomBytes(32))).toThrow();
    expect(() => decryptSecret(sealed, 'key_two', aesKey)).toThrow();
    const [v, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => decryptSecret([v, iv, flipped.toString('base64url'), tag].join('.'), 'key_one', aesKey)).toThrow();
  });

  it('refuses a truncated authentication tag, which GCM would otherwise accept as a shorter tag', () => {
    const sealed = encryptSecret(secret, 'key_one', aesKey);
    const [v, iv, body, tag] = sealed.split('.');
    const full = Buffer.from(tag!, 'base64url');
    expect(full.length).toBe(16);
    for (const length of [4, 8, 12, 15]) {
      const truncated = [v, iv, body, full.subarray(0, length).toString('base64url')].join('.');
      expect(() => decryptSecret(truncated, 'key_one', aesKey), `${length} bytes`).toThrow();
    }
  });

  it('uses a fresh IV each time', () => {
    expect(encryptSecret(secret, 'key_one', aesKey)).not.toBe(encryptSecret(secret, 'key_one', aesKey));
  });

  it('refuses an encryption key that is not 32 bytes', () => {
    expect(() => encryptionKeyBytes(Buffer.alloc(16).toString('base64'))).toThrow(/32 random bytes/);
  });
});
