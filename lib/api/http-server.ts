/**
 * The front of the production server (server.ts), a node:http server that tests drive over real
 * HTTP without a Next build. It answers every request for /api/v1/keys/verify itself, whatever
 * the query string or the form of the request target, reading at most MAX_VERIFY_BODY_BYTES. It
 * refuses the bodies Next would read whole before anything is authenticated, fixes
 * X-Forwarded-For, and sets the timeouts and the connection cap that keep slow senders from
 * holding the server. It never reads a body past its limit: a refusal closes the connection.
 * Every answer carries an `x-request-id` (lib/log/request-id.ts). With a request log (server.ts)
 * each request is logged (lib/log/requests.ts: verify's summed), and with a metrics recorder
 * (KEYWARD_METRICS_PORT) verify's answers are counted and timed; without one, verify's path
 * pays for no metric at all.
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { positiveIntFromEnv } from '@/lib/config/env';
import { requestIdFor } from '@/lib/log/request-id';
import { RequestLog, roundMs, routeForLog } from '@/lib/log/requests';
import type { MetricsRecorder } from '@/lib/metrics/recorder';
import { STRICT_TRANSPORT_SECURITY, servedOverHttps } from '@/lib/security/headers';
import { MAX_CONSOLE_BODY_BYTES, tooLargeBody } from './body-limit';
import { resolveClientAddress } from './client-address';
import { errorBody } from './errors';
import { MAX_BODY_BYTES } from './http';
import { answerVerify, MAX_VERIFY_BODY_BYTES, VERIFY_BODY_TOO_LARGE } from '@/lib/verify/endpoint';
import { jsonAnswer, type EndpointAnswer } from './answer';

export const VERIFY_PATH = '/api/v1/keys/verify';

export type ServerLimits = {
  /** From a request's first byte (or a new connection) to the end of its headers. */
  headersTimeoutMs: number;
  /** From a request's first byte to the end of its body. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Connections beyond it are closed as soon as they are accepted. */
  maxConnections: number;
  /** From a verify body's first byte to its last. */
  verifyBodyTimeoutMs: number;
};

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
  verifyBodyTimeoutMs: 5_000,
};

export function serverLimitsFromEnv(): ServerLimits {
  const limits: ServerLimits = {
    headersTimeoutMs: positiveIntFromEnv('KEYWARD_HEADERS_TIMEOUT_MS', DEFAULT_SERVER_LIMITS.headersTimeoutMs),
    requestTimeoutMs: positiveIntFromEnv('KEYWARD_REQUEST_TIMEOUT_MS', DEFAULT_SERVER_LIMITS.requestTimeoutMs),
    keepAliveTimeoutMs: positiveIntFromEnv('KEYWARD_KEEP_ALIVE_TIMEOUT_MS', DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs),
    maxConnections: positiveIntFromEnv('KEYWARD_MAX_CONNECTIONS', DEFAULT_SERVER_LIMITS.maxConnections),
    verifyBodyTimeoutMs: positiveIntFromEnv('KEYWARD_VERIFY_BODY_TIMEOUT_MS', DEFAULT_SERVER_LIMITS.verifyBodyTimeoutMs),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(`KEYWARD_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}) must not be more than KEYWARD_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs}).`);
  }
  return limits;
}

/**
 * The path a request target names, as Next routes it: origin or absolute form, dot segments
 * resolved, escapes decoded, query ignored. The verify path, with or without a query, is
 * recognised without parsing.
 */
