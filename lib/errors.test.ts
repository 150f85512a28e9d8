import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorKind, hasErrorCode, invalidInput, parseInput } from './errors';

describe('invalidInput', () => {
  it('names every field, __proto__ and constructor among the unknown ones, instead of failing', () => {
    const schema = z.strictObject({ name: z.string() });
    const parsed = schema.safeParse(JSON.parse('{"name":1,"__proto__":{"admin":true},"constructor":1}'));
    const error = invalidInput(parsed.error!.issues);
    expect(error.code).toBe('invalid_input');
    expect(Object.keys(error.fieldErrors!).sort()).toEqual(['__proto__', 'constructor', 'name']);
    expect(error.fieldErrors!['__proto__']).toEqual(['Unknown field.']);
    expect(Object.getPrototypeOf(error.fieldErrors)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(error.fieldErrors))).toHaveProperty(['__proto__']);
  });
});

describe('parseInput', () => {
  it('returns the parsed value, or throws invalid_input naming the field', () => {
    expect(parseInput(z.object({ n: z.coerce.number() }), { n: '2' })).toEqual({ n: 2 });
    expect(() => parseInput(z.object({ n: z.number() }), { n: 'x' })).toThrow(expect.objectContaining({ code: 'invalid_input', fieldErrors: { n: [expect.any(String)] } }));
    expect(() => parseInput(z.email(), 'nope', 'email')).toThrow(expect.objectContaining({ fieldErrors: { email: [expect.any(String)] } }));
  });
});

describe('hasErrorCode and errorKind', () => {
  const wrapped = Object.assign(new TypeError('insert into … values ($1) — secret'), { cause: { code: '23505' } });
  it('finds a code anywhere in the cause chain', () => {
    expect(hasErrorCode(wrapped, '23505')).toBe(true);
    expect(hasErrorCode(wrapped, new Set(['57P01', '23505']))).toBe(true);
    expect(hasErrorCode(wrapped, '55P03')).toBe(false);
    expect(hasErrorCode(undefined, '23505')).toBe(false);
  });
  it('names the error and its cause code, never its message', () => {
    expect(errorKind(wrapped)).toBe('TypeError (23505)');
    expect(errorKind(new RangeError('x'))).toBe('RangeError');
  });
});
