/**
 * Sends one webhook request to an address that was already checked (./url-safety.ts): the
 * connection goes to that address while TLS and the Host header still use the URL's name, so
 * nothing is resolved a second time. Redirects are never followed; the whole exchange has one
 * deadline; only the response's first bytes are read. A failure is reported as a class
 * ("connection refused", "timeout"), never as the socket's message, which names the address and
 * port: the deliveries table must not serve as a port scanner.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './url-safety';

export const RESPONSE_PREVIEW_BYTES = 1024;

export type OutgoingWebhook = { target: CheckedTarget; headers: Record<string, string>; body: string; timeoutMs: number };
export type WebhookResponse = { statusCode: number; durationMs: number; bodyStart: string };
/** Resolves with any HTTP answer; rejects when there is none (refused, reset, timed out). */
export type Transport = (request: OutgoingWebhook) => Promise<WebhookResponse>;

export type TransportFailure = 'connection refused' | 'connection reset' | 'timeout' | 'host unreachable' | 'TLS error' | 'invalid HTTP response' | 'connection failed';

export class TransportError extends Error {
  constructor(
    readonly failure: TransportFailure,
    readonly durationMs: number,
  ) {
    super(failure);
    this.name = 'TransportError';
  }
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/** The class of a socket, TLS or HTTP parser error, from its code alone. */
function transportFailure(error: NodeJS.ErrnoException): TransportFailure {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (UNREACHABLE.has(code)) return 'host unreachable';
  // OpenSSL's certificate checks (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...), Node's
  // ERR_TLS_* and ERR_SSL_*, and EPROTO (a TLS hello answered by plain HTTP).
  if (/CERT|CRL|TLS|SSL|^UNABLE_TO_|^INVALID_(CA|PURPOSE)$|^PATH_LENGTH_EXCEEDED$|^HOSTNAME_MISMATCH$|^EPROTO$/.test(code)) return 'TLS error';
  if (code.startsWith('HPE_')) return 'invalid HTTP response';
  return 'connection failed';
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
    const fail = (failure: TransportFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new TransportError(failure, elapsed()));
    };
    const timer = setTimeout(() => fail('timeout'), timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => fail(transportFailure(error)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        resolve({
          statusCode: response.statusCode ?? 0,
          durationMs: elapsed(),
          bodyStart: Buffer.concat(chunks).subarray(0, RESPONSE_PREVIEW_BYTES).toString('utf8'),
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
