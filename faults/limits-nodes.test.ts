/**
 * A key's limits across two production servers on one PostgreSQL database (lib/limits): each node
 * decides locally and exchanges its counts every KEYWARD_LIMITS_EXCHANGE_MS, so together they may
 * admit past a rate limit, or spend past a usage cap, by at most one exchange interval of their
 * traffic. Clients drive a rate-limited key and a capped key through both nodes at once; the test
 * prints what went past each limit and checks it against that bound, computed from the requests
 * the clients actually sent to each node. A limit edited with PATCH on one node holds on the other
 * within a second (the change notification). The limits' webhooks (api_key.rate_limited,
 * api_key.usage_low) go out once, though both nodes saw them due. A bad KEYWARD_LIMITS_EXCHANGE_MS
 * stops a server at start. Needs a production build (`npm run build`); run with
 * `npm run test:faults`.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { apiKeys, webhookDeliveries } from '@/db/schema';
import { serverProcessUnavailable, type ServerProcess, type SeededProject } from '@/lib/testing/server-process';
import { apiClient, pause, secretsLoggedIn, stageWithReceiver, type Api, type Stage } from './support';

const unavailable = await serverProcessUnavailable();
if (unavailable) console.warn(`faults/limits-nodes.test.ts skipped: ${unavailable}.`);

const EXCHANGE_MS = 500;
/** Concurrent clients per node. */
const CLIENTS = 8;
/** Once every node has refused, the clients go on this long: several exchanges, so the last admission anywhere is behind them. */
const AFTER_REFUSED_MS = 6 * EXCHANGE_MS;
const HOUR_MS = 3_600_000;

/** What one node was sent: each request's start (ms, this process's clock) and its answer's code. */
type Sent = { at: number[]; codes: Map<string, number> };

