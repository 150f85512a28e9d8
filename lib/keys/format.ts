/**
 * The key format: `<prefix>_<32 base62 characters of CSPRNG randomness><6 base62 characters of
 * CRC32>`. The checksum lets malformed keys and typos be refused before any database query and
 * lets secret scanners recognise keys. Pure functions; never logs a key.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const BODY_LENGTH = 32; // 32 × log2(62) ≈ 190 bits of entropy
export const CHECKSUM_LENGTH = 6; // 62^6 > 2^32
const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

let configuredPrefix: string | undefined;

/** KEYWARD_KEY_PREFIX, read once: verification checks it on every request. */
export function keyPrefix(): string {
  if (configuredPrefix === undefined) {
    const prefix = process.env.KEYWARD_KEY_PREFIX || 'kw';
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new Error(`KEYWARD_KEY_PREFIX must be 1–16 lower-case letters or digits, starting with a letter; got "${prefix}".`);
    }
    configuredPrefix = prefix;
  }
  return configuredPrefix;
}

/** Uniform base62 characters from the CSPRNG (rejection sampling: no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: bytes at or above it would favour the first characters.
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function base62(value: number, width: number): string {
  let out = '';
  for (let n = value; n > 0; n = Math.floor(n / 62)) out = ALPHABET[n % 62] + out;
  return out.padStart(width, '0');
}

/** The checksum covers the prefix too, so a key pasted under the wrong prefix fails. */
export function checksum(prefix: string, body: string): string {
  return base62(crc32(`${prefix}_${body}`), CHECKSUM_LENGTH);
}

export function generateKey(prefix = keyPrefix()): string {
  const body = randomBase62(BODY_LENGTH);
  return `${prefix}_${body}${checksum(prefix, body)}`;
}

const BASE62_TAIL = new RegExp(`^[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

/** True when `key` has this deployment's prefix, the right length and alphabet, and a valid checksum. */
export function isWellFormedKey(key: unknown, prefix = keyPrefix()): key is string {
  if (typeof key !== 'string' || key.length !== prefix.length + 1 + BODY_LENGTH + CHECKSUM_LENGTH) return false;
  if (!key.startsWith(prefix) || key.charCodeAt(prefix.length) !== 95 /* _ */) return false;
  if (!BASE62_TAIL.test(key.slice(prefix.length + 1))) return false;
  // The checksum's input, `${prefix}_${body}`, is the key without its last characters.
  const checked = key.length - CHECKSUM_LENGTH;
  return base62(crc32(key.slice(0, checked)), CHECKSUM_LENGTH) === key.slice(checked);
}

/** What the console may show of a key: its first characters and its last four. */
export function displayParts(key: string, prefix = keyPrefix()): { start: string; last4: string } {
  return { start: key.slice(0, prefix.length + 1 + 4), last4: key.slice(-4) };
}

/** Public key ids, shown in the table and used in URLs: `key_` + 16 base62 characters. */
export function generatePublicId(): string {
  return `key_${randomBase62(16)}`;
}
