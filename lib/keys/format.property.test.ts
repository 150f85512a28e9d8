/**
 * Property tests for key parsing: isWellFormedKey agrees with a reference written from the
 * format's definition (its own table-driven CRC32 and base62), for random strings and for
 * random edits of real keys; every edit of a real key is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKey, isWellFormedKey } from './format';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function refCrc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function refBase62(value: number): string {
  let out = '';
  for (let i = 0; i < 6; i++, value = Math.floor(value / 62)) out = ALPHABET[value % 62] + out;
  return out;
}
function refWellFormed(key: string): boolean {
  const match = /^kw_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/.exec(key);
  return match !== null && refBase62(refCrc32(`kw_${match[1]}`)) === match[2];
}

const base62 = fc.constantFrom(...ALPHABET);
const realKey = fc.constant(null).map(() => generateKey('kw'));

describe('key parsing against a reference', () => {
  it('agrees on random strings, random base62 bodies and random keys', () => {
    const candidates = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: base62, minLength: 38, maxLength: 38 }).map((tail) => `kw_${tail}`),
      realKey,
    );
    fc.assert(
      fc.property(candidates, (key) => {
        expect(isWellFormedKey(key, 'kw')).toBe(refWellFormed(key));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses every edit of a real key: substitution, insertion, deletion, swap', () => {
    const edit = fc.tuple(realKey, fc.nat(), fc.constantFrom('substitute', 'insert', 'delete', 'swap'), fc.oneof(base62, fc.constantFrom('_', '-', 'é', '\u0000')));
    fc.assert(
      fc.property(edit, ([key, at, kind, char]) => {
        const i = at % key.length;
        let edited = key;
        if (kind === 'substitute') edited = key.slice(0, i) + char + key.slice(i + 1);
        if (kind === 'insert') edited = key.slice(0, i) + char + key.slice(i);
        if (kind === 'delete') edited = key.slice(0, i) + key.slice(i + 1);
        if (kind === 'swap' && i + 1 < key.length) edited = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
        fc.pre(edited !== key);
        expect(isWellFormedKey(edited, 'kw')).toBe(false);
        expect(refWellFormed(edited)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });
});
