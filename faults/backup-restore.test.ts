/**
 * A backup of a running production server, restored elsewhere: keys (restricted, expiring, a
 * webhook key, one rotated and still in its grace period, one deleted), team members, webhook
 * settings and their audit events are written; `keyward backup` runs (the real CLI process) while
 * clients keep verifying; the backup is restored into a fresh data dir or database, a server is
 * started on it with the same secrets, and every secret verifies with the answer it had, the audit
 * log holds the same events in the same order, and the restored server signs webhooks with the
 * restored webhook key. On PGlite (through the operator socket) and, with DATABASE_URL, on
 * PostgreSQL (pg_dump). Needs a production build; run with `npm run test:faults`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { auditEvents, webhookDeliveries } from '@/db/schema';
import { fingerprint, tableColumns } from '@/lib/backup/fingerprint';
import { addMember } from '@/lib/team/team';
import { runCli } from '@/lib/testing/cli-process';
import { testDrivers } from '@/lib/testing/databases';
import { seedProject, serverProcessUnavailable, ServerProcess, type SeededProject } from '@/lib/testing/server-process';
import { startReceiver } from '@/lib/testing/webhook-receiver';
import { apiClient, pause, type Api } from './support';

const unavailable = await serverProcessUnavailable(process.env.DATABASE_URL ? 'postgres' : 'pglite');
if (unavailable) console.warn(`faults/backup-restore.test.ts skipped: ${unavailable}.`);

/** What changes after a backup on its own, as the server runs: last uses, counts, delivery attempts. */
const CHANGING = { api_keys: ['last_used_at', 'last_used_address'], key_usage: 'all', project_usage: 'all', webhook_deliveries: 'all' } as const;

/** Everything the database holds that a backup must bring back as it was. */
async function durableState(db: Db) {
  const columns = await tableColumns(db);
  for (const [table, changing] of Object.entries(CHANGING)) {
    if (changing === 'all') delete columns[table];
    else columns[table] = columns[table]!.filter((column) => !(changing as readonly string[]).includes(column));
  }
  const events = await db.select().from(auditEvents).orderBy(asc(auditEvents.createdAt), asc(auditEvents.id));
  const deliveries = await db.select({ id: webhookDeliveries.messageId }).from(webhookDeliveries).orderBy(webhookDeliveries.messageId);
  return { fingerprint: await fingerprint(db, columns), events, deliveries: deliveries.map((row) => row.id) };
}

async function readDatabase<T>(server: ServerProcess, read: (db: Db) => Promise<T>): Promise<T> {
  const database = server.open(2);
  try {
    return await read(database.db);
  } finally {
    await database.close();
  }
}

type Probe = { label: string; secret: string; require?: Record<string, string> };

