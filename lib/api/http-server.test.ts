/**
 * The production server's front (lib/api/http-server.ts) over real HTTP, with a stand-in for Next:
 * verify answered whatever the request target's form, never by Next; bodies refused at their
 * limit with the connection closed, never read to their end; the timeouts and the connection cap.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/auth/authorize';
import { createKey } from '@/lib/keys/create';
import { setActiveCatalogue } from '@/lib/permissions/load';
import { digaCatalogue as diga } from '@/lib/permissions/presets';
import { createProject } from '@/lib/projects/projects';
import { STRICT_TRANSPORT_SECURITY } from '@/lib/security/headers';
import { describeEachDatabase } from '@/lib/testing/databases';
import { MAX_CONSOLE_BODY_BYTES } from './body-limit';
import { json, LIMITS, send, startFront, within, type Answer, type Front } from '@/lib/testing/http-front';
import { DEFAULT_SERVER_LIMITS, pathnameOf, serverLimitsFromEnv } from './http-server';
import { MAX_VERIFY_BODY_BYTES } from '@/lib/verify/endpoint';

process.env.KEYWARD_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');

describe('pathnameOf', () => {
  it('names the path Next would route, whatever the form of the request target', () => {
    for (const target of [
      '/api/v1/keys/verify',
      '/api/v1/keys/verify?',
      '/api/v1/keys/verify?x=1',
      'http://keyward.example/api/v1/keys/verify',
      'HTTPS://keyward.example:8443/api/v1/keys/verify?x',
      '/api/v1/keys/./verify',
      '/api/v1/x/../keys/verify',
      '/api/v1/keys/%76erify',
      '/api/v1/keys/verify#part',
    ]) {
      expect(pathnameOf(target), target).toBe('/api/v1/keys/verify');
    }
    expect(pathnameOf('/api/v1/keys/verifyx')).toBe('/api/v1/keys/verifyx');
    expect(pathnameOf('/api/v1/keys/verify/')).toBe('/api/v1/keys/verify/');
    expect(pathnameOf('/api/auth/callback/credentials?x=%zz')).toBe('/api/auth/callback/credentials');
    expect(pathnameOf('*')).toBe('/*');
  });
});

describe('serverLimitsFromEnv', () => {
  const names = ['KEYWARD_HEADERS_TIMEOUT_MS', 'KEYWARD_REQUEST_TIMEOUT_MS', 'KEYWARD_KEEP_ALIVE_TIMEOUT_MS', 'KEYWARD_MAX_CONNECTIONS', 'KEYWARD_VERIFY_BODY_TIMEOUT_MS'];
  afterEach(() => {
    for (const name of names) delete process.env[name];
  });

  it('has documented defaults, takes each from the environment, and refuses headers slower than requests', () => {
    expect(serverLimitsFromEnv()).toEqual(DEFAULT_SERVER_LIMITS);
    for (const name of names) process.env[name] = '7000';
    expect(Object.values(serverLimitsFromEnv())).toEqual([7000, 7000, 7000, 7000, 7000]);
    process.env.KEYWARD_HEADERS_TIMEOUT_MS = '8000';
    expect(() => serverLimitsFromEnv()).toThrow(/KEYWARD_HEADERS_TIMEOUT_MS/);
    process.env.KEYWARD_MAX_CONNECTIONS = '0';
    expect(() => serverLimitsFromEnv()).toThrow(/KEYWARD_MAX_CONNECTIONS/);
  });
});

describeEachDatabase('the production server front', (current) => {
  let front: Front;
  let secret = '';

  beforeAll(async () => {
    setActiveCatalogue(diga);
    const { db } = current();
    await createProject(db, { slug: 'front', name: 'Front' });
    const system: Actor = { type: 'system', projectSlug: 'front', label: 'test' };
    secret = (await createKey(db, system, { name: 'Front key' }, { catalogue: diga })).secret;
    front = await startFront();
  });
  afterAll(() => front.close());

  const VERIFY_TARGETS = ['/api/v1/keys/verify', '/api/v1/keys/verify?x=1', 'http://keyward.example/api/v1/keys/verify', '/api/v1/keys/./verify?x'];

  for (const target of VERIFY_TARGETS) {
    it(`answers a never-ending body to ${target} with 413 within a second and closes the connection`, async () => {
      const answer = await within(1_000, send(front.port, target, { endless: true, headers: { 'content-type': 'application/json' } }), target);
      expect(answer.status).toBe(413);
      expect(answer.headers.connection).toBe('close');
      expect(json(answer.body).error?.code).toBe('payload_too_large');
      await within(1_000, answer.closed, `${target}: the connection's close`);
      // Reading stopped at the limit: the client got no further than its socket buffers allow.
      expect(front.nextCalls).toHaveLength(0);
    });

    it(`verifies a key at ${target}, as Next never does`, async () => {
      const answer = await send(front.port, target, { body: JSON.stringify({ key: secret }), headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(200);
      expect(json(answer.body)).toMatchObject({ valid: true, code: 'VALID' });
      expect(front.nextCalls).toHaveLength(0);
    });
  }

  it('answers a Content-Length over the limit at once, before any of the body is sent', async () => {
    const headers = { 'content-length': String(10 * 1024 * 1024), 'content-type': 'application/json' };
    const answer = await within(1_000, send(front.port, '/api/v1/keys/verify?y', { headers }), 'oversized Content-Length');
    expect(answer.status).toBe(413);
    await within(1_000, answer.closed, "the connection's close");
  });

  it('a body of exactly the limit is read and judged; one byte more is refused', async () => {
    const padded = (size: number) => {
      const body = JSON.stringify({ key: secret, pad: '' });
      return body.replace('"pad":""', `"pad":"${'p'.repeat(size - body.length)}"`);
    };
    const exact = await send(front.port, '/api/v1/keys/verify', { body: padded(MAX_VERIFY_BODY_BYTES), headers: { 'content-type': 'application/json' } });
    expect(exact.status).toBe(400);
    expect(json(exact.body).error?.code).toBe('invalid_input');
    const over = await send(front.port, '/api/v1/keys/verify', { body: padded(MAX_VERIFY_BODY_BYTES + 1), headers: { 'content-type': 'application/json' } });
    expect(over.status).toBe(413);
  });

  it('with Expect: 100-continue, refuses an oversized body without asking for it', async () => {
    const headers = { 'content-length': String(MAX_VERIFY_BODY_BYTES + 1), expect: '100-continue' };
    const answer = await within(1_000, send(front.port, '/api/v1/keys/verify', { headers }), 'expect');
    expect(answer.status).toBe(413);
    expect(answer.continued).toBe(false);
  });

  it('answers every other method on the verify path itself: 405', async () => {
    for (const method of ['GET', 'PUT', 'OPTIONS']) {
      const answer = await send(front.port, '/api/v1/keys/verify?z', { method });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow).toBe('POST');
    }
    expect(front.nextCalls).toHaveLength(0);
  });

  it('gives up on a verify body that stops arriving (408) and closes the connection', async () => {
    const socket = net.connect(front.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('POST /api/v1/keys/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"key":');
    await within(LIMITS.verifyBodyTimeoutMs + 1_000, closed, 'a stalled body');
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('hands every other request to Next, with the resolved X-Forwarded-For and without x-middleware-subrequest', async () => {
    const answer = await send(front.port, '/api/v1/keys', { method: 'GET', headers: { 'x-forwarded-for': '198.51.100.7', 'x-middleware-subrequest': 'proxy' } });
    expect(answer.body).toBe('next');
    const handed = front.nextCalls.pop()!;
    expect(handed.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(handed.headers['x-middleware-subrequest']).toBeUndefined();
  });

  it('refuses console and Auth.js bodies Next would read whole: over the limit 413, without a length 411', async () => {
    for (const target of ['/api/auth/callback/credentials', '/login', '/set-password', 'http://keyward.example/api/auth/signout?x']) {
      const large = await within(1_000, send(front.port, target, { headers: { 'content-length': String(MAX_CONSOLE_BODY_BYTES + 1) } }), target);
      expect(large.status, target).toBe(413);
      const chunked = await within(1_000, send(front.port, target, { endless: true }), `${target}, chunked`);
      expect(chunked.status, target).toBe(411);
      await within(1_000, chunked.closed, `${target}: the connection's close`);
    }
    expect(front.nextCalls).toHaveLength(0);
    const small = await send(front.port, '/api/auth/callback/credentials', { body: 'email=a%40b.c&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(small.body).toBe('next');
    expect(front.nextCalls.pop()!.url).toBe('/api/auth/callback/credentials');
  });

  it('lets the REST API read its own bodies, closing the connection after one it may leave unread', async () => {
    const chunked = await send(front.port, '/api/v1/keys', { body: '{}', headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json', connection: 'keep-alive' } });
    expect(chunked.body).toBe('next');
    expect(chunked.headers.connection).toBe('close');
    const plain = await send(front.port, '/api/v1/keys', { body: '{}', headers: { 'content-type': 'application/json', connection: 'keep-alive' } });
    expect(plain.headers.connection).not.toBe('close');
    front.nextCalls.length = 0;
  });

  it('closes a connection whose headers do not arrive in time', async () => {
    const socket = net.connect(front.port, '127.0.0.1').resume();
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('POST /api/v1/keys/verify HTTP/1.1\r\nHost: x\r\n');
    await within(LIMITS.headersTimeoutMs + 1_000, closed, 'slow headers');
  });
});

describe('refusals a client is still sending into', () => {
  /**
   * Writes `head` and then `bodyBytes` more, as a client would, but reads nothing for 300 ms — a
   * busy client. The status line it then finds, if any: a reset in the meantime loses it.
   */
  const busyClient = (port: number, head: string, bodyBytes: number) =>
    new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(head);
        socket.write(Buffer.alloc(bodyBytes, 'k'));
      });
      socket.pause();
      setTimeout(() => socket.resume(), 300);
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('error', () => {});
      socket.on('close', () => resolve(answer.split('\r\n')[0]!));
    });

  it('answers a 1 MB header with 431 that a client still sending reads, not a reset', async () => {
    const front = await startFront();
    try {
      const head = `GET /api/v1/keys HTTP/1.1\r\nHost: x\r\nX-Big: ${'k'.repeat(1024 * 1024)}`;
      expect(await busyClient(front.port, head, 8 * 1024 * 1024)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    } finally {
      await front.close();
    }
  });

  it('answers an oversized verify body with 413 that a client still sending reads, not a reset', async () => {
    const front = await startFront();
    try {
      const head = 'POST /api/v1/keys/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4194304\r\n\r\n';
      expect(await busyClient(front.port, head, 4 * 1024 * 1024)).toBe('HTTP/1.1 413 Payload Too Large');
    } finally {
      await front.close();
    }
  });
});

