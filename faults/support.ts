/**
 * What the fault tests share: a REST client that reports a dropped connection as an outcome
 * rather than throwing, a webhook receiver that answers 204, and the database's view of a
 * project's keys with their secrets, audit events and outbox rows.
 */
import { and, eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Database, Db } from '@/db/client';
import { apiKeys, apiKeySecrets, auditEvents, projectKeyCounts, webhookDeliveries } from '@/db/schema';
import { hashKey } from '@/lib/keys/crypto';
import { seedProject, ServerProcess, type SeededProject } from '@/lib/testing/server-process';
import { startReceiver } from '@/lib/testing/webhook-receiver';

/** An answer, or `status: 0` when the connection failed before one came (a killed server). */
export type Answer = { status: number; body: Record<string, unknown> };

export type Api = {
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  verify(key: string): Promise<Answer>;
};

/** Every key secret a fault test's clients held: none may appear in what the server printed. */
const secretsSeen = new Set<string>();

/** How many of the secrets the clients held appear in `output` (the count only: never the secrets). */
export function secretsLoggedIn(output: string): { checked: number; found: number } {
  let found = 0;
  for (const secret of secretsSeen) if (output.includes(secret)) found++;
  return { checked: secretsSeen.size, found };
}

export function apiClient(baseUrl: string, bearer: string): Api {
  secretsSeen.add(bearer);
  async function send(method: string, path: string, body: unknown, authorized: boolean): Promise<Answer> {
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(authorized ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (typeof answer.key === 'string') secretsSeen.add(answer.key);
      return { status: response.status, body: answer };
    } catch {
      return { status: 0, body: {} };
    }
  }
  return {
    call: (method, path, body) => send(method, path, body, true),
    verify: (key) => send('POST', '/api/v1/keys/verify', { key }, false),
  };
}

export { startReceiver } from '@/lib/testing/webhook-receiver';

/**
 * A production server on a fresh database, with a seeded project whose webhook endpoint is a
 * receiver in this process (answering after `receiverDelayMs`) and a client holding its bearer
 * key; `webhookKey` also makes that key the project's webhook key, so deliveries go out.
 */
export type Stage = {
  server: ServerProcess;
  database: Database;
  seeded: SeededProject;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  api: Api;
  dispose(): Promise<void>;
};

export async function stageWithReceiver(options: {
  prefix: string;
  slug: string;
  env?: Record<string, string>;
  receiverDelayMs?: number;
  webhookKey?: boolean;
}): Promise<Stage> {
  const receiver = await startReceiver('/hooks', { delayMs: options.receiverDelayMs });
  const server = await ServerProcess.create({ prefix: options.prefix, env: options.env });
  const database = server.open();
  const seeded = await seedProject(database, { slug: options.slug, webhookUrl: receiver.url });
  await server.start();
  const api = apiClient(server.url, seeded.bearer);
  if (options.webhookKey) expect((await api.call('PUT', '/api/v1/webhook-key', { keyId: seeded.bearerId })).status).toBe(200);
  return {
    server,
    database,
    seeded,
    receiver,
    api,
    dispose: async () => {
      await database.close();
      await server.dispose();
      await receiver.close();
    },
  };
}

export type KeyState = {
  id: string;
  name: string;
  isWebhookKey: boolean;
  /** Hashes of its secrets; `current` are those without an end. */
  secrets: { hash: string; current: boolean; expiresAt: Date | null }[];
  audit: Record<string, number>;
  outbox: Record<string, number>;
};

export type ProjectState = {
  keys: Map<string, KeyState>;
  /** Audit events and outbox rows naming a key that does not exist, by action. */
  orphanAudit: Record<string, number>;
  orphanOutbox: Record<string, number>;
  keyCount: number;
  countedKeys: number;
};

const bump = (counts: Record<string, number>, name: string, by = 1) => {
  counts[name] = (counts[name] ?? 0) + by;
};

/** Everything the database holds about a project's keys, read after the fact. */
export async function projectState(db: Db, projectId: string): Promise<ProjectState> {
  const keys = new Map<string, KeyState>();
  const rows = await db
    .select({ id: apiKeys.publicId, name: apiKeys.name, isWebhookKey: apiKeys.isWebhookKey, hash: apiKeySecrets.hash, expiresAt: apiKeySecrets.expiresAt })
    .from(apiKeys)
    .leftJoin(apiKeySecrets, eq(apiKeySecrets.apiKeyId, apiKeys.id))
    .where(eq(apiKeys.projectId, projectId));
  for (const row of rows) {
    let key = keys.get(row.id);
    if (!key) keys.set(row.id, (key = { id: row.id, name: row.name, isWebhookKey: row.isWebhookKey, secrets: [], audit: {}, outbox: {} }));
    if (row.hash) key.secrets.push({ hash: row.hash, current: row.expiresAt === null, expiresAt: row.expiresAt });
  }
  const orphanAudit: Record<string, number> = {};
  const orphanOutbox: Record<string, number> = {};
  const audit = await db
    .select({ target: auditEvents.targetId, action: auditEvents.action, count: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(and(eq(auditEvents.projectId, projectId), eq(auditEvents.targetType, 'api_key')))
    .groupBy(auditEvents.targetId, auditEvents.action);
  for (const row of audit) {
    const key = keys.get(row.target ?? '');
    if (key) bump(key.audit, row.action, row.count);
    else bump(orphanAudit, row.action, row.count);
  }
  const outbox = await db
    .select({ target: sql<string>`(${webhookDeliveries.payload})::jsonb #>> '{data,key,id}'`, type: webhookDeliveries.eventType, count: sql<number>`count(*)::int` })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.projectId, projectId))
    .groupBy(sql`1`, webhookDeliveries.eventType);
  for (const row of outbox) {
    const key = keys.get(row.target ?? '');
    if (key) bump(key.outbox, row.type, row.count);
    else bump(orphanOutbox, row.type, row.count);
  }
  const [counted] = await db.select({ count: projectKeyCounts.keyCount }).from(projectKeyCounts).where(eq(projectKeyCounts.projectId, projectId));
  return { keys, orphanAudit, orphanOutbox, keyCount: keys.size, countedKeys: counted?.count ?? 0 };
}

/** What verification must answer for a secret, judged from the database alone. */
export function expectedVerdict(state: ProjectState, secret: string, now = new Date()): { code: 'VALID' | 'NOT_FOUND'; keyId: string | null } {
  const hash = hashKey(secret);
  for (const key of state.keys.values()) {
    const held = key.secrets.find((candidate) => candidate.hash === hash);
    if (held && (held.expiresAt === null || held.expiresAt > now)) return { code: 'VALID', keyId: key.id };
  }
  return { code: 'NOT_FOUND', keyId: null };
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
