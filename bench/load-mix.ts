/**
 * The load of bench:load and bench:soak: clients that each keep one keep-alive connection and send
 * one request at a time — 90% verifications (valid keys, unknown and malformed keys, keys without
 * the permission asked for; all with `require`), 10% management calls through the REST API (create,
 * list, get, rename, rotate, delete, set the webhook key). Every request's latency is measured from
 * send to the last byte of its answer; transport errors and unexpected answers are counted, not
 * dropped. The World is what the clients know: the keys they made and the changes they saw succeed.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { generateKey } from '@/lib/keys/format';

// ---------------------------------------------------------------------------------------------
// HTTP: one keep-alive connection per client; status 0 is a transport error or a timeout

export type Reply = { status: number; body: string };

export function send(agent: http.Agent, port: number, method: string, path: string, body?: unknown, bearer?: string): Promise<Reply> {
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

export const KINDS = [
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
export type Kind = (typeof KINDS)[number];

export class Tally {
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

export function percentile(sorted: Float64Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : NaN;
}

// ---------------------------------------------------------------------------------------------
// What the clients know: the keys they made, and the changes they saw succeed

export type KnownKey = { id: string; secrets: string[]; signer: boolean };

export const MUTATIONS = ['api_key.created', 'api_key.updated', 'api_key.rotated', 'api_key.deleted', 'webhook_key.changed'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export class World {
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

export type Setup = { port: number; bearer: string; full: string[]; reader: string[] };

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

export type LoadOptions = { seconds: number; connections: number };

/** Fresh tallies, one per kind of request. */
export function newTallies(): Map<Kind, Tally> {
  return new Map<Kind, Tally>(KINDS.map((kind) => [kind, new Tally()]));
}

/**
 * `connections` clients, each on its own keep-alive connection, send the mix one request at a time
 * for `seconds`; each answer is recorded in `tallies` as it comes (a soak reads them meanwhile).
 */
export async function runLoad(setup: Setup, world: World, { seconds, connections }: LoadOptions, tallies = newTallies()): Promise<{ tallies: Map<Kind, Tally>; seconds: number }> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const clients = Array.from({ length: connections }, async (_, client) => {
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

