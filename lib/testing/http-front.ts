/**
 * The production server's front (lib/api/http-server.ts) on a free port with a stand-in for Next,
 * and a raw HTTP client for it: what the front's tests share. Never used by the server itself.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer, type FrontOptions, type ServerLimits } from '@/lib/api/http-server';
import { MAX_VERIFY_BODY_BYTES } from '@/lib/verify/endpoint';

export const LIMITS: ServerLimits = { headersTimeoutMs: 400, requestTimeoutMs: 1_500, keepAliveTimeoutMs: 500, maxConnections: 50, verifyBodyTimeoutMs: 300 };

export type Front = { port: number; nextCalls: IncomingMessage[]; close(): Promise<void> };

/** The front on a free port; "Next" answers 200 `next` and remembers what it was handed. */
export async function startFront(options: Partial<FrontOptions> = {}): Promise<Front> {
  const nextCalls: IncomingMessage[] = [];
  const fallback = (request: IncomingMessage, response: ServerResponse) => {
    nextCalls.push(request);
    request.resume();
    request.on('end', () => response.end('next'));
  };
  const server = createHttpServer({ fallback, trustedProxies: 0, limits: LIMITS, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    nextCalls,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `promise`, or a failure once `ms` have passed: the issue asks for an answer within a second. */
export function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; closed: Promise<void>; continued: boolean; chunksSent: number };

/**
 * Sends a request on a connection of its own. `endless`: a chunked body that never ends (a chunk
 * over the verify limit every 2 ms until the connection closes). Resolves with the answer and a promise of the
 * connection's close; errors from writing into a closed connection are expected and ignored.
 */
export function send(port: number, target: string, options: { method?: string; headers?: Record<string, string>; body?: string; endless?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: target, headers: options.headers, agent: false });
    let continued = false;
    let chunksSent = 0;
    const closed = new Promise<void>((done) => request.once('socket', (socket) => socket.once('close', () => done())));
    request.on('continue', () => (continued = true));
    request.on('error', (error) => {
      if (chunksSent === 0) reject(error);
    });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body, closed, continued, chunksSent }));
      response.on('error', () => {});
    });
    if (options.endless) {
      // Each write is already over the limit, so the limit, not the body deadline, answers
      // however long a busy machine takes between two writes.
      const chunk = Buffer.alloc(MAX_VERIFY_BODY_BYTES + 1024, 'k');
      request.flushHeaders();
      const pump = setInterval(() => {
        if (request.destroyed || request.socket?.destroyed) return clearInterval(pump);
        request.write(chunk);
        chunksSent++;
      }, 2);
      void closed.then(() => clearInterval(pump));
    } else if (options.headers?.expect) {
      request.flushHeaders();
    } else {
      request.end(options.body);
    }
  });
}

export const json = (body: string) => JSON.parse(body) as { error?: { code: string }; code?: string; valid?: boolean };
