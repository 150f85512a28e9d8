/**
 * The Prometheus series Keyward exposes, with prom-client: its own (below) and prom-client's
 * default process metrics. Hot-path counts live in a MetricsRecorder as plain numbers and are
 * read here at scrape time; the verify latency histogram is prom-client's own; the outbox's due
 * backlog is one indexed count, asked for at scrape time. Made once, by server.ts, only when
 * KEYWARD_METRICS_PORT is set.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { logger } from '@/lib/log/logger';
import { VERIFY_CODES as ALL_VERIFY_CODES } from '@/lib/verify/codes';
import { MetricsRecorder, recordDatabaseError, type SignInFailure, type Tally, type WebhookResult } from './recorder';

/** Verify latency buckets, in seconds: a cached answer takes tens of microseconds, a lookup milliseconds. */
export const VERIFY_SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

// Shown at 0 from the first scrape, so rate() has a start; other values appear once counted.
const VERIFY_CODES = ALL_VERIFY_CODES;
const WEBHOOK_RESULTS = ['delivered', 'retry', 'failed', 'canceled', 'no_webhook_key'] as const satisfies readonly WebhookResult[];
const SIGN_IN_FAILURES = ['invalid_credentials', 'rate_limited', 'sso_refused'] as const satisfies readonly SignInFailure[];

export type MetricsSources = {
  /** Webhook deliveries due now and not yet sent (lib/webhooks/outbox.ts countDueDeliveries). */
  outboxDue: () => Promise<number>;
};

export type Metrics = { registry: Registry; recorder: MetricsRecorder };

/** A counter whose values are a Tally's, read at each scrape (`known` shown at 0 until counted). */
function tallyCounter<L extends string>(registry: Registry, name: string, help: string, label: string, tally: () => Tally<L>, known: readonly L[]): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      const counts = tally().counts;
      this.reset();
      for (const value of known) this.inc({ [label]: value }, counts.get(value) ?? 0);
      for (const [value, n] of counts) if (!known.includes(value)) this.inc({ [label]: value }, n);
    },
  });
}

function plainCounter(registry: Registry, name: string, help: string, value: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(value());
    },
  });
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const verifySeconds = new Histogram({
    name: 'keyward_verify_duration_seconds',
    help: 'Time from a POST /api/v1/keys/verify request to its answer, in seconds.',
    buckets: VERIFY_SECONDS_BUCKETS,
    registers: [registry],
  });
  const recorder = new MetricsRecorder(verifySeconds);
  tallyCounter(registry, 'keyward_verifications_total', 'Answers of POST /api/v1/keys/verify, by their code (or an error answer\'s error.code).', 'code', () => recorder.verifications, VERIFY_CODES);
  plainCounter(registry, 'keyward_verify_cache_hits_total', 'Verifications (verify and REST bearer keys) answered from the cache.', () => recorder.cacheHits);
  plainCounter(registry, 'keyward_verify_cache_misses_total', 'Verifications of well-formed keys that were looked up in the database.', () => recorder.cacheMisses);
  tallyCounter(registry, 'keyward_webhook_deliveries_total', 'Webhook delivery attempts, by result.', 'result', () => recorder.webhookAttempts, WEBHOOK_RESULTS);
  tallyCounter(registry, 'keyward_database_errors_total', 'Requests, actions and background jobs that failed on a database error, by kind.', 'kind', () => recorder.databaseErrors, ['connection', 'query']);
  tallyCounter(registry, 'keyward_sign_in_failures_total', 'Refused sign-ins, by reason.', 'reason', () => recorder.signInFailures, SIGN_IN_FAILURES);
  new Gauge({
    name: 'keyward_webhook_outbox_due',
    help: 'Webhook deliveries due now and not yet sent.',
    registers: [registry],
    async collect() {
      try {
        this.set(await sources.outboxDue());
      } catch (error) {
        // No sample rather than a stale one (or a 0); the error is counted like any other.
        this.remove({});
        recordDatabaseError(error);
      }
    },
  });
  collectDefaultMetrics({ register: registry });
  return { registry, recorder };
}

/** The text Prometheus scrapes; a failure is logged and thrown. */
export async function scrape(registry: Registry): Promise<string> {
  try {
    return await registry.metrics();
  } catch (error) {
    logger().error(`metrics: a scrape failed: ${(error as Error).name}`);
    throw error;
  }
}
