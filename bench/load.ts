/**
 * The production server under a realistic mix: `npm run bench:load [-- options]` (after `npm run
 * build`).
 *
 * On a temporary PostgreSQL database it seeds a project (a full-access key for the REST API, keys
 *  to verify, a webhook endpoint pointing at a receiver this process runs), starts `dist/server.mjs` as
 * `npm start` does, and runs `--connections` clients for `--duration` seconds. Each client keeps
 * one keep-alive connection and sends one request at a time: 90% verifications (valid keys,
 * unknown and malformed keys, keys without the permission asked for; all with `require`), 10%
 * management calls through the REST API (create, list, get, rename, rotate, delete, set the
 * webhook key). Every request's latency is measured from send to the last byte of its answer;
 * transport errors and unexpected answers are counted, not dropped. The load generator shares
 * the machine's cores with the server, so compare figures within one run.
 *
 * It prints throughput, p50/p99 per kind of request and the count of 5xx answers (target 0), then
 * checks the end state and exits non-zero if any check fails: every key listed by the API exactly
 * once, audit events equal to the changes the clients saw succeed, exactly one webhook key, one
 * outbox row per key event (all delivered), project_key_counts equal to the real count, and
 * verification agreeing with the database for the secrets the clients hold.
 *
 * Options: --duration 60 (seconds)  --connections 50
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiKeySecrets, auditEvents, projectKeyCounts, webhookDeliveries } from '@/db/schema';
import { createKey } from '@/lib/keys/create';
import { hashKey } from '@/lib/keys/crypto';
import { generateKey } from '@/lib/keys/format';
import { activeCatalogue } from '@/lib/permissions/load';
import { seedProject, serverProcessUnavailable, ServerProcess } from '@/lib/testing/server-process';
import { startReceiver } from '@/lib/testing/webhook-receiver';
import { WEBHOOK_EVENTS } from '@/lib/webhooks/events';

const { values: options } = parseArgs({
  options: { duration: { type: 'string', default: '60' }, connections: { type: 'string', default: '50' } },
});
const DURATION_S = Number(options.duration);
const CONNECTIONS = Number(options.connections);
const DRAIN_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// HTTP: one keep-alive connection per client; status 0 is a transport error or a timeout

type Reply = { status: number; body: string };

function send(agent: http.Agent, port: number, method: string, path: string, body?: unknown, bearer?: string): Promise<Reply> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        timeout: 30_000,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve({ status: 0, body: '' }));
    request.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// Figures per kind of request

const KINDS = [
  'verify · valid',
  'verify · unknown or malformed',
  'verify · insufficient permission',
  'create key',
  'list keys',
  'get key',
  'rename key',
  'rotate key',
  'delete key',
  'set webhook key',
] as const;
type Kind = (typeof KINDS)[number];

class Tally {
  readonly latencies: number[] = [];
  readonly statuses = new Map<number, number>();
  unexpected = 0;

  record(ms: number, status: number, expected: boolean): void {
    this.latencies.push(ms);
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (!expected) this.unexpected++;
  }

  count(predicate: (status: number) => boolean): number {
    let total = 0;
    for (const [status, count] of this.statuses) if (predicate(status)) total += count;
    return total;
  }
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : NaN;
}

// ---------------------------------------------------------------------------------------------
// What the clients know: the keys they made, and the changes they saw succeed

type KnownKey = { id: string; secrets: string[]; signer: boolean };

const MUTATIONS = ['api_key.created', 'api_key.updated', 'api_key.rotated', 'api_key.deleted', 'webhook_key.changed'] as const;
type Mutation = (typeof MUTATIONS)[number];

class World {
  readonly live: KnownKey[] = [];
  readonly deleted: KnownKey[] = [];
  readonly created = new Set<string>();
  /** Keys whose deletion no client saw answered: there or not. */
  readonly uncertain = new Set<string>();
  readonly succeeded = Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>;
  /** Changes whose outcome no client saw (no answer, or a 5xx): they may or may not have happened. */
  readonly unknown = Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>;

  /** A random live key matching `fit`, or undefined. */
  pick(fit: (key: KnownKey) => boolean = () => true): KnownKey | undefined {
    for (let tries = 0; tries < 8 && this.live.length; tries++) {
      const key = this.live[Math.floor(Math.random() * this.live.length)]!;
      if (fit(key)) return key;
    }
    return undefined;
  }

  remove(key: KnownKey): void {
    const at = this.live.indexOf(key);
    if (at >= 0) this.live.splice(at, 1);
  }

  outcome(mutation: Mutation, status: number, success: number): void {
    if (status === success) this.succeeded[mutation]++;
    else if (status === 0 || status >= 500) this.unknown[mutation]++;
  }
}

