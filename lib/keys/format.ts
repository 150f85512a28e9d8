/**
 * The key format: `<prefix>_<32 base62 characters of CSPRNG randomness><6 base62 characters of
 * CRC32>`. The checksum lets malformed keys and typos be refused before any database query and
 * lets secret scanners recognise keys. Pure functions; never logs a key.
 */
import { randomBytes } from 'node:crypto';

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

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/**
 * CRC-32 (zlib's) of the first `end` characters of an ASCII string, without making a Buffer or
 * a substring: verification runs it on every key no cache answers. Tested against node:zlib.
 */
export function crc32Ascii(text: string, end = text.length): number {
  let crc = -1;
  for (let i = 0; i < end; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** The checksum covers the prefix too, so a key pasted under the wrong prefix fails. */
export function checksum(prefix: string, body: string): string {
  return base62(crc32Ascii(`${prefix}_${body}`), CHECKSUM_LENGTH);
}

export function generateKey(prefix = keyPrefix()): string {
  const body = randomBase62(BODY_LENGTH);
  return `${prefix}_${body}${checksum(prefix, body)}`;
}

/** A character code's base62 digit, or -1 (codes 0–127; anything above is not base62). */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

/** The length of every key under `prefix`. */
export const keyLength = (prefix = keyPrefix()) => prefix.length + 1 + BODY_LENGTH + CHECKSUM_LENGTH;

/**
 * True when `key` has this deployment's prefix, the right length and alphabet, and a valid
 * checksum. Runs on every verification: one pass of character codes, checking the body's
 * alphabet while it feeds CRC-32 (the prefix is lower-case ASCII, so the input is ASCII).
 */
export function isWellFormedKey(key: unknown, prefix = keyPrefix()): key is string {
  if (typeof key !== 'string' || key.length !== keyLength(prefix)) return false;
  if (!key.startsWith(prefix) || key.charCodeAt(prefix.length) !== 95 /* _ */) return false;
  const checked = key.length - CHECKSUM_LENGTH;
  let crc = -1;
  for (let i = 0; i < checked; i++) {
    const code = key.charCodeAt(i);
    if (i > prefix.length && (code > 127 || DIGIT[code]! < 0)) return false;
    crc = CRC_TABLE[(crc ^ code) & 0xff]! ^ (crc >>> 8);
  }
  // The checksum's six characters as the number they spell, against CRC32 of `${prefix}_${body}`.
  let sum = 0;
  for (let i = checked; i < key.length; i++) {
    const code = key.charCodeAt(i);
    const digit = code > 127 ? -1 : DIGIT[code]!;
    if (digit < 0) return false;
    sum = sum * 62 + digit;
  }
  return sum === (crc ^ -1) >>> 0;
}

/** What the console may show of a key: its first characters and its last four. */
export function displayParts(key: string, prefix = keyPrefix()): { start: string; last4: string } {
  return { start: key.slice(0, prefix.length + 1 + 4), last4: key.slice(-4) };
}

/** Public key ids, shown in the table and used in URLs: `key_` + 16 base62 characters. */
export function generatePublicId(): string {
  return `key_${randomBase62(16)}`;
}
