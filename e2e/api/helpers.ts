/**
 * Helpers for the REST API tests (real HTTP against the built server, no browser). Every test
 * sends its own X-Forwarded-For address (the e2e servers trust one proxy), so failure limits of
 * one test never touch another. Every secret an answer carries is recorded for the log scan.
 */
import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect, type APIRequestContext, type APIResponse } from '@playwright/test';
import type { ApiKeyJson } from '@/lib/keys/json';
import { levelsOf, resourcesOf, type Catalogue, type Level } from '@/lib/permissions/catalogue';
import { presets } from '@/lib/permissions/presets';
import { catalogueOf, currentPort } from '../support/env';
import { createKeys, recordSecret } from '../support/seed';

export type ApiKey = ApiKeyJson;
export type ApiKeyWithSecret = ApiKey & { key: string };
export type VerifyAnswer = {
  valid: boolean;
  code: string;
  keyId: string | null;
  projectId: string | null;
  permissions: Record<string, Level> | null;
  expiresAt: string | null;
  missing?: Record<string, Level>;
  retryAfterSeconds?: number | null;
};

/** The catalogue of the server this test talks to. */
export const serverCatalogue = (): Catalogue => presets[catalogueOf(currentPort())]!;

/** An address of the benchmarking range (198.18.0.0/15), random per call. */
export const testAddress = () => `198.18.${randomInt(256)}.${randomInt(1, 255)}`;

/** A full-access key of the project, made with the operator CLI. */
export async function rootKey(projectSlug: string): Promise<{ id: string; secret: string }> {
  const [key] = await createKeys(projectSlug, 'root', 1);
  return key!;
}

/** A client of the management API acting with one key, from one address. */
export function client(request: APIRequestContext, secret: string, address = testAddress()) {
  const headers = { authorization: `Bearer ${secret}`, 'x-forwarded-for': address };
  const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, data?: unknown) =>
    request.fetch(`/api/v1${url}`, { method, headers, ...(data === undefined ? {} : { data }) });
  return {
    address,
    get: (url: string) => send('GET', url),
    post: (url: string, data: unknown) => send('POST', url, data),
    patch: (url: string, data: unknown) => send('PATCH', url, data),
    put: (url: string, data: unknown) => send('PUT', url, data),
    delete: (url: string) => send('DELETE', url),
    /** Creates a key and returns it with its secret, which is recorded. */
    async create(input: Record<string, unknown>): Promise<ApiKeyWithSecret> {
      const response = await send('POST', '/keys', input);
      expect(response.status(), await response.text()).toBe(201);
      return secretOf(response);
    },
  };
}

/** The JSON of a create or rotate answer; its secret is recorded before anything else. */
export async function secretOf(response: APIResponse): Promise<ApiKeyWithSecret> {
  const body = (await response.json()) as ApiKeyWithSecret;
  if (typeof body.key === 'string') recordSecret(body.key);
  return body;
}

/** POST /api/v1/keys/verify, answered by server.ts's fast path. */
export async function verifyOverHttp(request: APIRequestContext, key: unknown, require?: Record<string, string>, address = testAddress()) {
  const response = await request.post('/api/v1/keys/verify', { data: require ? { key, require } : { key }, headers: { 'x-forwarded-for': address } });
  return { status: response.status(), headers: response.headers(), body: (await response.json()) as VerifyAnswer & { error?: { code: string } } };
}

/** Each resource gets each of its levels across `count` grant maps, neighbours differing. */
export function rotatingGrants(catalogue: Catalogue, count = 3): Record<string, Level>[] {
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(
      resourcesOf(catalogue).map((resource, j) => {
        const levels = levelsOf(resource);
        return [resource.id, levels[(i + j) % levels.length]!];
      }),
    ),
  );
}

const RANK: Record<Level, number> = { none: 0, read: 1, write: 2 };
/** The expected verdict, written out here rather than taken from the code under test. */
export const grants = (held: Level, required: 'read' | 'write') => RANK[held] >= RANK[required];

/** Every route file under app/api/v1 as an OpenAPI path (`keys/[id]/route.ts` → `/keys/{id}`). */
export function routePaths(): string[] {
  const root = path.join(process.cwd(), 'app', 'api', 'v1');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'route.ts')
    .map((file) => `/${path.dirname(file).split(path.sep).join('/')}`.replace(/\[(\w+)\]/g, '{$1}'))
    .sort();
}

/**
 * A GET written byte for byte on a socket, for headers HTTP clients refuse to send (NUL or
 * non-Latin-1 bytes). Answers the status code, or 0 if the server closed without one.
 */
export function rawGet(url: string, headers: Buffer[], port = currentPort()): Promise<number> {
  const head = Buffer.concat([
    Buffer.from(`GET ${url} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n`, 'latin1'),
    ...headers.flatMap((header) => [header, Buffer.from('\r\n')]),
    Buffer.from('\r\n'),
  ]);
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    // The server may answer and close while a huge header is still being written: keep its answer.
    socket.on('error', () => {});
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.setTimeout(10_000, () => socket.destroy());
  });
}