// ---------------------------------------------------------------------------------------------
// The mix

type Setup = { port: number; bearer: string; full: string[]; reader: string[] };

type Requirement = Record<string, string>;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** A key with a valid checksum that no one holds, or one with a broken checksum. */
function strangerKey(): string {
  const key = generateKey();
  return Math.random() < 0.5 ? key : `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
}

type Operation = { kind: Kind; run: (agent: http.Agent) => Promise<{ status: number; expected: boolean }> };

function operation(setup: Setup, world: World, client: number, serial: number): Operation {
  const { port, bearer } = setup;
  const verify = (key: string, require: Requirement, code: string) => async (agent: http.Agent) => {
    const reply = await send(agent, port, 'POST', '/api/v1/keys/verify', { key, require });
    return { status: reply.status, expected: reply.status === 200 && reply.body.includes(`"code":"${code}"`) };
  };
  const roll = Math.random() * 100;
  if (roll < 60) {
    const fullAccess = Math.random() < 0.5;
    const require = fullAccess ? pick<Requirement>([{ calls: 'write' }, { billing: 'read', agents: 'write' }]) : { calls: 'read' };
    return { kind: 'verify · valid', run: verify(pick(fullAccess ? setup.full : setup.reader), require, 'VALID') };
  }
  if (roll < 80) return { kind: 'verify · unknown or malformed', run: verify(strangerKey(), { calls: 'read' }, 'NOT_FOUND') };
  if (roll < 90) return { kind: 'verify · insufficient permission', run: verify(pick(setup.reader), pick<Requirement>([{ calls: 'write' }, { billing: 'read' }]), 'INSUFFICIENT_PERMISSIONS') };

  const api = (agent: http.Agent, method: string, path: string, body?: unknown) => send(agent, port, method, path, body, bearer);
  const management = roll - 90; // 0–10
  const target = world.pick();
  if (management < 2.5 || !target) {
    return {
      kind: 'create key',
      run: async (agent) => {
        const body = { name: `load ${client}-${serial}`, ...(serial % 3 === 0 ? { permissions: { calls: 'read', messages: 'write' } } : {}) };
        const reply = await api(agent, 'POST', '/api/v1/keys', body);
        world.outcome('api_key.created', reply.status, 201);
        if (reply.status === 201) {
          const json = JSON.parse(reply.body) as { id: string; key: string };
          world.live.push({ id: json.id, secrets: [json.key], signer: false });
          world.created.add(json.id);
        }
        return { status: reply.status, expected: reply.status === 201 };
      },
    };
  }
  if (management < 4.5) {
    const query = pick(['', `&q=${encodeURIComponent(`load ${client}-`)}`, '&sort=name', '&sort=last_used&dir=asc']);
    return {
      kind: 'list keys',
      run: async (agent) => {
        const reply = await api(agent, 'GET', `/api/v1/keys?pageSize=25&page=${1 + Math.floor(Math.random() * 3)}${query}`);
        return { status: reply.status, expected: reply.status === 200 };
      },
    };
  }
  if (management < 6.5) {
    return {
      kind: 'get key',
      run: async (agent) => {
        const reply = await api(agent, 'GET', `/api/v1/keys/${target.id}`);
        // 404: deleted by another client meanwhile.
        return { status: reply.status, expected: reply.status === 200 || reply.status === 404 };
      },
    };
  }
  if (management < 7.5) {
    return {
      kind: 'rename key',
      run: async (agent) => {
        const reply = await api(agent, 'PATCH', `/api/v1/keys/${target.id}`, { name: `load ${client}-${serial} renamed` });
        world.outcome('api_key.updated', reply.status, 200);
        return { status: reply.status, expected: reply.status === 200 || reply.status === 404 };
      },
    };
  }
  if (management < 8.5) {
    return {
      kind: 'rotate key',
      run: async (agent) => {
        const reply = await api(agent, 'POST', `/api/v1/keys/${target.id}/rotate`, { gracePeriodSeconds: pick([0, 5, 3600]) });
        world.outcome('api_key.rotated', reply.status, 200);
        if (reply.status === 200) target.secrets.push((JSON.parse(reply.body) as { key: string }).key);
        // 409: another client is rotating it right now; 404: deleted meanwhile.
        return { status: reply.status, expected: [200, 404, 409].includes(reply.status) };
      },
    };
  }
  // Deletes and webhook-key choices take their key out of play first, so neither races the
  // other: a key once chosen as webhook key is never deleted, and no key is deleted twice.
  const free = world.pick((key) => !key.signer);
  if (management < 9.5 && free) {
    world.remove(free);
    return {
      kind: 'delete key',
      run: async (agent) => {
        const reply = await api(agent, 'DELETE', `/api/v1/keys/${free.id}`);
        world.outcome('api_key.deleted', reply.status, 204);
        if (reply.status === 204) world.deleted.push(free);
        else if (reply.status === 0 || reply.status >= 500) world.uncertain.add(free.id);
        else world.live.push(free);
        return { status: reply.status, expected: reply.status === 204 };
      },
    };
  }
  if (!free) return operation(setup, world, client, serial);
  free.signer = true;
  return {
    kind: 'set webhook key',
    run: async (agent) => {
      const reply = await api(agent, 'PUT', '/api/v1/webhook-key', { keyId: free.id });
      world.outcome('webhook_key.changed', reply.status, 200);
      return { status: reply.status, expected: reply.status === 200 };
    },
  };
}

async function runLoad(setup: Setup, world: World): Promise<{ tallies: Map<Kind, Tally>; seconds: number }> {
  const tallies = new Map<Kind, Tally>(KINDS.map((kind) => [kind, new Tally()]));
  const started = performance.now();
  const deadline = started + DURATION_S * 1000;
  const clients = Array.from({ length: CONNECTIONS }, async (_, client) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let serial = 0; performance.now() < deadline; serial++) {
      const op = operation(setup, world, client, serial);
      const sent = performance.now();
      const { status, expected } = await op.run(agent);
      tallies.get(op.kind)!.record(performance.now() - sent, status, expected);
    }
    agent.destroy();
  });
  await Promise.all(clients);
  return { tallies, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Output

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const cells of rows) console.log(line(cells).trimEnd());
}

function printFigures(tallies: Map<Kind, Tally>, seconds: number): number {
  const rows: string[][] = [];
  let total = 0;
  let verifies = 0;
  let fivexx = 0;
  for (const [kind, tally] of tallies) {
    const sorted = Float64Array.from(tally.latencies).sort();
    const answers = [...tally.statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status === 0 ? 'no answer' : status}×${fmt(count)}`);
    rows.push([kind, fmt(sorted.length), fmt(sorted.length / seconds), fmt(percentile(sorted, 0.5), 1), fmt(percentile(sorted, 0.99), 1), fmt(tally.count((s) => s >= 500)), fmt(tally.unexpected), answers.join(' ')]);
    total += sorted.length;
    if (kind.startsWith('verify')) verifies += sorted.length;
    fivexx += tally.count((s) => s >= 500);
  }
  table(['kind', 'requests', 'req/s', 'p50 ms', 'p99 ms', '5xx', 'unexpected', 'answers'], rows);
  console.log('');
  console.log(`throughput: ${fmt(total / seconds)} req/s over ${fmt(seconds, 1)} s — verify ${fmt(verifies / seconds)} req/s, management ${fmt((total - verifies) / seconds)} req/s (${fmt((100 * (total - verifies)) / total, 1)}%)`);
  console.log(`5xx answers: ${fmt(fivexx)} (target 0)`);
  const lost = [...tallies.values()].reduce((sum, tally) => sum + (tally.statuses.get(0) ?? 0), 0);
  const unexpected = [...tallies.values()].reduce((sum, tally) => sum + tally.unexpected, 0);
  console.log(`no answer (transport error or 30 s timeout): ${fmt(lost)} · unexpected answers: ${fmt(unexpected)}`);
  return fivexx;
}

