import { describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { BODY_LENGTH, CHECKSUM_LENGTH, checksum, crc32Ascii, displayParts, generateKey, generatePublicId, isWellFormedKey, randomBase62 } from './format';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const FORMAT = new RegExp(`^kw_[0-9A-Za-z]{${BODY_LENGTH}}[0-9A-Za-z]{${CHECKSUM_LENGTH}}$`);

describe('generated keys', () => {
  it('100,000 keys match the format, pass their checksum and never repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const key = generateKey('kw');
      expect(FORMAT.test(key)).toBe(true);
      seen.add(key);
    }
    expect(seen.size).toBe(100_000);
    for (const key of [...seen].slice(0, 1000)) expect(isWellFormedKey(key, 'kw')).toBe(true);
  });

  it('draws every base62 character about equally often (no modulo bias)', () => {
    const counts = new Map<string, number>();
    const sample = randomBase62(620_000);
    for (const c of sample) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(Math.abs(n - 10_000)).toBeLessThan(600);
  });

  it('shows only the start and the last four characters', () => {
    const key = generateKey('kw');
    expect(displayParts(key, 'kw')).toEqual({ start: key.slice(0, 7), last4: key.slice(-4) });
    expect(generatePublicId()).toMatch(/^key_[0-9A-Za-z]{16}$/);
  });
});

describe('the checksum', () => {
  const key = generateKey('kw');
  const tail = key.slice(3);

  it('rejects every single-character substitution', () => {
    for (let i = 0; i < key.length; i++) {
      for (const c of ALPHABET + '_-') {
        if (c === key[i]) continue;
        const changed = key.slice(0, i) + c + key.slice(i + 1);
        expect(isWellFormedKey(changed, 'kw'), `substitution at ${i}`).toBe(false);
      }
    }
  });

  it('rejects every single-character deletion and insertion', () => {
    for (let i = 0; i < key.length; i++) {
      expect(isWellFormedKey(key.slice(0, i) + key.slice(i + 1), 'kw')).toBe(false);
      for (const c of 'aZ09') expect(isWellFormedKey(key.slice(0, i) + c + key.slice(i), 'kw')).toBe(false);
    }
  });

  it('rejects another prefix, random strings and non-strings', () => {
    expect(isWellFormedKey(`sk_${tail}`, 'kw')).toBe(false);
    expect(isWellFormedKey(`kw_${randomBase62(BODY_LENGTH + CHECKSUM_LENGTH)}`, 'kw')).toBe(false);
    for (const value of ['', 'kw_', null, undefined, 42, { key }, `${key}\u0000`, `${key.slice(0, 5)}а${key.slice(6)}`]) {
      expect(isWellFormedKey(value, 'kw')).toBe(false);
    }
  });

  it('is CRC32 over prefix and body in six base62 characters', () => {
    expect(checksum('kw', '0'.repeat(BODY_LENGTH))).toMatch(/^[0-9A-Za-z]{6}$/);
    expect(tail.slice(BODY_LENGTH)).toBe(checksum('kw', tail.slice(0, BODY_LENGTH)));
    // The checksum of keys issued before crc32Ascii (node:zlib's crc32, spelled the same way).
    expect(checksum('kw', '0'.repeat(BODY_LENGTH))).toBe('1vXtxm');
  });

  it("crc32Ascii is node:zlib's CRC-32, for any ASCII text and any prefix of it", () => {
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: i % 80 }, () => String.fromCharCode(Math.floor(Math.random() * 128))).join('');
      const end = Math.floor(Math.random() * (text.length + 1));
      expect(crc32Ascii(text, end)).toBe(crc32(text.slice(0, end)));
    }
  });
});