describe.skipIf(unavailable).each(testDrivers())(`backup of a running server, restored into a fresh place [%s]${unavailable ? ` (skipped: ${unavailable})` : ''}`, (driver) => {
  const home = mkdtempSync(path.join(tmpdir(), 'kw-backup-restore-'));
  const file = path.join(home, driver === 'pglite' ? 'keyward.tar.gz' : 'keyward.dump');
  const env = { KEYWARD_VERIFY_MAX_FAILURES_PER_MINUTE: '1000000000' };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let source: ServerProcess;
  let target: ServerProcess | undefined;
  let seeded: SeededProject;
  let api: Api;
  const probes: Probe[] = [];
  const answers = new Map<Probe, Record<string, unknown>>();

  beforeAll(async () => {
    receiver = await startReceiver('/hooks');
    source = await ServerProcess.create({ prefix: 'keyward_faults_backup', driver, env });
    // Webhook settings and a team, written before the server holds the database.
    const database = source.open();
    try {
      seeded = await seedProject(database, { slug: 'ops', webhookUrl: receiver.url });
      const admin = { type: 'user', userId: seeded.adminUserId, projectSlug: 'ops' } as const;
      await addMember(database.db, admin, { email: 'mia@ops.test', role: 'member' });
      await addMember(database.db, admin, { email: 'newcomer@ops.test', role: 'admin' });
    } finally {
      await database.close();
    }
    await source.start();
    api = apiClient(source.url, seeded.bearer);
  }, 300_000);

  afterAll(async () => {
    await source?.dispose();
    await target?.dispose();
    await receiver?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('writes keys, a rotation in its grace period, a webhook key and a team change through the running server', async () => {
    const create = async (body: Record<string, unknown>) => {
      const answer = await api.call('POST', '/api/v1/keys', body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return { id: answer.body.id as string, secret: answer.body.key as string };
    };
    const full = await create({ name: 'Backend' });
    const reader = await create({ name: 'Reporting', permissions: { calls: 'read', statistics: 'read' } });
    const expiring = await create({ name: 'Contractor', expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
    const signer = await create({ name: 'Webhook signer' });
    expect((await api.call('PUT', '/api/v1/webhook-key', { keyId: signer.id })).status).toBe(200);
    const mobile = await create({ name: 'Mobile app' });
    const rotated = await api.call('POST', `/api/v1/keys/${mobile.id}/rotate`, { gracePeriodSeconds: 7 * 86_400 });
    expect(rotated.status).toBe(200);
    const gone = await create({ name: 'Old integration' });
    expect((await api.call('DELETE', `/api/v1/keys/${gone.id}`)).status).toBe(204);
    // The operator CLI, through the operator socket on PGlite.
    const added = await runCli(['user', 'add', 'ops2@ops.test', '--project', 'ops', '--role', 'admin'], source.cliEnv());
    expect(added, added.stderr).toMatchObject({ code: 0 });

    probes.push(
      { label: 'bearer', secret: seeded.bearer, require: { api_keys: 'write' } },
      { label: 'full access', secret: full.secret, require: { calls: 'write' } },
      { label: 'restricted, allowed', secret: reader.secret, require: { calls: 'read' } },
      { label: 'restricted, refused', secret: reader.secret, require: { calls: 'write' } },
      { label: 'expiring', secret: expiring.secret },
      { label: 'webhook key', secret: signer.secret },
      { label: 'rotated: old secret in its grace period', secret: mobile.secret },
      { label: 'rotated: new secret', secret: rotated.body.key as string },
      { label: 'deleted', secret: gone.secret },
    );
    for (const probe of probes) {
      const answer = await api.call('POST', '/api/v1/keys/verify', { key: probe.secret, require: probe.require });
      expect(answer.status).toBe(200);
      answers.set(probe, answer.body);
    }
    expect(new Set([...answers.values()].map((answer) => answer.code))).toEqual(new Set(['VALID', 'INSUFFICIENT_PERMISSIONS', 'NOT_FOUND']));
  }, 120_000);

  it('takes a backup with `keyward backup` while clients verify', async () => {
    let running = true;
    let during = 0;
    let backingUp = false;
    const failures: string[] = [];
    const clients = Array.from({ length: 4 }, async (_, client) => {
      for (let i = client; running; i++) {
        const probe = probes[i % probes.length]!;
        const answer = await api.call('POST', '/api/v1/keys/verify', { key: probe.secret, require: probe.require });
        if (answer.status !== 200 || answer.body.code !== answers.get(probe)!.code) failures.push(`${probe.label}: ${answer.status} ${String(answer.body.code)}`);
        if (backingUp) during++;
      }
    });
    await pause(500);
    backingUp = true;
    const backup = await runCli(['backup', file], source.cliEnv());
    backingUp = false;
    running = false;
    await Promise.all(clients);
    expect(backup.stderr).toBe('');
    expect(backup).toMatchObject({
      code: 0,
      stdout: driver === 'pglite' ? expect.stringContaining(`through the server that holds it (pid ${source.pid})`) : expect.stringContaining('pg_dump custom format'),
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(failures).toEqual([]);
    expect(during, 'verifications answered while the backup was taken').toBeGreaterThan(20);
  }, 180_000);

  it('restores into a fresh place, where a server with the same secrets answers every key as before', async () => {
    await source.stop();
    target = await ServerProcess.create({ prefix: 'keyward_faults_restored', driver, env, secrets: source.secrets, migrate: false });
    const restored = await runCli(['restore', file], target.cliEnv());
    expect(restored.stderr).toBe('');
    expect(restored).toMatchObject({ code: 0, stdout: expect.stringContaining('it has every migration of this version') });
    await target.start();
    const restoredApi = apiClient(target.url, seeded.bearer);
    for (const probe of probes) {
      const answer = await restoredApi.call('POST', '/api/v1/keys/verify', { key: probe.secret, require: probe.require });
      expect({ label: probe.label, status: answer.status, answer: answer.body }).toEqual({ label: probe.label, status: 200, answer: answers.get(probe) });
    }
    await target.stop();
  }, 300_000);

  it('holds every key, member and webhook setting, and the whole audit log in its order', async () => {
    const before = await readDatabase(source, durableState);
    const after = await readDatabase(target!, durableState);
    expect(after.fingerprint).toEqual(before.fingerprint);
    expect(after.events).toEqual(before.events);
    expect(after.deliveries).toEqual(before.deliveries);
    const actions = before.events.map((event) => event.action);
    for (const action of ['member.added', 'api_key.created', 'api_key.rotated', 'api_key.deleted', 'webhook_key.changed', 'webhook_endpoint.updated']) {
      expect(actions, action).toContain(action);
    }
  }, 120_000);

  it('signs webhooks with the restored webhook key', async () => {
    await target!.start();
    const arrived = receiver.received.size;
    const made = await apiClient(target!.url, seeded.bearer).call('POST', '/api/v1/keys', { name: 'After the restore' });
    expect(made.status).toBe(201);
    for (let waited = 0; receiver.received.size === arrived && waited < 30_000; waited += 100) await pause(100);
    await target!.stop();
    const [delivery] = await readDatabase(target!, (db) =>
      db
        .select({ status: webhookDeliveries.status, error: webhookDeliveries.lastError })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.eventType, 'api_key.created'))
        .orderBy(desc(webhookDeliveries.createdAt))
        .limit(1),
    );
    expect(delivery).toEqual({ status: 'delivered', error: null });
  }, 180_000);
});
