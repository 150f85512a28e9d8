/**
 * The verification cache: SHA-256 of a key → what the database said about it (or that it had
 * nothing), for at most a few seconds. Bounded by entry count. A delete, rotation or edit drops
 * the key's entries at once on this node (lib/keys/events.ts) and, on PostgreSQL, on every node
 * through LISTEN/NOTIFY; otherwise other nodes see the change within the lifetime.
 */
import { LRUCache } from 'lru-cache';
import { positiveIntFromEnv } from '@/lib/config/env';
import { onKeyChanged } from './events';
import type { VerifiedKey } from './verify';

type Entry = { found: VerifiedKey | null };

export class VerifyCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(options: { maxEntries: number; ttlMs: number }) {
    this.entries = new LRUCache<string, Entry>({ max: options.maxEntries, ttl: options.ttlMs, ttlAutopurge: false });
  }

  /** undefined: not cached; null: cached as unknown. */
  get(hash: string): VerifiedKey | null | undefined {
    return this.entries.get(hash)?.found;
  }

  set(hash: string, found: VerifiedKey | null): void {
    this.entries.set(hash, { found });
  }

  /** Drops every entry of one key (all its secrets), wherever it was cached from. */
  dropKey(publicId: string): void {
    for (const [hash, entry] of this.entries.entries()) {
      if (entry.found?.publicId === publicId) this.entries.delete(hash);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

const globalForCache = globalThis as unknown as { keywardVerifyCache?: VerifyCache };

/**
 * The process's cache, shared by the fast path and the Next handlers, kept in step with changes;
 * null when KEYWARD_VERIFY_CACHE_ENTRIES=0 (every verification then asks the database).
 */
export function verifyCache(): VerifyCache | null {
  const maxEntries = positiveIntFromEnv('KEYWARD_VERIFY_CACHE_ENTRIES', 100_000, 0);
  if (maxEntries === 0) return null;
  if (!globalForCache.keywardVerifyCache) {
    const cache = new VerifyCache({ maxEntries, ttlMs: positiveIntFromEnv('KEYWARD_VERIFY_CACHE_TTL_MS', 5_000) });
    onKeyChanged(({ publicId }) => cache.dropKey(publicId));
    globalForCache.keywardVerifyCache = cache;
  }
  return globalForCache.keywardVerifyCache;
}
