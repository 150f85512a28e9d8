/**
 * Racing calls on the production server over PostgreSQL: twenty parallel "set as webhook key"
 * calls leave exactly one webhook key; of two parallel rotations of one key one wins and the
 * other is refused 409; of parallel deletes of one key one answers 204 and the rest 404. Each
 * leaves one audit event and one outbox row per change that happened, and nothing else. Needs a
 * production build (`npm run build`); run with `npm run test:faults`.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { auditEvents } from '@/db/schema';
import { serverProcessUnavailable, type ServerProcess, type SeededProject } from '@/lib/testing/server-process';
import { stageWithReceiver, type Stage, projectState, type Api, secretsLoggedIn } from './support';

const unavailable = await serverProcessUnavailable();
if (unavailable) console.warn(`faults/concurrency.test.ts skipped: ${unavailable}.`);

describe.skipIf(unavailable)(`Racing REST calls${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let server: ServerProcess;
  let database: Database;
  let seeded: SeededProject;
  let api: Api;

  async function createKeys(prefix: string, count: number): Promise<{ id: string; secret: string }[]> {
    const keys = [];
    for (let i = 0; i < count; i++) {
      const answer = await api.call('POST', '/api/v1/keys', { name: `${prefix} ${i}` });
      expect(answer.status).toBe(201);
      keys.push({ id: answer.body.id as string, secret: answer.body.key as string });
    }
    return keys;
  }

  let stage: Stage | undefined;

  beforeAll(async () => {
    stage = await stageWithReceiver({ prefix: 'keyward_faults_race', slug: 'faults-race', env: { KEYWARD_WEBHOOK_POLL_MS: '200' } });
    ({ server, database, seeded, api } = stage);
  }, 180_000);

  afterAll(() => stage?.dispose());

  it('twenty parallel "set as webhook key" calls on different keys leave exactly one', async () => {
    const keys = await createKeys('Signer', 20);
    const answers = await Promise.all(keys.map((key) => api.call('PUT', '/api/v1/webhook-key', { keyId: key.id })));
    expect(answers.map((answer) => answer.status)).toEqual(keys.map(() => 200));

    const state = await projectState(database.db, seeded.projectId);
    const webhookKeys = [...state.keys.values()].filter((key) => key.isWebhookKey);
    expect(webhookKeys).toHaveLength(1);
    const listed = await api.call('GET', '/api/v1/keys?pageSize=100');
    expect((listed.body.data as { id: string; webhook: boolean }[]).filter((key) => key.webhook).map((key) => key.id)).toEqual([webhookKeys[0]!.id]);

    // Each call was a change (none of the keys was the webhook key before it): one event each,
    // chained — every event names the key the one before it chose.
    const events = await database.db
      .select({ target: auditEvents.targetId, metadata: auditEvents.metadata })
      .from(auditEvents)
      .where(and(eq(auditEvents.projectId, seeded.projectId), eq(auditEvents.action, 'webhook_key.changed')));
    expect(events).toHaveLength(20);
    const next = new Map(events.map((event) => [event.metadata.previousKeyId as string | null, event.target]));
    let current: string | null | undefined = null;
    for (let step = 0; step < 20; step++) current = next.get(current ?? null);
    expect(current).toBe(webhookKeys[0]!.id);
    for (const key of keys) expect(state.keys.get(key.id)!.outbox['webhook_key.changed']).toBe(1);
  });

  it('of two parallel rotations of one key, one wins and the other is refused 409', async () => {
    const keys = await createKeys('Rotated twice', 5);
    const rounds: number[][] = [];
    for (const key of keys) {
      const answers = await Promise.all([0, 1].map(() => api.call('POST', `/api/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 0 })));
      rounds.push(answers.map((answer) => answer.status).sort());
      const winner = answers.find((answer) => answer.status === 200)!;
      const loser = answers.find((answer) => answer.status === 409)!;
      expect(loser?.body.error).toMatchObject({ code: 'conflict' });
      // The winner's secret is the key's only one; the loser changed nothing.
      expect((await api.verify(winner.body.key as string)).body).toMatchObject({ code: 'VALID', keyId: key.id });
      expect((await api.verify(key.secret)).body).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(rounds).toEqual(keys.map(() => [200, 409]));
    const state = await projectState(database.db, seeded.projectId);
    for (const key of keys) {
      const held = state.keys.get(key.id)!;
      expect(held.secrets).toHaveLength(1);
      expect(held.audit['api_key.rotated']).toBe(1);
      expect(held.outbox['api_key.rotated']).toBe(1);
    }
  });

  it('choosing the webhook key while the same keys are renamed, rotated and deleted never fails with a 5xx', async () => {
    const keys = await createKeys('Contested', 30);
    const answers = await Promise.all(
      keys.flatMap((key, i) => [
        api.call('PUT', '/api/v1/webhook-key', { keyId: key.id }),
        i % 3 === 0
          ? api.call('PATCH', `/api/v1/keys/${key.id}`, { name: `Contested ${i} renamed` })
          : i % 3 === 1
            ? api.call('POST', `/api/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 60 })
            : api.call('DELETE', `/api/v1/keys/${key.id}`),
      ]),
    );
    const statuses = answers.map((answer) => answer.status);
    // A delete may win over the choice of its key (404); nothing else may fail.
    expect(statuses.filter((status) => status >= 500 || status === 0)).toEqual([]);
    const state = await projectState(database.db, seeded.projectId);
    expect([...state.keys.values()].filter((key) => key.isWebhookKey).length).toBeLessThanOrEqual(1);
    expect(state.countedKeys, 'project_key_counts').toBe(state.keyCount);
  });

  it('of parallel deletes of one key, one answers 204 and the rest 404', async () => {
    const [key] = await createKeys('Deleted', 1);
    const before = await projectState(database.db, seeded.projectId);
    const answers = await Promise.all(Array.from({ length: 10 }, () => api.call('DELETE', `/api/v1/keys/${key!.id}`)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([204, ...Array<number>(9).fill(404)]);

    const state = await projectState(database.db, seeded.projectId);
    expect(state.keys.has(key!.id)).toBe(false);
    expect(state.keyCount).toBe(before.keyCount - 1);
    expect(state.countedKeys, 'project_key_counts').toBe(state.keyCount);
    // The deleted key's events outlive it: its creation and one deletion, each queued once.
    const gained = (after: Record<string, number>, earlier: Record<string, number>) =>
      Object.fromEntries(Object.entries(after).flatMap(([action, n]) => (n === (earlier[action] ?? 0) ? [] : [[action, n - (earlier[action] ?? 0)]])));
    expect(gained(state.orphanAudit, before.orphanAudit)).toEqual({ 'api_key.created': 1, 'api_key.deleted': 1 });
    expect(gained(state.orphanOutbox, before.orphanOutbox)).toEqual({ 'api_key.created': 1, 'api_key.deleted': 1 });
    expect((await api.verify(key!.secret)).body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('printed none of the keys its clients were given', () => {
    const { checked, found } = secretsLoggedIn(server.output());
    expect(checked).toBeGreaterThan(1);
    expect(found).toBe(0);
  });
});
