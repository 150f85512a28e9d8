/**
 * The stage of bench:load and bench:soak: the production server (`dist/server.mjs`, as `npm start`
 * runs it) on a temporary PostgreSQL database, with a project (a full-access key for the REST API,
 * keys to verify, a webhook endpoint pointing at a receiver this process runs) and a webhook key
 * chosen through the API, as an operator would.
 */
import http from 'node:http';
import type { Database } from '@/db/client';
import { createKey } from '@/lib/keys/create';
import { activeCatalogue } from '@/lib/permissions/load';
import { seedProject, serverProcessUnavailable, ServerProcess } from '@/lib/testing/server-process';
import { startReceiver } from '@/lib/testing/webhook-receiver';
import { snapshot, type Snapshot } from './load-checks';
import { send, World, type Setup } from './load-mix';

export type Stage = {
  server: ServerProcess;
  /** This process's connection to the server's database, for the end-state checks. */
  database: Database;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  setup: Setup & { projectId: string; seededIds: string[] };
  world: World;
  /** The audit and outbox counts before the load. */
  before: Snapshot;
  dispose(): Promise<void>;
};

export async function stageLoad(prefix: string, env: Record<string, string> = {}): Promise<Stage> {
  const unavailable = await serverProcessUnavailable();
  if (unavailable) throw new Error(unavailable);
  const receiver = await startReceiver('/keyward-webhooks');
  // Unknown and malformed keys are a fifth of the load from one address: without this they
  // would be answered RATE_LIMITED after 100 a minute, as they should in production.
  const server = await ServerProcess.create({ prefix, env: { KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE: String(1_000_000_000), ...env } });
  const database = server.open();
  const dispose = async () => {
    await database.close();
    await server.dispose();
    await receiver.close();
  };
  try {
    const catalogue = activeCatalogue();
    const seeded = await seedProject(database, { slug: 'load', webhookUrl: receiver.url });
    const actor = { type: 'system', projectSlug: 'load', label: 'bench' } as const;
    const seedKeys = async (name: string, count: number, permissions?: Record<string, string>) => {
      const made: { id: string; secret: string }[] = [];
      for (let i = 0; i < count; i++) {
        const { key, secret } = await createKey(database.db, actor, { name: count === 1 ? name : `${name} ${i}`, permissions }, { catalogue });
        made.push({ id: key.id, secret });
      }
      return made;
    };
    const full = await seedKeys('Verify full access', 4);
    const reader = await seedKeys('Verify reader', 4, { calls: 'read', messages: 'read', statistics: 'read' });
    const [signer] = await seedKeys('Webhook signer', 1);
    await server.start();
    const setup = {
      port: server.port,
      bearer: seeded.bearer,
      full: full.map((key) => key.secret),
      reader: reader.map((key) => key.secret),
      projectId: seeded.projectId,
      seededIds: [seeded.bearerId, signer!.id, ...full.map((key) => key.id), ...reader.map((key) => key.id)],
    };
    const world = new World();
    const before = await snapshot(database.db, seeded.projectId);
    // Deliveries are signed with the webhook key: choose one through the API, as an operator would.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const chosen = await send(agent, server.port, 'PUT', '/api/v1/webhook-key', { keyId: signer!.id }, seeded.bearer);
    agent.destroy();
    world.outcome('webhook_key.changed', chosen.status, 200);
    if (chosen.status !== 200) throw new Error(`PUT /api/v1/webhook-key answered ${chosen.status}: ${chosen.body}`);
    // The signer stays: the world knows it as a key chosen for signing, never to be deleted.
    world.live.push({ id: signer!.id, secrets: [], signer: true });
    console.log(`seeded: project "load", ${setup.seededIds.length} keys, webhook endpoint → ${receiver.url} (every key event), webhook key ${signer!.id}`);
    return { server, database, receiver, setup, world, before, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
