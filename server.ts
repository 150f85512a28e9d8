/**
 * Keyward's production server: one process, one port. It answers POST /api/v1/keys/verify
 * itself (the hot path every API call of our users makes, ~20× cheaper without the framework)
 * and hands every other request to Next. It also fixes X-Forwarded-For to the real client
 * address before Next sees it (KEYWARD_TRUSTED_PROXIES).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import next from 'next';
import { resolveClientAddress } from './lib/api/client-address';
import { answerVerify, MAX_VERIFY_BODY_BYTES } from './lib/api/verify-endpoint';
import { positiveIntFromEnv } from './lib/config/env';
import { prepareServerOrExit } from './lib/setup/prepare';

const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || '0.0.0.0';
const trustedProxies = positiveIntFromEnv('KEYWARD_TRUSTED_PROXIES', 0, 0);

/** Reads at most `limit` bytes; undefined when the body is larger. */
function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function verify(request: IncomingMessage, response: ServerResponse, address: string): Promise<void> {
  const declared = Number(request.headers['content-length'] ?? 0);
  const body = declared > MAX_VERIFY_BODY_BYTES ? undefined : await readBody(request, MAX_VERIFY_BODY_BYTES);
  const answer = await answerVerify(body, address);
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
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
      verify(request, response, address).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"error":{"code":"internal","message":"Something went wrong."}}');
      });
      return;
    }
    request.headers['x-forwarded-for'] = address;
    // Next's internal header: never accepted from outside (it once skipped the proxy entirely).
    if ('x-middleware-subrequest' in request.headers) delete request.headers['x-middleware-subrequest'];
    void handle(request, response);
  });
  server.listen(port, hostname, () => console.log(`Keyward listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: Error) => {
  console.error(`Keyward cannot start: ${error.message}`);
  process.exit(1);
});