describe('the connection cap and Strict-Transport-Security', () => {
  it('closes connections beyond the cap at once', async () => {
    const front = await startFront({ limits: { ...LIMITS, maxConnections: 2 } });
    try {
      const open = () => {
        const socket = net.connect(front.port, '127.0.0.1').resume();
        return { socket, closed: new Promise<void>((resolve) => socket.on('close', () => resolve())) };
      };
      const [first, second] = [open(), open()];
      await Promise.all([first, second].map(({ socket }) => new Promise((resolve) => socket.once('connect', resolve))));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Closed unserved: a request written on it gets no answer at all (not even a 503).
      const third = open();
      let answered = '';
      third.socket.on('error', () => {});
      third.socket.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1')));
      third.socket.once('connect', () => third.socket.write('POST /api/v1/keys/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n{"key":"x"}'));
      await third.closed;
      expect(answered).toBe('');
      expect(first.socket.destroyed || second.socket.destroyed).toBe(false);
      first.socket.destroy();
      second.socket.destroy();
    } finally {
      await front.close();
    }
  });

  it('is on every answer when the public address is https, and on Next\'s behind a trusted https proxy', async () => {
    const hsts = (answer: Answer) => answer.headers['strict-transport-security'];
    const https = await startFront({ publicUrl: 'https://keys.example' });
    try {
      expect(hsts(await send(https.port, '/api/v1/keys/verify', { body: '{"key":"x"}' }))).toBe(STRICT_TRANSPORT_SECURITY);
      expect(hsts(await send(https.port, '/login', { method: 'GET' }))).toBe(STRICT_TRANSPORT_SECURITY);
    } finally {
      await https.close();
    }
    const proxied = await startFront({ trustedProxies: 1, publicUrl: 'http://keys.example' });
    try {
      expect(hsts(await send(proxied.port, '/login', { method: 'GET', headers: { 'x-forwarded-proto': 'https' } }))).toBe(STRICT_TRANSPORT_SECURITY);
      expect(hsts(await send(proxied.port, '/login', { method: 'GET', headers: { 'x-forwarded-proto': 'http' } }))).toBeUndefined();
      expect(hsts(await send(proxied.port, '/api/v1/keys/verify', { body: '{"key":"x"}' }))).toBeUndefined();
    } finally {
      await proxied.close();
    }
    const direct = await startFront();
    try {
      expect(hsts(await send(direct.port, '/login', { method: 'GET', headers: { 'x-forwarded-proto': 'https' } }))).toBeUndefined();
    } finally {
      await direct.close();
    }
  });
});
