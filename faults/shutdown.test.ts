/**
 * SIGTERM is an orderly stop: the server takes no new connections, lets the webhook attempt
 * under way end and writes the last-used notes it was holding, closes its database and exits 0.
 * Needs a production build (`npm run build`); run with `npm run test:faults`.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { apiKeys, webhookDeliveries } from '@/db/schema';
import { serverProcessUnavailable, type ServerProcess, type SeededProject } from '@/lib/testing/server-process';
import { stageWithReceiver, type Stage, pause, startReceiver, type Api } from './support';

const unavailable = await serverProcessUnavailable();
if (unavailable) console.warn(`faults/shutdown.test.ts skipped: ${unavailable}.`);

/** How long the receiver holds each delivery before answering. */
const RECEIVER_DELAY_MS = 1500;

describe.skipIf(unavailable)(`SIGTERM${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let server: ServerProcess;
  let database: Database;
  let seeded: SeededProject;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let api: Api;

  let stage: Stage | undefined;

  beforeAll(async () => {
    stage = await stageWithReceiver({
      prefix: 'keyward_faults_stop',
      slug: 'faults-stop',
      env: { KEYWARD_WEBHOOK_POLL_MS: '100' },
      receiverDelayMs: RECEIVER_DELAY_MS,
      webhookKey: true,
    });
    ({ server, database, seeded, receiver, api } = stage);
  }, 180_000);

  afterAll(() => stage?.dispose());

  it('finishes the webhook attempt under way, writes the pending last-used note, and exits 0', async () => {
    const created = await api.call('POST', '/api/v1/keys', { name: 'Stopped gently' });
    expect(created.status).toBe(201);
    const publicId = created.body.id as string;
    // A verification's last-used note waits about a second before it is written.
    expect((await api.verify(created.body.key as string)).body.code).toBe('VALID');

    // The creation's delivery reaches the receiver, which holds it.
    const before = receiver.arrivals();
    for (let waited = 0; receiver.arrivals() === before; waited += 20) {
      expect(waited, 'the delivery never arrived').toBeLessThan(10_000);
      await pause(20);
    }
    const started = performance.now();
    await server.stop();
    const took = performance.now() - started;

    expect(server.exit).toEqual({ code: 0, signal: null });
    // It waited for the receiver's answer, and no longer than a delivery's timeout allows.
    expect(took).toBeLessThan(RECEIVER_DELAY_MS + 10_000);
    const [key] = await database.db.select({ id: apiKeys.id, lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.publicId, publicId));
    expect(key?.lastUsedAt, `last_used_at after an orderly stop; the server said:\n${server.output().slice(-3000)}`).not.toBeNull();
    const deliveries = await database.db
      .select({ status: webhookDeliveries.status, messageId: webhookDeliveries.messageId, payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.projectId, seeded.projectId), eq(webhookDeliveries.eventType, 'api_key.created')));
    const mine = deliveries.filter((delivery) => delivery.payload.includes(publicId));
    expect(mine.map((delivery) => delivery.status)).toEqual(['delivered']);
    expect(receiver.received.has(mine[0]!.messageId)).toBe(true);
  }, 60_000);
});
