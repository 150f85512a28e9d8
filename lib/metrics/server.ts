/**
 * The metrics listener: `GET /metrics` in Prometheus's text format, on a port of its own
 * (KEYWARD_METRICS_PORT, bound to KEYWARD_METRICS_HOST, 127.0.0.1 by default), so metrics are
 * never served on the public port by accident. Off unless the port is set. It answers nothing
 * else: every other path is 404, every other method 405.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { scrape } from './registry';

export type MetricsSettings = { port: number; host: string };

/** KEYWARD_METRICS_PORT (1–65535; unset or empty: no metrics) and KEYWARD_METRICS_HOST. */
export function metricsSettingsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): MetricsSettings | undefined {
  const raw = env.KEYWARD_METRICS_PORT?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) throw new Error(`KEYWARD_METRICS_PORT must be a port number (1–65535), got "${env.KEYWARD_METRICS_PORT}".`);
  return { port, host: env.KEYWARD_METRICS_HOST?.trim() || '127.0.0.1' };
}

export function metricsRequestListener(registry: Registry): http.RequestListener {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const plain = (status: number, text: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
      response.end(text);
    };
    if (path !== '/metrics') return plain(404, 'Not found. Metrics are at /metrics.\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Use GET.\n', { allow: 'GET, HEAD' });
    scrape(registry).then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      () => plain(500, 'The metrics could not be collected.\n'),
    );
  };
}

/** Listens on `settings`; rejects (the port taken, say) with a message naming the variable. */
export function startMetricsServer(registry: Registry, settings: MetricsSettings): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 5_000, headersTimeout: 10_000, requestTimeout: 30_000 }, metricsRequestListener(registry));
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`the metrics listener (KEYWARD_METRICS_PORT=${settings.port}, KEYWARD_METRICS_HOST=${settings.host}) cannot start: ${error.code ?? error.message}`)),
    );
    server.listen(settings.port, settings.host, () => resolve(server));
  });
}

/** Where it listens, as a URL (the log line at start). */
export function metricsUrl(server: http.Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
}

/** Stops it: no new connections, idle ones closed now, a scrape under way allowed to finish. */
export function closeMetricsServer(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}
