/**
 * A verify node (KEYWARD_ROLE=verify, lib/api/verify-node.ts) beside a console node on one
 * PostgreSQL database: it verifies keys made on the console node, counts its answers into the
 * same usage, drops a key deleted on the console node within a second (the change notification),
 * answers its health checks, and refuses every other path with a 404 that names the console.
 * On the embedded database it refuses to start and says why. Needs a
 * production build (`npm run build`); run with `npm run test:faults`.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@/db/client';
import { ServerProcess, serverProcessUnavailable } from '@/lib/testing/server-process';
import { apiClient, pause, secretsLoggedIn, stageWithReceiver, type Api, type Stage } from './support';

const unavailable = await serverProcessUnavailable();
if (unavailable) console.warn(`faults/verify-node.test.ts skipped: ${unavailable}.`);

describe.skipIf(unavailable)(`A verify node beside a console node${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let stage: Stage | undefined;
  let verifyNode: ServerProcess | undefined;
  let consoleApi: Api;
  let nodeApi: Api;

  beforeAll(async () => {
    stage = await stageWithReceiver({ prefix: 'keyward_faults_verify_node', slug: 'faults-verify-node', env: { KEYWARD_USAGE_FLUSH_MS: '200' } });
    consoleApi = stage.api;
    verifyNode = await stage.server.sibling({ KEYWARD_ROLE: 'verify' });
    await verifyNode.start();
    nodeApi = apiClient(verifyNode.url, stage.seeded.bearer);
  }, 180_000);

  afterAll(async () => {
    await verifyNode?.dispose();
    await stage?.dispose();
  });

  it('verifies the keys made on the console node, counts its answers, and forgets a deleted key within a second', async () => {
    const created = await consoleApi.call('POST', '/api/v1/keys', { name: 'Verified on the node' });
    expect(created.status).toBe(201);
    const { id, key } = created.body as { id: string; key: string };

    for (let i = 0; i < 5; i++) {
      const answer = await nodeApi.verify(key);
      expect(answer).toMatchObject({ status: 200, body: { valid: true, code: 'VALID', keyId: id } });
    }
    // The node's counts reach the shared usage table (flushed every 200 ms here).
    const counted = async () => {
      const [row] = await queryRows<{ n: string | number | null }>(
        stage!.database.db,
        sql`select sum(u.count) as n from key_usage u join api_keys k on k.id = u.api_key_id where k.public_id = ${id} and u.code = 'VALID' and u.granularity = 'minute'`,
      );
      return Number(row?.n ?? 0);
    };
    await expect.poll(counted, { timeout: 5_000 }).toBe(5);

    expect((await consoleApi.call('DELETE', `/api/v1/keys/${id}`)).status).toBe(204);
    const deletedAt = performance.now();
    let code = 'VALID';
    while (code === 'VALID' && performance.now() - deletedAt < 5_000) {
      code = String((await nodeApi.verify(key)).body.code);
      if (code === 'VALID') await pause(50);
    }
    expect(code).toBe('NOT_FOUND');
    expect(performance.now() - deletedAt).toBeLessThan(1_000);
  });

  it('answers its health checks, and nothing but verify besides', async () => {
    const live = await fetch(`${verifyNode!.url}/api/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    expect(live.headers.get('x-request-id')).toBeTruthy();
    const ready = await fetch(`${verifyNode!.url}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'ok' });

    for (const [method, path] of [
      ['GET', '/api/v1/keys'],
      ['POST', '/api/v1/keys'],
      ['GET', '/login'],
      ['GET', '/projects/faults-verify-node/settings/api-keys'],
      ['POST', '/api/health/live'],
    ] as const) {
      const answer = await nodeApi.call(method, path, method === 'POST' ? { name: 'Not here' } : undefined);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('verify node') } });
    }
    const verifyGet = await fetch(`${verifyNode!.url}/api/v1/keys/verify`);
    expect(verifyGet.status).toBe(405);
  });

  it('says what it is when it starts, and logs no secret', async () => {
    await pause(200);
    const output = verifyNode!.output();
    expect(output).toContain('Keyward verify node listening on');
    expect(secretsLoggedIn(output).found).toBe(0);
  });
});

describe('A verify node on the embedded database', () => {
  it('refuses to start, and says why', async () => {
    const node = await ServerProcess.create({ prefix: 'keyward_faults_verify_node_pglite', driver: 'pglite', env: { KEYWARD_ROLE: 'verify' } });
    try {
      await expect(node.start()).rejects.toThrow();
      expect(node.output()).toContain('KEYWARD_ROLE=verify needs PostgreSQL (DATABASE_URL)');
    } finally {
      await node.dispose();
    }
  });
});
