/**
 * The verification cache: SHA-256 of a key → what the database said about it (or that it had
 * nothing), for at most a few seconds. Bounded by entry count. A delete, rotation or edit drops
 * the key's entries at once on this node (lib/keys/events.ts) and, on PostgreSQL, on every node
 * through LISTEN/NOTIFY; otherwise other nodes see the change within the lifetime.
 *
 * A lookup that read the database before such a change committed can finish after its drop: it
 * must not put the old row back. So every drop counts a generation, and a lookup's answer is
 * stored only if no drop of its key (nor a clear) came after the generation it started at.
 */
import { LRUCache } from 'lru-cache';
import { positiveIntFromEnv } from '@/lib/config/env';
import { onKeyChanged } from '@/lib/keys/events';
import type { VerifiedKey } from './verify';

type Entry = { found: VerifiedKey | null };

/** Keys whose last drop is remembered one by one; past that, every older lookup is refused. */
const REMEMBERED_DROPS = 10_000;

export class VerifyCache {
  private readonly entries: LRUCache<string, Entry>;
  /** Counts drops and clears. */
  private current = 0;
  /** Public id → the generation its last drop made. */
  private readonly droppedAt = new Map<string, number>();
  /** A lookup started before this generation stores nothing (a clear, or droppedAt forgotten). */
  private floor = 0;

  constructor(options: { maxEntries: number; ttlMs: number }) {
    this.entries = new LRUCache<string, Entry>({ max: options.maxEntries, ttl: options.ttlMs, ttlAutopurge: false });
  }

  /** undefined: not cached; null: cached as unknown. */
  get(hash: string): VerifiedKey | null | undefined {
    return this.entries.get(hash)?.found;
  }

  /** Taken before a lookup asks the database; its answer goes to set() with it. */
  get generation(): number {
    return this.current;
  }

  /** Stores a lookup's answer unless the key was dropped (or the cache cleared) after `startedAt`. */
  set(hash: string, found: VerifiedKey | null, startedAt: number): void {
    if (startedAt < this.floor) return;
    if (found && (this.droppedAt.get(found.publicId) ?? -1) > startedAt) return;
    this.entries.set(hash, { found });
  }

  /** Drops every entry of one key (all its secrets), wherever it was cached from. */
  dropKey(publicId: string): void {
    this.current++;
    this.droppedAt.set(publicId, this.current);
    if (this.droppedAt.size > REMEMBERED_DROPS) this.forgetDrops();
    for (const [hash, entry] of this.entries.entries()) {
      if (entry.found?.publicId === publicId) this.entries.delete(hash);
    }
  }

  clear(): void {
    this.current++;
    this.forgetDrops();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private forgetDrops(): void {
    this.droppedAt.clear();
    this.floor = this.current;
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
