/**
 * Sends one webhook request to an address that was already checked (./url-safety.ts): the
 * connection goes to that address while TLS and the Host header still use the URL's name, so
 * nothing is resolved a second time. Redirects are never followed; the whole exchange has one
 * deadline; only the response's first bytes are read.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './url-safety';

export const RESPONSE_PREVIEW_BYTES = 1024;

export type OutgoingWebhook = { target: CheckedTarget; headers: Record<string, string>; body: string; timeoutMs: number };
export type WebhookResponse = { statusCode: number; durationMs: number; bodyStart: string; location?: string };
/** Resolves with any HTTP answer; rejects when there is none (refused, reset, timed out). */
export type Transport = (request: OutgoingWebhook) => Promise<WebhookResponse>;

export class TransportError extends Error {
  constructor(
    message: string,
    readonly durationMs: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export const pinnedTransport: Transport = ({ target, headers, body, timeoutMs }) =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const { url, address, family } = target;
    // Hands the checked address to the socket whatever the name; net asks with `all` on Node ≥ 20.
    const pinned = ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options?.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    }) as unknown as LookupFunction;
    const client = url.protocol === 'https:' ? https : http;
    const payload = Buffer.from(body, 'utf8');
    const request = client.request(url, {
      method: 'POST',
      lookup: pinned,
      agent: false,
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(payload.length),
        'user-agent': 'Keyward-Webhooks/1',
      },
    });
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new TransportError(message, elapsed()));
    };
    const timer = setTimeout(() => fail(`No answer within ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}.`), timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ? `${error.code}: ${error.message}` : error.message));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        const location = response.headers.location;
        resolve({
          statusCode: response.statusCode ?? 0,
          durationMs: elapsed(),
          bodyStart: Buffer.concat(chunks).subarray(0, RESPONSE_PREVIEW_BYTES).toString('utf8'),
          ...(location ? { location } : {}),
        });
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_PREVIEW_BYTES) finish();
      });
      response.on('end', finish);
      response.on('error', finish);
      response.on('aborted', finish);
    });
    request.end(payload);
  });