// ---------------------------------------------------------------------------------------------
// End state

type Snapshot = { audit: Map<string, number>; outbox: Map<string, number> };

async function snapshot(db: Db, projectId: string): Promise<Snapshot> {
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

type Check = { name: string; ok: boolean; detail: string };

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

async function checkEndState(
  db: Db,
  setup: Setup & { projectId: string; seededIds: string[] },
  world: World,
  before: Snapshot,
  received: Set<string>,
  loadEndedAt: number,
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
  checks.push(await checkVerification(db, setup, world));
  return checks;
}

/** Verification answers what the database holds for every secret of deleted keys and a sample of live ones. */
async function checkVerification(db: Db, setup: Setup, world: World): Promise<Check> {
  const secrets = [
    ...world.deleted.flatMap((key) => key.secrets).slice(0, 400),
    ...world.live
      .slice(0, 400)
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

// ---------------------------------------------------------------------------------------------


async function main(): Promise<number> {
  const unavailable = await serverProcessUnavailable();
  if (unavailable) throw new Error(unavailable);
  console.log(`bench:load · ${CONNECTIONS} connections · ${DURATION_S} s · production build (server.ts) on a temporary PostgreSQL database`);
  const receiver = await startReceiver('/keyward-webhooks');
  // Unknown and malformed keys are a fifth of the load from one address: without this they
  // would be answered RATE_LIMITED after 100 a minute, as they should in production.
  const server = await ServerProcess.create({ prefix: 'keyward_bench_load', env: { KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE: String(1_000_000_000) } });
  const database = server.open();
  try {
    const catalogue = activeCatalogue();
    const seeded = await seedProject(database, { slug: 'load', webhookUrl: receiver.url });
    const actor = { type: 'system', projectSlug: 'load', label: 'bench' } as const;
    const make = async (name: string, permissions?: Record<string, string>) => (await createKey(database.db, actor, { name, permissions }, { catalogue })).key.id;
    const seedKeys = async (name: string, count: number, permissions?: Record<string, string>) => {
      const made: { id: string; secret: string }[] = [];
      for (let i = 0; i < count; i++) {
        const { key, secret } = await createKey(database.db, actor, { name: `${name} ${i}`, permissions }, { catalogue });
        made.push({ id: key.id, secret });
      }
      return made;
    };
    const full = await seedKeys('Verify full access', 4);
    const reader = await seedKeys('Verify reader', 4, { calls: 'read', messages: 'read', statistics: 'read' });
    const signer = await make('Webhook signer');
    await server.start();
    const setup = {
      port: server.port,
      bearer: seeded.bearer,
      full: full.map((key) => key.secret),
      reader: reader.map((key) => key.secret),
      projectId: seeded.projectId,
      seededIds: [seeded.bearerId, signer, ...full.map((key) => key.id), ...reader.map((key) => key.id)],
    };
    const world = new World();
    const before = await snapshot(database.db, seeded.projectId);
    // Deliveries are signed with the webhook key: choose one through the API, as an operator would.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const chosen = await send(agent, server.port, 'PUT', '/api/v1/webhook-key', { keyId: signer }, seeded.bearer);
    world.outcome('webhook_key.changed', chosen.status, 200);
    if (chosen.status !== 200) throw new Error(`PUT /api/v1/webhook-key answered ${chosen.status}: ${chosen.body}`);
    // The signer stays: the world knows it as a key chosen for signing, never to be deleted.
    world.live.push({ id: signer, secrets: [], signer: true });
    agent.destroy();
    console.log(`seeded: project "load", ${setup.seededIds.length} keys, webhook endpoint → ${receiver.url} (every key event), webhook key ${signer}`);
    console.log('');

    const { tallies, seconds } = await runLoad(setup, world);
    const fivexx = printFigures(tallies, seconds);

    console.log('');
    console.log('end state:');
    const checks = await checkEndState(database.db, setup, world, before, receiver.received, Date.now());
    for (const check of checks) console.log(`  ${check.ok ? '✔' : '✘'} ${check.name}: ${check.detail}`);
    const failed = checks.filter((check) => !check.ok).length;
    console.log('');
    console.log(failed ? `${failed} end-state check(s) failed.` : `All end-state checks passed${fivexx ? ` (but ${fivexx} 5xx answers: see above)` : ''}.`);
    // What the server logged about its failures, counted by line.
    const logged = new Map<string, number>();
    for (const line of server.output().split('\n')) if (/error|unexpected|failed/i.test(line)) logged.set(line.trim(), (logged.get(line.trim()) ?? 0) + 1);
    if (logged.size) console.log(`the server logged:\n${[...logged].map(([line, n]) => `  ${fmt(n)} × ${line}`).join('\n')}`);
    return failed ? 1 : 0;
  } finally {
    await database.close();
    await server.dispose();
    await receiver.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`bench:load failed: ${error.message}`);
    process.exit(1);
  },
);