/** The most requests that started within any `spanMs` (the list in order of start). */
function busiest(at: number[], spanMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < at.length; last++) {
    while (at[last]! - at[first]! >= spanMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe.skipIf(unavailable)(`Limits across two nodes${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let stage: Stage | undefined;
  let nodeA: ServerProcess;
  let nodeB: ServerProcess | undefined;
  let database: Database;
  let seeded: SeededProject;
  let apiA: Api;
  let apiB: Api;

  beforeAll(async () => {
    const env = { KEYWARD_LIMITS_EXCHANGE_MS: String(EXCHANGE_MS), KEYWARD_WEBHOOK_POLL_MS: '200' };
    stage = await stageWithReceiver({ prefix: 'keyward_faults_limits', slug: 'faults-limits', env, webhookKey: true });
    ({ server: nodeA, database, seeded, api: apiA } = stage);
    nodeB = await nodeA.sibling();
    await nodeB.start();
    apiB = apiClient(nodeB.url, seeded.bearer);
  }, 180_000);

  afterAll(async () => {
    await nodeB?.dispose();
    await stage?.dispose();
  });

  async function createKey(name: string, limits: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const answer = await apiA.call('POST', '/api/v1/keys', { name, ...limits });
    expect(answer.status).toBe(201);
    return { id: answer.body.id as string, secret: answer.body.key as string };
  }

  /** Hour-long windows are aligned to the hour: a run that would cross one waits for the next. */
  async function awayFromTheHour(runMs: number): Promise<void> {
    const left = HOUR_MS - (Date.now() % HOUR_MS);
    if (left < runMs) await pause(left + 1_000);
  }

  /**
   * CLIENTS clients per node verify `secret` back to back until both nodes have refused it
   * (`refusal`) and AFTER_REFUSED_MS more have passed (or a minute, whatever happens).
   */
  async function drive(secret: string, refusal: string): Promise<Sent[]> {
    const apis = [apiA, apiB];
    const sent: Sent[] = apis.map(() => ({ at: [], codes: new Map() }));
    const refusedAt: Array<number | undefined> = apis.map(() => undefined);
    const started = performance.now();
    const done = () => {
      const now = performance.now();
      if (now - started > 60_000) return true;
      return refusedAt.every((at) => at !== undefined && now - at >= AFTER_REFUSED_MS);
    };
    await Promise.all(
      apis.flatMap((api, node) =>
        Array.from({ length: CLIENTS }, async () => {
          while (!done()) {
            const at = performance.now();
            const answer = await api.verify(secret);
            const code = String(answer.body.code ?? answer.status);
            sent[node]!.at.push(at);
            sent[node]!.codes.set(code, (sent[node]!.codes.get(code) ?? 0) + 1);
            if (code === refusal) refusedAt[node] ??= performance.now();
          }
        }),
      ),
    );
    for (const one of sent) one.at.sort((a, b) => a - b);
    return sent;
  }

  /**
   * Drives `secret` through both nodes until both refuse it with `refusal`, prints how far past a
   * limit of `allowed` they went beside the bound — one exchange interval of every node's traffic:
   * the most requests each node was sent within any EXCHANGE_MS, summed — and holds them to it.
   */
  async function overshoot(what: string, allowed: number, secret: string, refusal: string): Promise<void> {
    const sent = await drive(secret, refusal);
    const valid = sent.reduce((total, one) => total + (one.codes.get('VALID') ?? 0), 0);
    const perInterval = sent.map((one) => busiest(one.at, EXCHANGE_MS));
    const bound = perInterval.reduce((a, b) => a + b, 0);
    const requests = sent.map((one) => one.at.length);
    const over = valid - allowed;
    console.log(
      `${what}: ${allowed} allowed, ${valid} VALID across 2 nodes (A ${sent[0]!.codes.get('VALID') ?? 0}, B ${sent[1]!.codes.get('VALID') ?? 0}): ` +
        `over by ${over}; bound ${bound} = one ${EXCHANGE_MS} ms exchange interval of both nodes' traffic ` +
        `(busiest interval: A ${perInterval[0]}, B ${perInterval[1]} requests; ${requests[0]} + ${requests[1]} requests sent)`,
    );
    expect(sent.every((one) => (one.codes.get(refusal) ?? 0) > 0)).toBe(true);
    expect([...new Set(sent.flatMap((one) => [...one.codes.keys()]))].sort()).toEqual([refusal, 'VALID'].sort());
    expect(valid).toBeGreaterThanOrEqual(allowed);
    expect(over).toBeLessThanOrEqual(bound);
  }

  it('a rate limit driven through both nodes is overshot by at most one exchange interval of their traffic', async () => {
    await awayFromTheHour(90_000);
    const limit = 1_500;
    const key = await createKey('Rate limited on two nodes', { rateLimit: { limit, windowSeconds: 3_600 } });
    await overshoot('rate limit', limit, key.secret, 'RATE_LIMITED');
    // Both nodes have exchanged since: the window is closed everywhere.
    for (const api of [apiA, apiB]) expect((await api.verify(key.secret)).body).toMatchObject({ valid: false, code: 'RATE_LIMITED' });
  }, 180_000);

  it('a usage cap spent through both nodes is overspent by at most one exchange interval of their traffic, and counts down to zero', async () => {
    const uses = 1_500;
    const key = await createKey('Capped on two nodes', { usage: { remaining: uses } });
    await overshoot('usage cap', uses, key.secret, 'USAGE_EXCEEDED');
    const [row] = await database.db.select({ remaining: apiKeys.usageRemaining }).from(apiKeys).where(eq(apiKeys.publicId, key.id));
    expect(row!.remaining).toBe(0);
    expect((await apiB.call('GET', `/api/v1/keys/${key.id}`)).body.usage).toEqual({ remaining: 0, refill: null });
  }, 180_000);

  it('a limit edited with PATCH on one node holds on the other within a second', async () => {
    await awayFromTheHour(30_000);
    const key = await createKey('Edited on A', { rateLimit: { limit: 1_000_000, windowSeconds: 3_600 } });
    // B knows the key (its cache holds it) and has admitted it a few times under the old limit.
    for (let i = 0; i < 3; i++) expect((await apiB.verify(key.secret)).body.code).toBe('VALID');
    const latencies: string[] = [];
    for (const [edit, refusal] of [
      [{ rateLimit: { limit: 1, windowSeconds: 3_600 } }, 'RATE_LIMITED'],
      [{ rateLimit: null, usage: { remaining: 0 } }, 'USAGE_EXCEEDED'],
    ] as const) {
      const patched = await apiA.call('PATCH', `/api/v1/keys/${key.id}`, edit);
      expect(patched.status).toBe(200);
      const answeredAt = performance.now();
      let code: unknown;
      let tries = 0;
      while (performance.now() - answeredAt < 1_000) {
        code = (await apiB.verify(key.secret)).body.code;
        tries++;
        if (code === refusal) break;
        await pause(5);
      }
      expect(code, `node B within a second of ${JSON.stringify(edit)} on node A`).toBe(refusal);
      latencies.push(`${Object.keys(edit).join(' and ')}: ${(performance.now() - answeredAt).toFixed(0)} ms (${tries} verification${tries === 1 ? '' : 's'})`);
    }
    console.log(`limit edited with PATCH on node A, first refusal on node B after: ${latencies.join('; ')}`);
  }, 180_000);

  it('sends api_key.rate_limited and api_key.usage_low once per key, though both nodes saw them due', async () => {
    const rows = async () =>
      database.db
        .select({ key: sql<string>`(${webhookDeliveries.payload})::jsonb #>> '{data,key,name}'`, type: webhookDeliveries.eventType, status: webhookDeliveries.status, messageId: webhookDeliveries.messageId })
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.projectId, seeded.projectId), sql`${webhookDeliveries.eventType} in ('api_key.rate_limited', 'api_key.usage_low')`));
    const deadline = Date.now() + 30_000;
    let notices = await rows();
    while (Date.now() < deadline && !(notices.length > 0 && notices.every((row) => row.status === 'delivered'))) {
      await pause(200);
      notices = await rows();
    }
    const named = (name: string, type: string) => notices.filter((row) => row.key === name && row.type === type);
    expect(named('Rate limited on two nodes', 'api_key.rate_limited')).toHaveLength(1);
    expect(named('Capped on two nodes', 'api_key.usage_low')).toHaveLength(1);
    expect(named('Capped on two nodes', 'api_key.rate_limited')).toEqual([]);
    for (const row of notices) {
      expect(row.status).toBe('delivered');
      expect(stage!.receiver.received.has(row.messageId)).toBe(true);
    }
    for (const node of [nodeA, nodeB!]) expect(secretsLoggedIn(node.output())).toMatchObject({ found: 0 });
  }, 60_000);

  it('a KEYWARD_LIMITS_EXCHANGE_MS over a second stops a node at start with one clear line', async () => {
    const wrong = await nodeA.sibling({ KEYWARD_LIMITS_EXCHANGE_MS: '5000' });
    try {
      await expect(wrong.start()).rejects.toThrow(/exited before it was ready/);
      expect(wrong.exit).toEqual({ code: 1, signal: null });
      // Its last words may arrive just after it exits.
      await expect
        .poll(() => wrong.messages())
        .toContain(`Keyward cannot start: KEYWARD_LIMITS_EXCHANGE_MS must be at most 1000 (limits overshoot across nodes by one interval's traffic), got "5000".`);
    } finally {
      await wrong.dispose();
    }
  }, 120_000);
});
