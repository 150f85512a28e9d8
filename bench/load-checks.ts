/**
 * What bench:load and bench:soak check once the load has ended, against the database and the
 * API: every key the clients hold listed exactly once, audit events equal to the changes the
 * clients saw succeed, exactly one webhook key, one outbox row per key event (all delivered),
 * project_key_counts equal to the real count, and verification agreeing with the database for the
 * secrets the clients hold. Nothing lost: a write that was answered is there.
 */
import http from 'node:http';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets, auditEvents, projectKeyCounts, webhookDeliveries } from '@/db/schema';
import { hashKey } from '@/lib/keys/crypto';
import { WEBHOOK_EVENTS } from '@/lib/webhooks/events';
import { MUTATIONS, send, type Setup, type World } from './load-mix';
import { fmt } from './load-report';

const DRAIN_TIMEOUT_MS = 120_000;

export type Snapshot = { audit: Map<string, number>; outbox: Map<string, number> };

export async function snapshot(db: Db, projectId: string): Promise<Snapshot> {
  const audit = await db
    .select({ action: auditEvents.action, count: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(eq(auditEvents.projectId, projectId))
    .groupBy(auditEvents.action);
  const outbox = await db
    .select({ type: webhookDeliveries.eventType, count: sql<number>`count(*)::int` })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.projectId, projectId))
    .groupBy(webhookDeliveries.eventType);
  return { audit: new Map(audit.map((row) => [row.action, row.count])), outbox: new Map(outbox.map((row) => [row.type, row.count])) };
}

export type Check = { name: string; ok: boolean; detail: string };

async function listEveryKey(port: number, bearer: string): Promise<{ ids: string[]; pages: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ids: string[] = [];
  let pages = 0;
  for (let page = 1; ; page++) {
    const reply = await send(agent, port, 'GET', `/api/v1/keys?pageSize=100&sort=created&dir=asc&page=${page}`, undefined, bearer);
    if (reply.status !== 200) throw new Error(`GET /api/v1/keys page ${page} answered ${reply.status}`);
    const json = JSON.parse(reply.body) as { data: { id: string }[]; pageCount: number; page: number };
    // A page past the end answers the last page again: stop at pageCount.
    ids.push(...json.data.map((key) => key.id));
    pages++;
    if (page >= json.pageCount) break;
  }
  agent.destroy();
  return { ids, pages };
}

async function waitForOutbox(db: Db, projectId: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < DRAIN_TIMEOUT_MS) {
    const [row] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.projectId, projectId), eq(webhookDeliveries.status, 'pending')));
    if (row!.count === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return (Date.now() - started) / 1000;
}

export async function checkEndState(
  db: Db,
  setup: Setup & { projectId: string; seededIds: string[] },
  world: World,
  before: Snapshot,
  received: Set<string>,
  loadEndedAt: number,
  verificationSample = 400,
): Promise<Check[]> {
  const checks: Check[] = [];
  const { projectId } = setup;

  // Every key the clients hold (seeded, created and not deleted) listed once; none missing; extras only from unanswered creations.
  const listed = await listEveryKey(setup.port, setup.bearer);
  const counts = new Map<string, number>();
  for (const id of listed.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).length;
  const expected = new Set([...setup.seededIds, ...world.live.map((key) => key.id)]);
  const missing = [...expected].filter((id) => !counts.has(id));
  const extra = [...counts.keys()].filter((id) => !expected.has(id) && !world.uncertain.has(id));
  const inDb = await db.select({ id: apiKeys.publicId }).from(apiKeys).where(eq(apiKeys.projectId, projectId));
  const dbIds = new Set(inDb.map((row) => row.id));
  const dbAgrees = dbIds.size === counts.size && [...counts.keys()].every((id) => dbIds.has(id));
  checks.push({
    name: 'every created key listed exactly once',
    ok: twice === 0 && missing.length === 0 && extra.length <= world.unknown['api_key.created'] && dbAgrees,
    detail:
      `${fmt(listed.ids.length)} listed on ${listed.pages} pages (${fmt(world.created.size)} created, ${fmt(world.deleted.length)} deleted, ${setup.seededIds.length} seeded): ` +
      `${twice} twice, ${missing.length} missing, ${extra.length} unknown; the database holds ${fmt(dbIds.size)}${dbAgrees ? ', the same' : ', NOT the same'}`,
  });

  // Audit events since the load began, per action, against what the clients saw succeed.
  const after = await snapshot(db, projectId);
  const delta = (map: 'audit' | 'outbox', name: string) => (after[map].get(name) ?? 0) - (before[map].get(name) ?? 0);
  const auditParts = MUTATIONS.map((m) => {
    const events = delta('audit', m);
    const ok = events >= world.succeeded[m] && events <= world.succeeded[m] + world.unknown[m];
    return { ok, text: `${m} ${fmt(events)}${ok ? ' =' : ' ≠'} ${fmt(world.succeeded[m])}${world.unknown[m] ? ` (+≤${world.unknown[m]} unknown)` : ''}` };
  });
  const otherActions = [...after.audit.keys()].filter((action) => !(MUTATIONS as readonly string[]).includes(action) && delta('audit', action) !== 0);
  checks.push({
    name: 'audit events equal successful changes',
    ok: auditParts.every((part) => part.ok) && otherActions.length === 0,
    detail: auditParts.map((part) => part.text).join(', ') + (otherActions.length ? `; unexpected: ${otherActions.join(', ')}` : ''),
  });

  // Exactly one webhook key, at the end of the chain of every webhook_key.changed event.
  const webhookKeys = await db.select({ id: apiKeys.publicId }).from(apiKeys).where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.isWebhookKey, true)));
  const changes = await db
    .select({ target: auditEvents.targetId, previous: sql<string | null>`${auditEvents.metadata} ->> 'previousKeyId'` })
    .from(auditEvents)
    .where(and(eq(auditEvents.projectId, projectId), eq(auditEvents.action, 'webhook_key.changed')));
  const following = new Map(changes.map((change) => [change.previous, change.target]));
  let end: string | null | undefined = null;
  for (let step = 0; step < changes.length && end !== undefined; step++) end = following.get(end);
  checks.push({
    name: 'exactly one webhook key',
    ok: webhookKeys.length === 1 && following.size === changes.length && end === webhookKeys[0]?.id,
    detail: `${webhookKeys.length} marked (${webhookKeys.map((key) => key.id).join(', ')}); the chain of ${fmt(changes.length)} changes ends at ${end ?? 'nothing'}`,
  });

  // One outbox row per key event (all five are subscribed), then every row delivered.
  const drainSeconds = await waitForOutbox(db, projectId);
  const outboxParts = WEBHOOK_EVENTS.map((event) => ({ event, rows: delta('outbox', event), events: delta('audit', event) }));
  const statuses = await db
    .select({ status: webhookDeliveries.status, count: sql<number>`count(*)::int` })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.projectId, projectId))
    .groupBy(webhookDeliveries.status);
  const delivered = await db.select({ id: webhookDeliveries.messageId }).from(webhookDeliveries).where(and(eq(webhookDeliveries.projectId, projectId), eq(webhookDeliveries.status, 'delivered')));
  const rows = statuses.reduce((sum, row) => sum + row.count, 0);
  const allReceived = delivered.every((row) => received.has(row.id));
  checks.push({
    name: 'outbox rows equal key events',
    ok: outboxParts.every((part) => part.rows === part.events) && delivered.length === rows && allReceived,
    detail:
      `${fmt(outboxParts.reduce((sum, part) => sum + part.rows, 0))} rows for ${fmt(outboxParts.reduce((sum, part) => sum + part.events, 0))} events` +
      `${outboxParts.every((part) => part.rows === part.events) ? '' : ` (${outboxParts.map((part) => `${part.event} ${part.rows}/${part.events}`).join(', ')})`}; ` +
      `after ${fmt(drainSeconds, 1)} s: ${statuses.map((row) => `${row.status} ${fmt(row.count)}`).join(', ')}; the receiver got ${fmt(received.size)} distinct` +
      `${allReceived ? '' : ', NOT every delivered one'}`,
  });

  const [counted] = await db.select({ count: projectKeyCounts.keyCount }).from(projectKeyCounts).where(eq(projectKeyCounts.projectId, projectId));
  checks.push({ name: 'project_key_counts equals the real count', ok: counted?.count === dbIds.size, detail: `${fmt(counted?.count ?? 0)} counted, ${fmt(dbIds.size)} keys` });

  // A rotation's 5 s grace period ends while this looks: let every one that began under load end first.
  const settle = loadEndedAt + 6_000 - Date.now();
  if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
  checks.push(await checkVerification(db, setup, world, verificationSample));
  return checks;
}

