/**
 * What the production server's front tells about each request: the `x-request-id` on every answer
 * (a safe incoming one kept, anything else replaced), a log line per request with its route but
 * never its query, verify's answers counted by code and timed for the metrics, and the secrets a
 * client sends (key, Authorization, cookie, query) in none of it.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { generateKey } from '@/lib/keys/format';
import { createLogger } from '@/lib/log/logger';
import { RequestLog } from '@/lib/log/requests';
import { MetricsRecorder } from '@/lib/metrics/recorder';
import { setActiveCatalogue } from '@/lib/permissions/load';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { describeEachDatabase } from '@/lib/testing/databases';
import { json, send, startFront, type Front } from '@/lib/testing/http-front';
import { VERIFY_PATH } from './http-server';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describeEachDatabase('the front, observed', (current) => {
  let front: Front;
  let secret = '';
  const lines: string[] = [];
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const durations: number[] = [];
  const metrics = new MetricsRecorder({ observe: (seconds) => void durations.push(seconds) });
  // Debug level: each verify answer has its own line too.
  const requestLog = new RequestLog(createLogger({ format: 'json', level: 'debug' }, { write: (line) => void lines.push(line) }), VERIFY_PATH);

  beforeAll(async () => {
    setActiveCatalogue(diga);
    await createProject(current().db, { slug: 'observed' });
    const system: Actor = { type: 'system', projectSlug: 'observed', label: 'test' };
    secret = (await createKey(current().db, system, { name: 'Observed' }, { catalogue: diga })).secret;
    front = await startFront({ requestLog, metrics });
  });
  afterAll(async () => {
    requestLog.stop();
    await front?.close();
  });

  const verify = (body: string, headers: Record<string, string> = {}) => send(front.port, VERIFY_PATH, { body, headers: { 'content-type': 'application/json', ...headers } });
  const lineOf = (requestId: string) => records().find((record) => record.requestId === requestId);

  it('answers verify with the caller\'s safe x-request-id, counts its code, times it, and logs it at debug level', async () => {
    const answer = await verify(JSON.stringify({ key: secret }), { 'x-request-id': 'client-42' });
    expect(json(answer.body).code).toBe('VALID');
    expect(answer.headers['x-request-id']).toBe('client-42');
    expect(metrics.verifications.counts.get('VALID')).toBe(1);
    expect(durations).toHaveLength(1);
    expect(durations[0]).toBeGreaterThan(0);
    expect(durations[0]).toBeLessThan(5);
    expect(lineOf('client-42')).toMatchObject({ level: 'debug', msg: 'request', method: 'POST', route: VERIFY_PATH, status: 200 });
  });

  it('replaces an x-request-id that is a key, and counts refusals by their error code', async () => {
    const unknown = await verify(JSON.stringify({ key: generateKey('kw') }), { 'x-request-id': secret });
    expect(unknown.headers['x-request-id']).toMatch(UUID);
    const badJson = await verify('{', { 'x-request-id': 'bad json' });
    expect(badJson.status).toBe(400);
    expect(badJson.headers['x-request-id']).toMatch(UUID);
    const wrongMethod = await send(front.port, VERIFY_PATH, { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['x-request-id']).toMatch(UUID);
    expect(Object.fromEntries(metrics.verifications.counts)).toEqual({ VALID: 1, NOT_FOUND: 1, invalid_json: 1, method_not_allowed: 1 });
    expect(durations).toHaveLength(4);
    expect(lineOf(wrongMethod.headers['x-request-id'] as string)).toMatchObject({ status: 405, route: VERIFY_PATH });
  });

  it('gives every other request an id Next sees too, and logs its route without the query', async () => {
    const answer = await send(front.port, `/api/v1/keys?q=${secret}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${secret}`, cookie: `authjs.session-token=${secret}` },
    });
    const id = answer.headers['x-request-id'] as string;
    expect(id).toMatch(UUID);
    expect(front.nextCalls.at(-1)!.headers['x-request-id']).toBe(id);
    // The line is written when the answer ends, which the client may see first.
    await expect.poll(() => lineOf(id)).toMatchObject({ level: 'info', msg: 'request', method: 'GET', route: '/api/v1/keys', status: 200 });
    expect(typeof lineOf(id)!.durationMs).toBe('number');
  });

  it('logs requests refused in front of Next, and those the HTTP parser refuses', async () => {
    const tooLarge = await send(front.port, '/api/auth/callback/credentials', { headers: { 'content-length': String(1024 * 1024) } });
    expect(tooLarge.status).toBe(413);
    const id = tooLarge.headers['x-request-id'] as string;
    await expect.poll(() => lineOf(id)).toMatchObject({ status: 413, route: '/api/auth/callback/credentials' });

    const raw = await new Promise<string>((resolve) => {
      let text = '';
      const socket = net.connect(front.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const parserId = /\r\nX-Request-Id: (\S+)\r\n/.exec(raw)?.[1];
    expect(parserId).toMatch(UUID);
    expect(lineOf(parserId!)).toMatchObject({ status: 400, route: '' });
  });

  it('wrote no secret in any line, and every line is one JSON object', () => {
    requestLog.summarizeVerify();
    expect(records().some((record) => record.msg === 'verify requests')).toBe(true);
    for (const line of lines) expect(line.includes(secret), 'a key in the log').toBe(false);
  });
});

it('sends an x-request-id without a request log or metrics too', async () => {
  const front = await startFront();
  try {
    const answer = await send(front.port, '/login', { method: 'GET', headers: { 'x-request-id': 'plain-1' } });
    expect(answer.headers['x-request-id']).toBe('plain-1');
    const verified = await send(front.port, VERIFY_PATH, { body: '{"key":"x"}', headers: { 'x-request-id': 'plain-2' } });
    expect(verified.headers['x-request-id']).toBe('plain-2');
  } finally {
    await front.close();
  }
});
