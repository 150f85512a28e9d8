/**
 * Keyward's production server: one process, one port, in one of two roles (KEYWARD_ROLE).
 * - A console node (the default) answers POST /api/v1/keys/verify itself — the hot path every
 *   API call of our users makes, about 20× cheaper without the framework — and hands every other
 *   request to Next.
 * - A verify node (lib/api/verify-node.ts) answers verify and its health only, and never loads
 *   Next.
 * lib/api/http-server.ts is the front of both: it also fixes X-Forwarded-For, refuses unbounded
 * bodies and holds the server's timeouts and connection cap. Everything the server prints goes
 * through one logger (lib/log/logger.ts: JSON lines in production), each request it answers is
 * logged (lib/log/requests.ts), and with KEYWARD_METRICS_PORT set a second listener serves
 * Prometheus metrics (lib/metrics/). `npm run build` compiles this file to dist/server.mjs,
 * which `npm start` runs with plain node: run through tsx, a cached verification cost about a
 * third more CPU.
 */
import type http from 'node:http';
import { databaseOptionsFromEnv, getDatabase, getDb } from './db/client';
import { createHttpServer, serverLimitsFromEnv, VERIFY_PATH, type FrontOptions } from './lib/api/http-server';
import { serverRoleFromEnv, VERIFY_NODE_NEEDS_POSTGRES, verifyNodeRequest } from './lib/api/verify-node';
import { positiveIntFromEnv } from './lib/config/env';
import { startProcessStatsFromEnv } from './lib/diagnostics/process-stats';
import { writtenLine } from './lib/verify/counts';
import { logger, routeConsoleToLogger, type Logger } from './lib/log/logger';
import { RequestLog } from './lib/log/requests';
import { installMetricsRecorder } from './lib/metrics/recorder';
import { createMetrics } from './lib/metrics/registry';
import { closeMetricsServer, metricsSettingsFromEnv, metricsUrl, startMetricsServer } from './lib/metrics/server';
import { flushVerifierUsage } from './lib/verify/verifier';
import { prepareServerOrExit } from './lib/setup/prepare';
import { countDueDeliveries } from './lib/webhooks/outbox';
import { stopServerDelivery } from './lib/webhooks/runner';

const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || '0.0.0.0';
const trustedProxies = positiveIntFromEnv('KEYWARD_TRUSTED_PROXIES', 0, 0);

async function main(): Promise<void> {
  const log = logger();
  // What Next and the libraries print becomes a log line too: production output is all JSON.
  routeConsoleToLogger(log);
  const limits = serverLimitsFromEnv();
  const role = serverRoleFromEnv();
  if (role === 'verify' && databaseOptionsFromEnv().driver === 'pglite') throw new Error(VERIFY_NODE_NEEDS_POSTGRES);
  const metricsSettings = metricsSettingsFromEnv();
  // Installed before anything verifies, signs in or delivers: they record into it as they do.
  const metrics = metricsSettings && createMetrics({ outboxDue: () => countDueDeliveries(getDb()) });
  if (metrics) installMetricsRecorder(metrics.recorder);
  // Secrets, migrations and the first administrator, before anything is answered.
  await prepareServerOrExit();
  // A verify node never loads Next (lib/api/verify-node.ts).
  const fallback: FrontOptions['fallback'] = role === 'verify' ? verifyNodeRequest : await nextHandler();
  // Opt-in figures for a soak (KEYWARD_STATS_INTERVAL_MS): memory, event-loop delay, handles.
  startProcessStatsFromEnv();
  const requestLog = new RequestLog(log, VERIFY_PATH);
  // Verify and the guards in front of Next: lib/api/http-server.ts.
  const server = createHttpServer({ fallback, trustedProxies, limits, publicUrl: process.env.AUTH_URL, requestLog, metrics: metrics?.recorder });
  const metricsServer = metrics ? await startMetricsServer(metrics.registry, metricsSettings) : undefined;
  if (metricsServer) log.info(`Keyward metrics at ${metricsUrl(metricsServer)}`);
  const listening = `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`;
  server.listen(port, hostname, () => log.info(role === 'verify' ? `Keyward verify node listening on ${listening}` : `Keyward listening on ${listening}`));
  stopOnSignals(server, log, requestLog, metricsServer);
}

async function nextHandler(): Promise<FrontOptions['fallback']> {
  const { default: next } = await import('next');
  const app = next({ dev: false, hostname, port });
  await app.prepare();
  return app.getRequestHandler();
}

const SHUTDOWN_LIMIT_MS = 20_000;

/**
 * SIGTERM or SIGINT: stop taking connections (the metrics listener's too), let the requests, the
 * webhook attempts under way (each ends within its timeout) and the pending last-used notes and
 * usage counts finish (saying in one line how many count statements the process wrote, and how
 * many rows and answers they held), write the last verify summary, close the database (PGlite
 * writes its files and frees the data dir), then exit 0 — or 1 if that takes over 20 s.
 */
function stopOnSignals(server: http.Server, log: Logger, requestLog: RequestLog, metricsServer: http.Server | undefined): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive connection becomes idle once its last answer is sent: close it then.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    void closed.then(() => {
      clearInterval(sweep);
      requestLog.stop();
    });
    // The notes and counts are written once the last request has been answered (every answer is
    // counted before it is sent), so none is left behind; then the server says what it wrote.
    const usageWritten = closed.then(flushVerifierUsage).then((report) => report && log.info(writtenLine(report.written, report.unwritten)));
    void Promise.allSettled([usageWritten, stopServerDelivery(), metricsServer && closeMetricsServer(metricsServer)])
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
  const line = `Keyward cannot start: ${error.message}`;
  // A bad KEYWARD_LOG_* setting leaves no logger to say so.
  try {
    logger().fatal(line);
  } catch {
    process.stderr.write(`${line}\n`);
  }
  process.exit(1);
});
