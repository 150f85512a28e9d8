/**
 * Verifications counted exactly across two production servers on one PostgreSQL database: every
 * answer about a key (VALID, INSUFFICIENT_PERMISSIONS, EXPIRED; verify calls and REST calls made
 * with a key) is in key_usage once both are stopped with SIGTERM, summed per key and per code,
 * and unknown keys are counted nowhere. A node killed with SIGKILL loses at most what it counted
 * since its last flush: everything it flushed before, and everything the other node counted, is
 * there. `clientAddress` is recorded as the key's last-used address, and an invalid one is a 400
 * naming the field that counts nothing. Needs a production build (`npm run build`); run with
 * `npm run test:faults`.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { apiKeys, keyUsage, projectUsage, type UsageGranularity } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { generateKey } from '@/lib/keys/format';
import { digaCatalogue } from '@/lib/permissions/presets';
import { GRANULARITIES } from '@/lib/usage/schemas';
import { seedProject, serverProcessUnavailable, ServerProcess, type SeededProject } from '@/lib/testing/server-process';
import { parseWrittenLine } from '@/lib/verify/counts';
import { pause } from './support';

const unavailable = await serverProcessUnavailable();
if (unavailable) console.warn(`faults/usage.test.ts skipped: ${unavailable}.`);

/** Key → code → answers. */
type Tally = Map<string, Map<string, number>>;

const add = (tally: Tally, keyId: string, code: string, n = 1) => {
  let codes = tally.get(keyId);
  if (!codes) tally.set(keyId, (codes = new Map()));
  codes.set(code, (codes.get(code) ?? 0) + n);
};
const plain = (tally: Tally) => Object.fromEntries([...tally].map(([key, codes]) => [key, Object.fromEntries([...codes].sort())]));
const sum = (tally: Tally) => [...tally.values()].reduce((total, codes) => total + [...codes.values()].reduce((a, b) => a + b, 0), 0);
const merged = (...tallies: Tally[]) => {
  const all: Tally = new Map();
  for (const tally of tallies) for (const [key, codes] of tally) for (const [code, n] of codes) add(all, key, code, n);
  return all;
};

