import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { invalidInput } from './errors';

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
