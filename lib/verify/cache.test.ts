import { describe, expect, it } from 'vitest';
import { NO_LIMITS } from '@/lib/limits/schemas';
import type { VerifiedKey } from './verify';
import { VerifyCache } from './cache';

const row = (publicId: string): VerifiedKey => ({
  ...NO_LIMITS,
  apiKeyId: `id-${publicId}`,
  publicId,
  projectId: 'project',
  name: publicId,
  permissions: null,
  keyExpiresAt: null,
  secretExpiresAt: null,
});

describe('the verification cache’s generations', () => {
  const fresh = () => new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 });

  it('keeps out a lookup of a key dropped after it started, and only of that key', () => {
    const cache = fresh();
    const startedAt = cache.generation;
    cache.dropKey('key_a');
    cache.set('hash-a', row('key_a'), startedAt);
    cache.set('hash-b', row('key_b'), startedAt);
    cache.set('hash-unknown', null, startedAt);
    expect(cache.get('hash-a')).toBeUndefined();
    expect(cache.get('hash-b')?.publicId).toBe('key_b');
    expect(cache.get('hash-unknown')).toBeNull();

    cache.set('hash-a', row('key_a'), cache.generation); // started after the drop
    expect(cache.get('hash-a')?.publicId).toBe('key_a');
  });

  it('keeps out every lookup that started before a clear', () => {
    const cache = fresh();
    const startedAt = cache.generation;
    cache.clear();
    cache.set('hash-b', row('key_b'), startedAt);
    cache.set('hash-unknown', null, startedAt);
    expect(cache.size).toBe(0);
  });

  it('still keeps a stale lookup out once it has forgotten which keys were dropped', () => {
    const cache = fresh();
    const startedAt = cache.generation;
    cache.dropKey('key_a');
    for (let i = 0; i < 10_001; i++) cache.dropKey(`other_${i}`);
    cache.set('hash-a', row('key_a'), startedAt);
    expect(cache.get('hash-a')).toBeUndefined();
    cache.set('hash-a', row('key_a'), cache.generation);
    expect(cache.get('hash-a')?.publicId).toBe('key_a');
  });
});