export function pathnameOf(target: string): string {
  if (target.startsWith(VERIFY_PATH) && (target.length === VERIFY_PATH.length || target.charCodeAt(VERIFY_PATH.length) === 63 /* ? */)) {
    return VERIFY_PATH;
  }
  let pathname: string;
  try {
    pathname = new URL(target, 'http://keyward.invalid').pathname;
  } catch {
    return target;
  }
  if (!pathname.includes('%')) return pathname;
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

const refusal = (status: number, code: string, body: string, headers: Record<string, string> = {}): EndpointAnswer =>
  jsonAnswer(status, body, code, { ...headers, connection: 'close' });
const errorRefusal = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  refusal(status, code, JSON.stringify(errorBody(code, message)), headers);

const VERIFY_METHOD_NOT_ALLOWED = errorRefusal(405, 'method_not_allowed', 'Use POST.', { allow: 'POST' });
const CONSOLE_BODY_TOO_LARGE = refusal(413, 'payload_too_large', tooLargeBody(MAX_CONSOLE_BODY_BYTES));
const LENGTH_REQUIRED = errorRefusal(411, 'length_required', 'Send the body with a Content-Length.');
const verifyTimeout = (ms: number) => errorRefusal(408, 'request_timeout', `The body must arrive within ${ms} ms.`);

const INTERNAL_ERROR = jsonAnswer(500, '{"error":{"code":"internal","message":"Something went wrong."}}', 'internal');

/**
 * What server.ts refuses before Next reads a body that nothing has authenticated yet: Auth.js
 * reads its POSTs whole, and for pages (server actions, sign-in) Next first copies the body for
 * proxy.ts, up to 10 MB. A declared Content-Length is checked here and the parser delivers no
 * more than it; a body without one (chunked) could not be stopped once Next reads it, and no
 * browser sends one. The REST API authenticates first, then reads within its own limit.
 */
function nextBodyRefusal(request: IncomingMessage, pathname: string): EndpointAnswer | undefined {
  if (pathname.startsWith('/api/v1/')) return undefined;
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > MAX_CONSOLE_BODY_BYTES ? CONSOLE_BODY_TOO_LARGE : undefined;
  return request.headers['transfer-encoding'] === undefined ? undefined : LENGTH_REQUIRED;
}

/** How long a refused connection stays open, unread, for its client to read the answer. */
const LINGER_MS = 2_000;

/**
 * Closes a connection whose client may still be sending into it: our side ends at once (FIN
 * after the answer) and nothing more is read, but the socket is freed only when the client
 * closes too, or after LINGER_MS. Destroying it at once would make the kernel answer the unread
 * bytes with a reset, which can reach the client before it has read the answer, and lose it.
 */
function closeAfterAnswer(socket: Duplex): void {
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Node's own answers to requests its parser refuses, sent as closeAfterAnswer closes. */
function parserRefusal(code: string | undefined): [number, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large'];
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return [413, 'Payload Too Large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Request Timeout'];
  return [400, 'Bad Request'];
}

/** Requests refused before their body, with Expect: 100-continue: the client never sends it. */
function refusalBeforeBody(request: IncomingMessage): EndpointAnswer | undefined {
  const pathname = pathnameOf(request.url ?? '/');
  if (pathname !== VERIFY_PATH) return nextBodyRefusal(request, pathname);
  if (request.method !== 'POST') return VERIFY_METHOD_NOT_ALLOWED;
  return Number(request.headers['content-length'] ?? 0) > MAX_VERIFY_BODY_BYTES ? VERIFY_BODY_TOO_LARGE : undefined;
}

export type FrontOptions = {
  /** Every request that is not verify's: Next's request handler. */
  fallback: (request: IncomingMessage, response: ServerResponse) => unknown;
  trustedProxies: number;
  limits: ServerLimits;
  /** The configured public address (AUTH_URL), which decides Strict-Transport-Security. */
  publicUrl?: string;
  /** Where each answered request is logged (verify's in aggregate); none logs nothing. */
  requestLog?: RequestLog;
  /** Counts and times verify's answers when metrics are on (KEYWARD_METRICS_PORT). */
  metrics?: MetricsRecorder;
};

/** Milliseconds since `started` (process.hrtime.bigint(): Next's clock tracking does not touch it). */
const msSince = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e6;

/**
 * The server's two listeners: `request`, and `checkContinue` for requests that wait for 100
 * Continue before sending their body (curl does above 1 MB), refused without it when they would be.
 */
export function createListeners(options: FrontOptions): { request: RequestListener; checkContinue: RequestListener } {
  const { fallback, trustedProxies, requestLog, metrics } = options;
  const verifyBodyTimeoutMs = options.limits.verifyBodyTimeoutMs;
  const alwaysHttps = servedOverHttps({ publicUrl: options.publicUrl, trustedProxies: 0 });
  const transport = alwaysHttps ? { 'strict-transport-security': STRICT_TRANSPORT_SECURITY } : undefined;

  /**
   * An answer's headers as the flat [name, value, …] list writeHead takes, with
   * Strict-Transport-Security when the server always answers over HTTPS: made once per headers
   * object (verify's answers share a few), so sending one spreads no object.
   */
  const flatHeaders = new WeakMap<Record<string, string>, string[]>();
  const listOf = (headers: Record<string, string>): string[] => {
    let list = flatHeaders.get(headers);
    if (list === undefined) {
      list = Object.entries(transport ? { ...headers, ...transport } : headers).flat();
      flatHeaders.set(headers, list);
    }
    return list;
  };

  /**
   * With its length, so the answer is one plain write rather than chunked encoding's several. A
   * request that is not verify's has its x-request-id set on the response already.
   */
  const send = (response: ServerResponse, answer: EndpointAnswer, requestId?: string): void => {
    const list = listOf(answer.headers);
    const length = String(Buffer.byteLength(answer.body));
    response.writeHead(answer.status, requestId === undefined ? [...list, 'content-length', length] : [...list, 'x-request-id', requestId, 'content-length', length]);
    response.end(answer.body);
  };

  /**
   * Stops reading (the socket too, once the stream's buffer is full) and answers; the answer
   * closes the connection. Node would destroy the socket right after it (destroySoon): it
   * lingers instead, so a client still sending reads its answer rather than a reset.
   */
  const refuse = (request: IncomingMessage, response: ServerResponse, answer: EndpointAnswer, requestId?: string): void => {
    request.pause();
    const socket = request.socket;
    socket.destroySoon = () => closeAfterAnswer(socket);
    if (!response.headersSent) send(response, answer, requestId);
  };

  /** After a verify answer is sent: counted and timed (metrics on), and logged. */
  const verified = (answer: EndpointAnswer, requestId: string, started: bigint): void => {
    if (!metrics && !requestLog) return;
    const ms = msSince(started);
    if (metrics) {
      metrics.verifications.add(answer.code);
      metrics.verifySeconds.observe(ms / 1000);
    }
    requestLog?.verify(requestId, answer.status, ms);
  };

  const reply = (response: ServerResponse, body: string, address: string, requestId: string, started: bigint): void => {
    let answer: EndpointAnswer | Promise<EndpointAnswer>;
    try {
      answer = answerVerify(body, address);
    } catch {
      answer = INTERNAL_ERROR;
    }
    const done = (final: EndpointAnswer) => {
      send(response, final, requestId);
      verified(final, requestId, started);
    };
    if (answer instanceof Promise) answer.then(done, () => done(INTERNAL_ERROR));
    else done(answer);
  };

  const refuseVerify = (request: IncomingMessage, response: ServerResponse, answer: EndpointAnswer, requestId: string, started: bigint): void => {
    refuse(request, response, answer, requestId);
    verified(answer, requestId, started);
  };

  /**
   * Reads the body with plain stream callbacks and answers in the same turn when Verifier needs
   * no database: a cache hit makes no promise at all. The whole body usually arrives with the
   * headers, so the body deadline's timer is set only for one that has not. (Its first chunk is
   * delivered while the parser is still in the request, before it marks the request complete:
   * whether the body is all here is told by the declared length.)
   */
  const verify = (request: IncomingMessage, response: ServerResponse, address: string, requestId: string, started: bigint): void => {
    const declared = Number(request.headers['content-length'] ?? -1);
    if (declared > MAX_VERIFY_BODY_BYTES) return refuseVerify(request, response, VERIFY_BODY_TOO_LARGE, requestId, started);
    const chunks: Buffer[] = [];
    let size = 0;
    let deadline: NodeJS.Timeout | undefined;
    const stop = (answer: EndpointAnswer) => {
      clearTimeout(deadline);
      request.removeListener('data', onData).removeListener('end', onEnd);
      refuseVerify(request, response, answer, requestId, started);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_VERIFY_BODY_BYTES) return stop(VERIFY_BODY_TOO_LARGE);
      chunks.push(chunk);
      if (deadline === undefined && size !== declared && !request.complete) deadline = setTimeout(() => stop(verifyTimeout(verifyBodyTimeoutMs)), verifyBodyTimeoutMs);
    };
    const onEnd = () => {
      if (deadline !== undefined) clearTimeout(deadline);
      reply(response, (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'), address, requestId, started);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', () => {
      clearTimeout(deadline);
      response.destroy();
    });
  };

  /** Every other request: its id on the answer and, once the answer is sent (or the client has left), its line. */
  const follow = (request: IncomingMessage, response: ServerResponse, pathname: string, requestId: string, started: bigint): void => {
    response.setHeader('x-request-id', requestId);
    // Next reads the same id, should it log.
    request.headers['x-request-id'] = requestId;
    if (!requestLog) return;
    response.once('close', () => {
      const line = { requestId, method: request.method ?? '', route: routeForLog(pathname), status: response.statusCode, durationMs: roundMs(msSince(started)) };
      requestLog.request(line, !response.writableFinished);
    });
  };

  const onRequest: RequestListener = (request, response) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(request.headers['x-request-id']);
    const address = resolveClientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], trustedProxies);
    const url = request.url ?? '/';
    const pathname = url === VERIFY_PATH ? VERIFY_PATH : pathnameOf(url);
    if (pathname === VERIFY_PATH) {
      if (request.method === 'POST') verify(request, response, address, requestId, started);
      else refuseVerify(request, response, VERIFY_METHOD_NOT_ALLOWED, requestId, started);
      return;
    }
    follow(request, response, pathname, requestId, started);
    const refused = nextBodyRefusal(request, pathname);
    if (refused) return refuse(request, response, refused);
    // A REST body the handler will not read to its end (too large, or no caller): close rather than drain it.
    if (request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      response.setHeader('connection', 'close');
      const socket = request.socket;
      socket.destroySoon = () => closeAfterAnswer(socket);
    }
    if (alwaysHttps || servedOverHttps({ trustedProxies, forwardedProto: request.headers['x-forwarded-proto'] })) {
      response.setHeader('strict-transport-security', STRICT_TRANSPORT_SECURITY);
    }
    request.headers['x-forwarded-for'] = address;
    // Next's internal header: never accepted from outside (it once skipped the proxy entirely).
    delete request.headers['x-middleware-subrequest'];
    void fallback(request, response);
  };

  const onCheckContinue: RequestListener = (request, response) => {
    const refused = refusalBeforeBody(request);
    if (!refused) {
      response.writeContinue();
      return onRequest(request, response);
    }
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(request.headers['x-request-id']);
    const pathname = pathnameOf(request.url ?? '/');
    if (pathname === VERIFY_PATH) {
      send(response, refused, requestId);
      return verified(refused, requestId, started);
    }
    follow(request, response, pathname, requestId, started);
    send(response, refused);
  };

  return { request: onRequest, checkContinue: onCheckContinue };
}

/** The server with its listeners, its limits and its connection cap. */
export function createHttpServer(options: FrontOptions): http.Server {
  const { limits, requestLog } = options;
  const listeners = createListeners(options);
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often those two timeouts are checked (Node's default, 30 s, would stretch them).
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(limits.headersTimeoutMs / 4)),
    },
    listeners.request,
  );
  server.maxConnections = limits.maxConnections;
  // A request the parser refuses (a 1 MB header, say) is answered as Node would, but closed
  // with closeAfterAnswer rather than destroyed under a client that is still sending it.
  const refused = new WeakSet<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (refused.has(socket)) return;
    refused.add(socket);
    const pending = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) return void socket.destroy();
    const [status, reason] = parserRefusal(error.code);
    // Nothing of the request is known for sure: its line has no method or route.
    const requestId = requestIdFor(undefined);
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\nX-Request-Id: ${requestId}\r\n\r\n`);
    closeAfterAnswer(socket);
    requestLog?.request({ requestId, method: '', route: '', status, durationMs: 0 });
  });
  server.on('checkContinue', listeners.checkContinue);
  return server;
}