/** Verification answers what the database holds for the secrets of up to `sample` deleted keys and `sample` live ones. */
export async function checkVerification(db: Db, setup: Setup, world: World, sample = 400): Promise<Check> {
  const secrets = [
    ...world.deleted.flatMap((key) => key.secrets).slice(0, sample),
    ...world.live
      .slice(0, sample)
      .flatMap((key) => key.secrets),
  ];
  const now = new Date();
  const held = new Map<string, { keyId: string; expiresAt: Date | null }>();
  const hashes = secrets.map(hashKey);
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await db
      .select({ hash: apiKeySecrets.hash, keyId: apiKeys.publicId, expiresAt: apiKeySecrets.expiresAt })
      .from(apiKeySecrets)
      .innerJoin(apiKeys, eq(apiKeys.id, apiKeySecrets.apiKeyId))
      .where(inArray(apiKeySecrets.hash, hashes.slice(i, i + 500)));
    for (const row of rows) held.set(row.hash, row);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let disagreements = 0;
  const seen = new Map<string, number>();
  await Promise.all(
    secrets.map(async (secret) => {
      const row = held.get(hashKey(secret));
      const expected = !row ? 'NOT_FOUND' : row.expiresAt && row.expiresAt <= now ? 'EXPIRED' : 'VALID';
      const reply = await send(agent, setup.port, 'POST', '/api/v1/keys/verify', { key: secret });
      const answer = reply.status === 200 ? (JSON.parse(reply.body) as { code: string; keyId: string | null }) : { code: `HTTP ${reply.status}`, keyId: null };
      seen.set(answer.code, (seen.get(answer.code) ?? 0) + 1);
      if (answer.code !== expected || (expected === 'VALID' && answer.keyId !== row!.keyId)) disagreements++;
    }),
  );
  agent.destroy();
  return {
    name: 'verification agrees with the database',
    ok: disagreements === 0,
    detail: `${fmt(secrets.length)} secrets the clients hold: ${[...seen].map(([code, n]) => `${code} ${fmt(n)}`).join(', ')}; ${disagreements} disagree`,
  };
}


/** Runs the end-state checks and prints them; resolves to how many failed. */
export async function printEndState(
  db: Db,
  setup: Setup & { projectId: string; seededIds: string[] },
  world: World,
  before: Snapshot,
  received: Set<string>,
  verificationSample?: number,
): Promise<number> {
  console.log('end state:');
  const checks = await checkEndState(db, setup, world, before, received, Date.now(), verificationSample);
  for (const check of checks) console.log(`  ${check.ok ? '✔' : '✘'} ${check.name}: ${check.detail}`);
  return checks.filter((check) => !check.ok).length;
}
