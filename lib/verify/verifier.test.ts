import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, type Catalogue } from '@/lib/permissions/catalogue';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import type { Actor } from '@/lib/auth/authorize';
import type { VerifiedKey } from './verify';
import { createKey } from '@/lib/keys/create';
import { hashKey } from '@/lib/keys/crypto';
import { KEY_CHANNEL, onKeyChanged } from '@/lib/keys/events';
import { FailureLimiter } from './failure-limiter';
import { generateKey } from '@/lib/keys/format';
import { deleteKey, updateKey } from '@/lib/keys/manage';
import { LookupBatch, MAX_BATCH } from './lookup-batch';
import { MetricsRecorder } from '@/lib/metrics/recorder';
import { rotateKey } from '@/lib/keys/rotate';
import { UsageRecorder } from './usage';
import { Verifier } from './verifier';
import { VerifyCache } from './cache';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

describeEachDatabase('the verification service', (current) => {
  const system: Actor = { type: 'system', projectSlug: 'verifier', label: 'test' };
  let clock = Date.parse('2030-01-01T00:00:00Z');

  beforeAll(async () => {
    await createProject(current().db, { slug: 'verifier' });
  });

  const verifierWith = (cache: VerifyCache | null, lookup?: (hash: string) => Promise<VerifiedKey | null>) =>
    new Verifier({
      getDb: () => current().db,
      catalogue: () => diga,
      cache,
      usage: new UsageRecorder(() => current().db),
      limiter: new FailureLimiter(1_000_000),
      now: () => new Date(clock),
      lookup,
    });

  /**
   * The database lookup, whose first call is held once it has read its row, until release():
   * a verification that read a key before a change committed and finishes after it.
   */
  function heldLookup() {
    const batch = new LookupBatch(() => current().db);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let read!: () => void;
    const hasRead = new Promise<void>((resolve) => (read = resolve));
    let held = false;
    const lookup = async (hash: string) => {
      const found = await batch.find(hash);
      if (held) return found;
      held = true;
      read();
      await released;
      return found;
    };
    return { lookup, hasRead, release };
  }

  describe('LookupBatch', () => {
    it('sends the lookups of one turn as one statement and gives each caller its own key', async () => {
      const made = await Promise.all([0, 1, 2].map((i) => createKey(current().db, system, { name: `batch ${i}` }, { catalogue: diga })));
      const statements: number[] = [];
      const batch = new LookupBatch(() => current().db, (hashes) => statements.push(hashes));
      const unknown = hashKey(generateKey());
      const hashes = [...made.map(({ secret }) => hashKey(secret)), unknown, hashKey(made[0]!.secret)];
      const found = await Promise.all(hashes.map((hash) => batch.find(hash)));
      expect(statements).toEqual([4]); // the repeated hash is asked once
      expect(found.map((key) => key?.publicId ?? null)).toEqual([...made.map(({ key }) => key.id), null, made[0]!.key.id]);

      // The next turn is a statement of its own: nothing is kept between them.
      expect((await batch.find(hashes[1]!))?.publicId).toBe(made[1]!.key.id);
      expect(statements).toEqual([4, 1]);
    });

    it(`splits a round of more than ${MAX_BATCH} hashes`, async () => {
      const { secret, key } = await createKey(current().db, system, { name: 'batch big' }, { catalogue: diga });
      const statements: number[] = [];
      const batch = new LookupBatch(() => current().db, (hashes) => statements.push(hashes));
      const hashes = [...Array.from({ length: MAX_BATCH + 10 }, () => hashKey(generateKey())), hashKey(secret)];
      const found = await Promise.all(hashes.map((hash) => batch.find(hash)));
      expect(statements).toEqual([MAX_BATCH, 11]);
      expect(found.filter(Boolean).map((k) => k!.publicId)).toEqual([key.id]);
    });

    it('rejects every caller of a statement that failed', async () => {
      const batch = new LookupBatch(() => {
        throw new Error('database away');
      });
      const results = await Promise.allSettled([batch.find('a'), batch.find('b')]);
      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    });
  });

  describe('Verifier', () => {
    it('answers a cache hit and a malformed key synchronously, a miss with a promise', async () => {
      const verifier = verifierWith(new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 }));
      const { secret } = await createKey(current().db, system, { name: 'sync' }, { catalogue: diga });
      const miss = verifier.verify(secret, undefined, '192.0.2.1');
      expect(miss).toBeInstanceOf(Promise);
      expect((await miss).result.code).toBe('VALID');
      const hit = verifier.verify(secret, undefined, '192.0.2.1');
      expect(hit).not.toBeInstanceOf(Promise);
      expect(hit).toMatchObject({ result: { code: 'VALID', valid: true } });
      expect(verifier.verify(`${secret.slice(0, -1)}!`, undefined, '192.0.2.1')).toMatchObject({ result: { code: 'NOT_FOUND' } });
    });

    it('counts a cache hit and a lookup (miss) when metrics are on, and a malformed key as neither', async () => {
      const metrics = new MetricsRecorder({ observe: () => {} });
      const verifier = new Verifier({
        getDb: () => current().db,
        catalogue: () => diga,
        cache: new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 }),
        usage: new UsageRecorder(() => current().db),
        limiter: new FailureLimiter(1_000_000),
        metrics,
      });
      const { secret } = await createKey(current().db, system, { name: 'counted' }, { catalogue: diga });
      await verifier.verify(secret, undefined, '192.0.2.9');
      await verifier.verify(secret, undefined, '192.0.2.9');
      await verifier.verify(secret, undefined, '192.0.2.9');
      await verifier.verify(generateKey('kw'), undefined, '192.0.2.9');
      await verifier.verify(`${secret.slice(0, -1)}!`, undefined, '192.0.2.9');
      expect({ hits: metrics.cacheHits, misses: metrics.cacheMisses }).toEqual({ hits: 2, misses: 2 });
    });

    it('gives the same frozen answer to repeated plain verifications, and never after the key expires', async () => {
      const verifier = verifierWith(new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 }));
      const expiresAt = new Date(clock + 60_000).toISOString();
      const { secret } = await createKey(current().db, system, { name: 'expiring', expiresAt }, { catalogue: diga });
      const first = (await verifier.verify(secret, undefined, '192.0.2.2')).result;
      const second = (await verifier.verify(secret, undefined, '192.0.2.2')).result;
      expect(second).toBe(first);
      expect(Object.isFrozen(second)).toBe(true);
      expect(second).toMatchObject({ code: 'VALID', expiresAt });

      clock += 60_000; // the cache entry lives on; the key does not
      expect((await verifier.verify(secret, undefined, '192.0.2.2')).result.code).toBe('EXPIRED');
      clock -= 60_000;
    });

    it('judges a requirement every time, beside the remembered plain answer', async () => {
      const verifier = verifierWith(new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 }));
      const resource = resourcesOf(diga).find((r) => !r.actionOnly)!;
      const { secret } = await createKey(current().db, system, { name: 'reader', permissions: { [resource.id]: 'read' } }, { catalogue: diga });
      expect((await verifier.verify(secret, undefined, '192.0.2.3')).result.code).toBe('VALID');
      expect((await verifier.verify(secret, { [resource.id]: 'write' }, '192.0.2.3')).result.code).toBe('INSUFFICIENT_PERMISSIONS');
      expect((await verifier.verify(secret, { [resource.id]: 'read' }, '192.0.2.3')).result.code).toBe('VALID');
      expect(() => verifier.verify(secret, { nope: 'read' }, '192.0.2.3')).toThrow(/requirement/i);
    });

    it('without a cache, asks the database every time: a deleted key fails at once', async () => {
      const verifier = verifierWith(null);
      const { secret, key } = await createKey(current().db, system, { name: 'uncached' }, { catalogue: diga });
      const answers = await Promise.all([1, 2, 3].map(() => verifier.verify(secret, undefined, '192.0.2.4')));
      expect(answers.map(({ result }) => result.code)).toEqual(['VALID', 'VALID', 'VALID']);
      await deleteKey(current().db, system, key.id, { catalogue: diga });
      expect((await verifier.verify(secret, undefined, '192.0.2.4')).result.code).toBe('NOT_FOUND');
    });

    describe('a lookup that read a key before a change committed', () => {
      const editable: Catalogue = { ...diga, id: 'diga_editable', editableAfterCreation: true };
      const resource = resourcesOf(diga).find((r) => !r.actionOnly)!;
      const write = { [resource.id]: 'write' } as const;
      const changes = [
        { kind: 'delete', change: (id: string) => deleteKey(current().db, system, id, { catalogue: diga }), after: 'NOT_FOUND' },
        { kind: 'rotation', change: (id: string) => rotateKey(current().db, system, id, { gracePeriodSeconds: 0 }, { catalogue: diga }), after: 'NOT_FOUND' },
        {
          kind: 'downgrade',
          change: (id: string) => updateKey(current().db, system, id, { permissions: { [resource.id]: 'read' } }, { catalogue: editable }),
          after: 'INSUFFICIENT_PERMISSIONS',
        },
      ] as const;

      it.each(changes)('does not put the old row back after a $kind on this node', async ({ kind, change, after }) => {
        const cache = new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 });
        const stopListening = onKeyChanged(({ publicId }) => cache.dropKey(publicId));
        try {
          const { secret, key } = await createKey(current().db, system, { name: `raced ${kind}`, permissions: write }, { catalogue: diga });
          const held = heldLookup();
          const verifier = verifierWith(cache, held.lookup);
          const racing = verifier.verify(secret, write, '192.0.2.5');
          await held.hasRead;
          await change(key.id); // commits, then drops the key's (still empty) entries
          held.release();
          // The verification that started first answers from what it read …
          expect((await racing).result.code).toBe('VALID');
          // … but that is not kept: the next one asks the database.
          expect(cache.get(hashKey(secret))).toBeUndefined();
          expect((await verifier.verify(secret, write, '192.0.2.5')).result.code).toBe(after);
        } finally {
          stopListening();
        }
      });

      it('does not put the old row back when the change comes from another node (NOTIFY)', async (context) => {
        const { listen } = current();
        if (!listen) return context.skip(); // PGlite: one process, no other node
        const cache = new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 });
        const heard: string[] = [];
        let notified = () => {};
        // As lib/setup/prepare.ts wires it; this cache hears no in-process event.
        const unlisten = await listen(KEY_CHANNEL, (publicId) => {
          cache.dropKey(publicId);
          heard.push(publicId);
          notified();
        });
        try {
          const { secret, key } = await createKey(current().db, system, { name: 'raced remotely' }, { catalogue: diga });
          const held = heldLookup();
          const verifier = verifierWith(cache, held.lookup);
          const racing = verifier.verify(secret, undefined, '192.0.2.6');
          await held.hasRead;
          const arrived = new Promise<void>((resolve) => (notified = resolve));
          await deleteKey(current().db, system, key.id, { catalogue: diga });
          await arrived;
          expect(heard).toContain(key.id);
          held.release();
          await racing;
          expect(cache.get(hashKey(secret))).toBeUndefined();
          expect((await verifier.verify(secret, undefined, '192.0.2.6')).result.code).toBe('NOT_FOUND');
        } finally {
          await unlisten();
        }
      });

      it('is told when the listening connection comes back, so a cache that may have missed a NOTIFY can start empty', async (context) => {
        const { db, listen } = current();
        if (!listen) return context.skip(); // PGlite: one process, no other node
        let listens = 0;
        const unlisten = await listen(KEY_CHANNEL, () => {}, () => listens++);
        try {
          await expect.poll(() => listens).toBe(1);
          await db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'`);
          await expect.poll(() => listens, { timeout: 15_000 }).toBe(2);
        } finally {
          await unlisten();
        }
      });

      it('still caches a lookup that started after the change', async () => {
        const cache = new VerifyCache({ maxEntries: 100, ttlMs: 3_600_000 });
        const verifier = verifierWith(cache);
        const { key } = await createKey(current().db, system, { name: 'rotated, then cached' }, { catalogue: diga });
        const { secret } = await rotateKey(current().db, system, key.id, { gracePeriodSeconds: 0 }, { catalogue: diga });
        cache.dropKey(key.id);
        expect((await verifier.verify(secret, undefined, '192.0.2.7')).result.code).toBe('VALID');
        expect(verifier.verify(secret, undefined, '192.0.2.7')).not.toBeInstanceOf(Promise);
      });
    });
  });
});