/** A body to send, the code it must be answered, and the key (public id) it is counted against. */
type Verification = { body: { key: string; require?: Record<string, string> }; expect: string; keyId: string | null };
type Answer = { status: number; body: Record<string, unknown> };

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.skipIf(unavailable)(`Usage counts across two nodes${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let nodeA: ServerProcess;
  let nodeB: ServerProcess;
  let database: Database;
  let seeded: SeededProject;
  /** Verifications of the seeded keys, one of each kind: the tests send each many times. */
  let kinds: Verification[];
  const secrets: string[] = [];

  const system = (): Actor => ({ type: 'system', projectSlug: seeded.slug, label: 'faults' });

  async function key(name: string, permissions?: Record<string, 'read' | 'write'>): Promise<{ id: string; secret: string }> {
    const created = await createKey(database.db, system(), { name, permissions }, { catalogue: digaCatalogue });
    secrets.push(created.secret);
    return { id: created.key.id, secret: created.secret };
  }

  beforeAll(async () => {
    // Unknown keys and expired keys are failures of this one address: no 429 here.
    const env = { KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE: '1000000' };
    nodeA = await ServerProcess.create({ prefix: 'keyward_faults_usage', env });
    nodeB = await nodeA.sibling();
    database = nodeA.open();
    seeded = await seedProject(database, { slug: 'faults-usage' });
    secrets.push(seeded.bearer);
    const full = await Promise.all([0, 1, 2].map((i) => key(`Full ${i}`)));
    const readers = await Promise.all([0, 1].map((i) => key(`Reader ${i}`, { calls: 'read' })));
    const expired = await Promise.all([0, 1].map((i) => key(`Expired ${i}`)));
    await database.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(inArray(apiKeys.publicId, expired.map((k) => k.id)));
    kinds = [
      ...full.map((k) => ({ body: { key: k.secret }, expect: 'VALID', keyId: k.id })),
      ...readers.flatMap((k) => [
        { body: { key: k.secret, require: { calls: 'read' } }, expect: 'VALID', keyId: k.id },
        { body: { key: k.secret, require: { calls: 'write' } }, expect: 'INSUFFICIENT_PERMISSIONS', keyId: k.id },
      ]),
      // A refusal names no key in its answer; it is counted against the key all the same.
      ...expired.map((k) => ({ body: { key: k.secret }, expect: 'EXPIRED', keyId: k.id })),
      // Well-formed, unknown: NOT_FOUND, counted against no key.
      { body: { key: generateKey('kw') }, expect: 'NOT_FOUND', keyId: null },
    ];
  }, 180_000);

  // A test that failed half-way leaves no node running for the next.
  afterEach(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  });

  afterAll(async () => {
    await database?.close();
    await nodeB?.dispose();
    await nodeA?.dispose();
  });

  /**
   * key_usage summed per key (public id) and code, from the rows of one grain (minute by default),
   * or project_usage's rows of that grain summed per code under the key id "project".
   */
  async function stored(grain: UsageGranularity = 'minute'): Promise<Tally> {
    const rows = await database.db
      .select({ id: apiKeys.publicId, code: keyUsage.code, n: sql<string>`sum(${keyUsage.count})` })
      .from(keyUsage)
      .leftJoin(apiKeys, eq(apiKeys.id, keyUsage.apiKeyId))
      .where(and(eq(keyUsage.projectId, seeded.projectId), eq(keyUsage.granularity, grain)))
      .groupBy(apiKeys.publicId, keyUsage.code);
    const tally: Tally = new Map();
    for (const row of rows) add(tally, row.id ?? 'a key that does not exist', row.code, Number(row.n));
    return tally;
  }

  /** Every grain of key_usage holds what its minute rows hold, and project_usage their sum per code. */
  async function expectGrainsAgree(): Promise<void> {
    const minutes = plain(await stored('minute'));
    for (const grain of ['hour', 'day'] as const) expect(plain(await stored(grain)), `${grain} rows`).toEqual(minutes);
    const perCode: Tally = new Map();
    for (const codes of (await stored('minute')).values()) for (const [code, n] of codes) add(perCode, 'project', code, n);
    for (const grain of GRANULARITIES) {
      const rows = await database.db
        .select({ code: projectUsage.code, n: sql<string>`sum(${projectUsage.count})` })
        .from(projectUsage)
        .where(and(eq(projectUsage.projectId, seeded.projectId), eq(projectUsage.granularity, grain)))
        .groupBy(projectUsage.code);
      const project: Tally = new Map();
      for (const row of rows) add(project, 'project', row.code, Number(row.n));
      expect(plain(project), `project_usage ${grain} rows`).toEqual(plain(perCode));
    }
  }

  /**
   * `rounds` of every kind of verification against `node`, 16 at a time, and `restCalls` REST
   * calls with the bearer key: what was answered about which key, by code. Each answer is the one
   * its kind expects.
   */
  async function send(node: ServerProcess, rounds: number, restCalls = 0): Promise<Tally> {
    const tally: Tally = new Map();
    const work = Array.from({ length: rounds }, () => kinds).flat();
    for (let start = 0; start < work.length; start += 16) {
      await Promise.all(
        work.slice(start, start + 16).map(async ({ body, expect: code, keyId }) => {
          const answer = await post(node.url, '/api/v1/keys/verify', body);
          expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 200, code });
          if (keyId) add(tally, keyId, code);
        }),
      );
    }
    for (let i = 0; i < restCalls; i++) {
      const response = await fetch(`${node.url}/api/v1/keys?pageSize=5`, { headers: { authorization: `Bearer ${seeded.bearer}` } });
      expect(response.status).toBe(200);
      add(tally, seeded.bearerId, 'VALID');
    }
    return tally;
  }

  /** What the node said at its orderly stop about the counts it wrote since `from` in its output. */
  const writtenSince = (node: ServerProcess, from: number) => parseWrittenLine(node.output().slice(from));

  it('counts every answer about a key exactly, summed across two nodes stopped with SIGTERM', async () => {
    // A writes every 300 ms, so its rows are added to many times; B only when it stops.
    await Promise.all([nodeA.start({ KEYWARD_USAGE_FLUSH_MS: '300' }), nodeB.start({ KEYWARD_USAGE_FLUSH_MS: '600000' })]);
    // A's in two halves, its timer's interval apart: at least two statements add to the same rows.
    const halvesA = async () => {
      const first = await send(nodeA, 12, 2);
      await pause(800);
      return merged(first, await send(nodeA, 11, 2));
    };
    const [sentA, sentB] = await Promise.all([halvesA(), send(nodeB, 17, 3)]);
    await Promise.all([nodeA.stop(), nodeB.stop()]);
    expect(nodeA.exit).toEqual({ code: 0, signal: null });
    expect(nodeB.exit).toEqual({ code: 0, signal: null });

    // Each node says what it wrote: every answer it gave about a key, in one statement or more.
    expect(writtenSince(nodeA, 0)).toMatchObject({ answers: sum(sentA), unwritten: 0 });
    expect(writtenSince(nodeB, 0)).toMatchObject({ statements: 1, answers: sum(sentB), unwritten: 0 });
    expect(writtenSince(nodeA, 0)!.statements).toBeGreaterThan(1);

    const tally = await stored();
    expect(plain(tally)).toEqual(plain(merged(sentA, sentB)));
    await expectGrainsAgree();
    // Per code, too: 23 + 17 rounds of 3 full-access keys, 2 readers and 2 expired keys, plus the REST calls.
    const perCode = (t: Tally) => Object.fromEntries(['VALID', 'INSUFFICIENT_PERMISSIONS', 'EXPIRED'].map((code) => [code, [...t.values()].reduce((n, codes) => n + (codes.get(code) ?? 0), 0)]));
    expect(perCode(tally)).toEqual({ VALID: 40 * 5 + 7, INSUFFICIENT_PERMISSIONS: 40 * 2, EXPIRED: 40 * 2 });
    for (const node of [nodeA, nodeB]) for (const secret of secrets) expect(node.output().includes(secret), 'a key secret in the server output').toBe(false);
  }, 180_000);

  it('SIGKILL loses at most what the killed node counted since its last flush', async () => {
    const before = await stored();
    const fromA = nodeA.output().length;
    // A writes only when it stops; B every 3 s (its timer starts at the first count after a write).
    await Promise.all([nodeA.start({ KEYWARD_USAGE_FLUSH_MS: '600000' }), nodeB.start({ KEYWARD_USAGE_FLUSH_MS: '3000' })]);
    const firstA = await send(nodeA, 5);
    const flushedB = await send(nodeB, 6, 2);
    // B's timer writes what it was sent: only B has written since, so the store grows by exactly that.
    const expectedAfterFlush = plain(merged(before, flushedB));
    for (let waited = 0; ; waited += 100) {
      if (JSON.stringify(plain(await stored())) === JSON.stringify(expectedAfterFlush)) break;
      expect(waited, 'node B never wrote its counts').toBeLessThan(15_000);
      await pause(100);
    }
    // More to both; B is killed at once, with what it counted since that write unwritten.
    const [secondA, lostB] = await Promise.all([send(nodeA, 4), send(nodeB, 9, 2)]);
    await nodeB.kill();
    await nodeA.stop();
    expect(nodeA.exit).toEqual({ code: 0, signal: null });
    expect(writtenSince(nodeA, fromA)).toMatchObject({ answers: sum(firstA) + sum(secondA), unwritten: 0 });

    // Everything A counted and everything B wrote before is there; of what B counted since, at
    // most all and at least nothing: per key and code, at least the floor and at most the ceiling.
    const floor = merged(before, firstA, secondA, flushedB);
    const ceiling = merged(floor, lostB);
    const after = await stored();
    for (const [keyId, codes] of ceiling) {
      for (const [code, most] of codes) {
        const n = after.get(keyId)?.get(code) ?? 0;
        expect(n, `${keyId} ${code}`).toBeGreaterThanOrEqual(floor.get(keyId)?.get(code) ?? 0);
        expect(n, `${keyId} ${code}`).toBeLessThanOrEqual(most);
      }
    }
    expect([...after.keys()].filter((keyId) => !ceiling.has(keyId))).toEqual([]);
    const lost = sum(ceiling) - sum(after);
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThanOrEqual(sum(lostB));
    // A statement is written whole or not at all: the grains agree however the node died.
    await expectGrainsAgree();
  }, 180_000);

  it('records clientAddress as the last-used address; an invalid one is a 400 naming the field and counts nothing', async () => {
    const served = await key('Served');
    const served6 = await key('Served over IPv6');
    const refused = await key('Refused address');
    await nodeA.start();
    expect((await post(nodeA.url, '/api/v1/keys/verify', { key: served.secret, clientAddress: '203.0.113.9' })).body.code).toBe('VALID');
    expect((await post(nodeA.url, '/api/v1/keys/verify', { key: served6.secret, clientAddress: '2001:db8::5' })).body.code).toBe('VALID');
    for (const clientAddress of ['not an address', '203.0.113.9:443', '999.1.2.3', '2001:db8::/64', 42, '']) {
      const answer = await post(nodeA.url, '/api/v1/keys/verify', { key: refused.secret, clientAddress });
      expect(answer.status, String(clientAddress)).toBe(400);
      expect(Object.keys((answer.body.error as { fields: object }).fields)).toEqual(['clientAddress']);
    }
    await nodeA.stop();

    const rows = await database.db
      .select({ id: apiKeys.publicId, address: apiKeys.lastUsedAddress, lastUsedAt: apiKeys.lastUsedAt, counted: sql<string>`(select coalesce(sum(count), 0) from ${keyUsage} where ${keyUsage.apiKeyId} = ${apiKeys.id} and ${keyUsage.granularity} = 'minute')` })
      .from(apiKeys)
      .where(and(eq(apiKeys.projectId, seeded.projectId), inArray(apiKeys.publicId, [served.id, served6.id, refused.id])));
    const byId = new Map(rows.map((row) => [row.id, { address: row.address, used: row.lastUsedAt !== null, counted: Number(row.counted) }]));
    expect(byId.get(served.id)).toEqual({ address: '203.0.113.9', used: true, counted: 1 });
    expect(byId.get(served6.id)).toEqual({ address: '2001:db8::5', used: true, counted: 1 });
    expect(byId.get(refused.id)).toEqual({ address: null, used: false, counted: 0 });
  }, 180_000);
});
