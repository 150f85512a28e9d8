import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_ALLOWED_ADDRESSES } from '@/lib/limits/addresses';
import { createKeyInput, updateKeyInput } from '@/lib/keys/schemas';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import type { KeyLimitsJson } from '@/lib/limits/schemas';
import { changedLimits, checkLimits, limitDefaults, limitFieldOf, limitFormFields, readLimits, type LimitValues } from './limit-form';

const blank = limitDefaults(null);
const values = (changes: Partial<LimitValues>): LimitValues => ({ ...blank, ...changes });
const all: KeyLimitsJson = {
  allowedAddresses: ['203.0.113.0/24', '2001:db8::/32'],
  rateLimit: { limit: 100, windowSeconds: 60 },
  usage: { remaining: 412, refill: { amount: 1000, interval: 'month' } },
};

describe('the Limits section’s values', () => {
  it('are blank for a key without limits, and give no limits', () => {
    expect(blank).toEqual({ allowedAddresses: '', rateRequests: '', ratePer: '60', uses: '', refill: 'never', refillAmount: '' });
    expect(readLimits(blank)).toEqual({ limits: { allowedAddresses: null, rateLimit: null, usage: null }, errors: {} });
  });

  it('turn into the limits the server takes, and back', () => {
    const form = limitDefaults(all);
    expect(form).toEqual({ allowedAddresses: '203.0.113.0/24\n2001:db8::/32', rateRequests: '100', ratePer: '60', uses: '412', refill: 'month', refillAmount: '1000' });
    const { limits, errors } = readLimits(form);
    expect(errors).toEqual({});
    expect(limits).toEqual(all);
    // What the form gives passes the server's own create and update schemas.
    expect(createKeyInput(diga).safeParse({ name: 'Partner', ...limits }).success).toBe(true);
    expect(updateKeyInput(diga).parse(limits)).toMatchObject(all);
  });

  it('read addresses as the server stores them: trimmed, canonical, blank lines and repeats dropped', () => {
    const { limits } = readLimits(values({ allowedAddresses: ' 10.1.2.3/8 \r\n\n2001:DB8::1\n10.0.0.0/8\n' }));
    expect(limits.allowedAddresses).toEqual(['10.0.0.0/8', '2001:db8::1']);
  });

  it('name each bad address line, and say why a whole-internet range is refused', () => {
    const { errors } = readLimits(values({ allowedAddresses: '203.0.113.7\n\nexample.com\n0.0.0.0/0\n10.0.0.0/40' }));
    expect(errors.allowedAddresses).toEqual([
      'line 3: not an address or range',
      'line 4: 0.0.0.0/0 allows every address: leave the list empty instead',
      'line 5: not an address or range (an IPv4 prefix is 0 to 32)',
    ]);
  });

  it(`hold at most ${MAX_ALLOWED_ADDRESSES} addresses`, () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `192.0.2.${i + 1}`).join('\n');
    expect(readLimits(values({ allowedAddresses: lines(MAX_ALLOWED_ADDRESSES) })).errors).toEqual({});
    expect(readLimits(values({ allowedAddresses: lines(MAX_ALLOWED_ADDRESSES + 1) })).errors.allowedAddresses).toEqual([`line 101: at most ${MAX_ALLOWED_ADDRESSES} addresses or ranges`]);
  });

  it('take a rate per second, minute or hour, and refuse what is not a whole number in range', () => {
    expect(readLimits(values({ rateRequests: '5', ratePer: '1' })).limits.rateLimit).toEqual({ limit: 5, windowSeconds: 1 });
    expect(readLimits(values({ rateRequests: ' 1000000 ', ratePer: '3600' })).limits.rateLimit).toEqual({ limit: 1_000_000, windowSeconds: 3600 });
    expect(readLimits(values({ rateRequests: '0' })).errors).toEqual({ rateRequests: ['Requests must be at least 1.'] });
    expect(readLimits(values({ rateRequests: '1.5' })).errors).toEqual({ rateRequests: ['Requests must be a whole number.'] });
    expect(readLimits(values({ rateRequests: '1000001' })).errors).toEqual({ rateRequests: ['Requests must be at most 1,000,000.'] });
    expect(readLimits(values({ rateRequests: '10', ratePer: '7200' })).errors).toEqual({ ratePer: ['Choose second, minute or hour.'] });
    // A blank rate ignores Per.
    expect(readLimits(values({ ratePer: 'nonsense' })).errors).toEqual({});
  });

  it('take uses with or without a refill, and ask for what a refill needs', () => {
    expect(readLimits(values({ uses: '0' })).limits.usage).toEqual({ remaining: 0, refill: null });
    expect(readLimits(values({ uses: '10', refill: 'day', refillAmount: '50' })).limits.usage).toEqual({ remaining: 10, refill: { amount: 50, interval: 'day' } });
    // Refill amount is not read while Refill is Never.
    expect(readLimits(values({ uses: '10', refillAmount: 'x' })).limits.usage).toEqual({ remaining: 10, refill: null });
    expect(readLimits(values({ uses: '10', refill: 'month' })).errors).toEqual({ refillAmount: ['Enter how many uses each refill gives.'] });
    expect(readLimits(values({ uses: '10', refill: 'month', refillAmount: '0' })).errors).toEqual({ refillAmount: ['Refill amount must be at least 1.'] });
    expect(readLimits(values({ refill: 'day', refillAmount: '5' })).errors).toEqual({ uses: ['Enter the uses the key starts with, or set Refill to Never.'] });
    expect(readLimits(values({ uses: '-1' })).errors).toEqual({ uses: ['Uses must be at least 0.'] });
    expect(readLimits(values({ uses: '1e3' })).errors).toEqual({ uses: ['Uses must be a whole number.'] });
    expect(readLimits(values({ uses: '1000000000001' })).errors).toEqual({ uses: ['Uses must be at most 1,000,000,000,000.'] });
  });

  it('give a form schema one issue per field, its messages a line each', () => {
    const schema = z.object(limitFormFields).superRefine(checkLimits);
    const result = schema.safeParse(values({ allowedAddresses: 'a\nb', rateRequests: '0' }));
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['allowedAddresses', 'line 1: not an address or range\nline 2: not an address or range'],
      ['rateRequests', 'Requests must be at least 1.'],
    ]);
    expect(schema.safeParse(limitDefaults(all)).success).toBe(true);
  });
});

