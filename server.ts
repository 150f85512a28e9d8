/**
 * Keyward's production server: one process, one port. It answers POST /api/v1/keys/verify
 * itself (the hot path every API call of our users makes, ~20× cheaper without the framework)
 * and hands every other request to Next. It also fixes X-Forwarded-For to the real client
 * address before Next sees it (KEYWARD_TRUSTED_PROXIES). `npm run build` compiles it to
 * dist/server.mjs, which `npm start` runs with plain node: run through tsx, a cached
 * verification cost about a third more CPU.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import next from 'next';
import { getDatabase } from './db/client';
import { resolveClientAddress } from './lib/api/client-address';
import { answerVerify, MAX_VERIFY_BODY_BYTES, type EndpointAnswer } from './lib/api/verify-endpoint';
import { positiveIntFromEnv } from './lib/config/env';
import { flushVerifierUsage } from './lib/keys/verifier';
import { prepareServerOrExit } from './lib/setup/prepare';
import { stopServerDelivery } from './lib/webhooks/runner';

const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || '0.0.0.0';
const trustedProxies = positiveIntFromEnv('KEYWARD_TRUSTED_PROXIES', 0, 0);

/** With its length, so the answer is one plain write rather than chunked encoding's several. */
function send(response: ServerResponse, answer: EndpointAnswer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

const INTERNAL_ERROR: EndpointAnswer = {
  status: 500,
  headers: { 'content-type': 'application/json' },
  body: '{"error":{"code":"internal","message":"Something went wrong."}}',
};

/**
 * Reads the body (at most MAX_VERIFY_BODY_BYTES) with plain stream callbacks and answers in the
 * same turn when Verifier needs no database: a cache hit makes no promise at all.
 */
function verify(request: IncomingMessage, response: ServerResponse, address: string): void {
  const reply = (body: string | undefined) => {
    let answer: EndpointAnswer | Promise<EndpointAnswer>;
    try {
      answer = answerVerify(body, address);
    } catch {
      answer = INTERNAL_ERROR;
    }
    if (answer instanceof Promise) answer.then((done) => send(response, done), () => send(response, INTERNAL_ERROR));
    else send(response, answer);
  };
  if (Number(request.headers['content-length'] ?? 0) > MAX_VERIFY_BODY_BYTES) return reply(undefined);
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_VERIFY_BODY_BYTES) chunks.push(chunk);
  });
  request.on('end', () => reply(size > MAX_VERIFY_BODY_BYTES ? undefined : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
  request.on('error', () => response.destroy());
}

async function main(): Promise<void> {
  // Secrets, migrations and the first administrator, before anything is answered.
  await prepareServerOrExit();
  const app = next({ dev: false, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((request, response) => {
    const address = resolveClientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], trustedProxies);
    if (request.method === 'POST' && request.url === '/api/v1/keys/verify') {
      verify(request, response, address);
      return;
    }
    request.headers['x-forwarded-for'] = address;
    // Next's internal header: never accepted from outside (it once skipped the proxy entirely).
    delete request.headers['x-middleware-subrequest'];
    void handle(request, response);
  });
  server.listen(port, hostname, () => console.log(`Keyward listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`));
  stopOnSignals(server);
}

const SHUTDOWN_LIMIT_MS = 20_000;

/**
 * SIGTERM or SIGINT: stop taking connections, let the requests, the webhook attempts under way
 * (each ends within its timeout) and the pending last-used notes finish, close the database (PGlite
 * writes its files and frees the data dir), then exit 0 — or 1 if that takes over 20 s.
 */
function stopOnSignals(server: http.Server): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive connection becomes idle once its last answer is sent: close it then.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    void closed.then(() => clearInterval(sweep));
    // The notes are written once the last request has been answered, so none is left behind.
    void Promise.allSettled([closed.then(flushVerifierUsage), stopServerDelivery()])
      .then(() => getDatabase().close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: Error) => {
  console.error(`Keyward cannot start: ${error.message}`);
  process.exit(1);
});
