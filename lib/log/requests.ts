/**
 * The production server's request log (lib/api/http-server.ts writes to it): a line for every
 * request it answers — request id, method, route, status, duration in ms — except verify's.
 *
 * Verify is the hot path (tens of thousands of answers a second on one core): a pino line each
 * costs more than the answer (bench:verify prints the figures), and no log pipeline wants them.
 * So verify is logged in aggregate: one line a minute with its number of answers by status and
 * their mean and longest duration — at error level when any was a 5xx. KEYWARD_LOG_LEVEL=debug
 * adds a line for each verify answer as well. The route is the path without its query string
 * (a query may hold a secret), and a path segment shaped like a Keyward key is never written.
 */
import type { Logger } from 'pino';
import { keyPrefix } from '@/lib/keys/format';

export type RequestLine = {
  requestId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
};

export const MAX_ROUTE_LENGTH = 256;
export const VERIFY_SUMMARY_EVERY_MS = 60_000;

/** Durations to a hundredth of a millisecond: enough to see, cheaper to read. */
export const roundMs = (ms: number): number => Math.round(ms * 100) / 100;

/** The path as it may be logged: no query string or fragment, bounded, key-shaped segments replaced. */
export function routeForLog(pathname: string): string {
  let route = pathname;
  const cut = route.search(/[?#]/);
  if (cut >= 0) route = route.slice(0, cut);
  if (route.length > MAX_ROUTE_LENGTH) route = `${route.slice(0, MAX_ROUTE_LENGTH)}…`;
  const marker = `${keyPrefix()}_`;
  if (!route.includes(marker)) return route;
  return route
    .split('/')
    .map((segment) => (segment.includes(marker) ? '[redacted]' : segment))
    .join('/');
}

/** Verify answers since the last summary. */
class VerifyTally {
  requests = 0;
  totalMs = 0;
  maxMs = 0;
  serverErrors = 0;
  statuses: Record<number, number> = {};
  startedAt = Date.now();

  add(status: number, durationMs: number): void {
    this.requests++;
    this.totalMs += durationMs;
    if (durationMs > this.maxMs) this.maxMs = durationMs;
    if (status >= 500) this.serverErrors++;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }
}

export class RequestLog {
  private tally = new VerifyTally();
  private readonly timer: NodeJS.Timeout;
  /** Read once: the level does not change while the process runs. */
  private readonly eachVerify: boolean;

  constructor(
    private readonly log: Logger,
    private readonly verifyRoute: string,
    summaryEveryMs = VERIFY_SUMMARY_EVERY_MS,
  ) {
    this.eachVerify = log.isLevelEnabled('debug');
    this.timer = setInterval(() => this.summarizeVerify(), summaryEveryMs).unref();
  }

  /** A request answered by Next or refused in front of it; `aborted` when the client left before the answer ended. */
  request(line: RequestLine, aborted = false): void {
    const level = line.status >= 500 ? 'error' : 'info';
    if (aborted) this.log[level]({ ...line, aborted }, 'request aborted');
    else this.log[level](line, 'request');
  }

  /** A verify answer: counted for the next summary, and logged alone at debug level. */
  verify(requestId: string, status: number, durationMs: number): void {
    this.tally.add(status, durationMs);
    if (this.eachVerify) this.log.debug({ requestId, method: 'POST', route: this.verifyRoute, status, durationMs: roundMs(durationMs) }, 'request');
  }

  /** Writes the summary of the verify answers since the last one, if there were any. */
  summarizeVerify(): void {
    const tally = this.tally;
    if (tally.requests === 0) return;
    this.tally = new VerifyTally();
    const level = tally.serverErrors > 0 ? 'error' : 'info';
    this.log[level](
      {
        route: this.verifyRoute,
        requests: tally.requests,
        statuses: tally.statuses,
        durationMsMean: roundMs(tally.totalMs / tally.requests),
        durationMsMax: roundMs(tally.maxMs),
        periodSeconds: Math.round((Date.now() - tally.startedAt) / 1000),
      },
      'verify requests',
    );
  }

  /** At an orderly stop: no more summaries by timer, and the last one written now. */
  stop(): void {
    clearInterval(this.timer);
    this.summarizeVerify();
  }
}