describe('an edit', () => {
  it('sends only the limits that changed, and null for a cleared one', () => {
    const read = (changes: Partial<LimitValues>) => readLimits({ ...limitDefaults(all), ...changes }).limits;
    expect(changedLimits(read({}), all)).toEqual({});
    expect(changedLimits(read({ rateRequests: '' }), all)).toEqual({ rateLimit: null });
    expect(changedLimits(read({ allowedAddresses: '203.0.113.0/24' }), all)).toEqual({ allowedAddresses: ['203.0.113.0/24'] });
    expect(changedLimits(read({ refill: 'never' }), all)).toEqual({ usage: { remaining: 412, refill: null } });
    expect(changedLimits(read({ uses: '', refill: 'never' }), all)).toEqual({ usage: null });
    // The same limits written another way are no change.
    expect(changedLimits(read({ allowedAddresses: '203.0.113.9/24\n2001:0db8::/32' }), all)).toEqual({});
    expect(changedLimits(read({}), { ...all, rateLimit: { windowSeconds: 60, limit: 100 } })).toEqual({});
    expect(changedLimits(readLimits(blank).limits, { allowedAddresses: null, rateLimit: null, usage: null })).toEqual({});
  });

  it('keeps a window the console does not name, set over the API', () => {
    const key: KeyLimitsJson = { allowedAddresses: null, rateLimit: { limit: 7, windowSeconds: 30 }, usage: null };
    const form = limitDefaults(key);
    expect(form.ratePer).toBe('30');
    expect(changedLimits(readLimits(form).limits, key)).toEqual({});
  });

  it('maps the server’s field errors to the form’s fields', () => {
    expect(['allowedAddresses', 'allowedAddresses.3', 'rateLimit', 'rateLimit.limit', 'rateLimit.windowSeconds', 'usage', 'usage.remaining', 'usage.refill', 'usage.refill.amount', 'usage.refill.interval', 'name', 'permissions.calls'].map(limitFieldOf)).toEqual([
      'allowedAddresses',
      'allowedAddresses',
      'rateRequests',
      'rateRequests',
      'ratePer',
      'uses',
      'uses',
      'refillAmount',
      'refillAmount',
      'refill',
      null,
      null,
    ]);
  });
});
