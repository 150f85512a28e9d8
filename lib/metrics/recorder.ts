/**
 * What the metrics count, as the code that does the work tells it: plain numbers held in memory,
 * which lib/metrics/registry.ts reads when Prometheus scrapes. Nothing here imports prom-client,
 * so Next's bundle records through this without carrying it.
 *
 * It exists only when KEYWARD_METRICS_PORT is set (server.ts installs it before anything runs).
 * Otherwise `metricsRecorder()` is undefined and every `record…` below is a property read and a
 * test: nothing is counted or observed on the verify path.
 */
import { databaseErrorKind, type DatabaseErrorKind } from '@/lib/errors';

export type WebhookResult = 'delivered' | 'retry' | 'failed' | 'canceled' | 'no_webhook_key';
export type SignInFailure = 'invalid_credentials' | 'rate_limited' | 'sso_refused';

/** Counts by label value. */
export class Tally<Label extends string = string> {
  readonly counts = new Map<Label, number>();

  add(label: Label, n = 1): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }
}

/** Where verify durations go: prom-client's histogram (lib/metrics/registry.ts), or a test's. */
export type Observer = { observe(value: number): void };

export class MetricsRecorder {
  /** Answers of POST /api/v1/keys/verify by their `code`, or an error answer's `error.code`. */
  readonly verifications = new Tally();
  /** Verifications (the endpoint's and REST bearer keys') answered from the cache, or looked up. */
  cacheHits = 0;
  cacheMisses = 0;
  readonly webhookAttempts = new Tally<WebhookResult>();
  readonly databaseErrors = new Tally<DatabaseErrorKind>();
  readonly signInFailures = new Tally<SignInFailure>();

  /** `verifySeconds`: each verify answer's duration, from its request's first event to its answer. */
  constructor(readonly verifySeconds: Observer) {}
}

const globalForMetrics = globalThis as unknown as { keywardMetrics?: MetricsRecorder };

/** This process's recorder, or undefined when metrics are off. */
export function metricsRecorder(): MetricsRecorder | undefined {
  return globalForMetrics.keywardMetrics;
}

/** Turns recording on for this process (server.ts, when KEYWARD_METRICS_PORT is set). */
export function installMetricsRecorder(recorder: MetricsRecorder): MetricsRecorder {
  globalForMetrics.keywardMetrics = recorder;
  return recorder;
}

/** Forgets the recorder (tests). */
export function uninstallMetricsRecorder(): void {
  globalForMetrics.keywardMetrics = undefined;
}

export function recordWebhookAttempt(result: WebhookResult): void {
  globalForMetrics.keywardMetrics?.webhookAttempts.add(result);
}

export function recordSignInFailure(reason: SignInFailure): void {
  globalForMetrics.keywardMetrics?.signInFailures.add(reason);
}

/** Counts `error` if it came from the database (lib/errors.ts databaseErrorKind); anything else is not counted. */
export function recordDatabaseError(error: unknown): void {
  const metrics = globalForMetrics.keywardMetrics;
  if (!metrics) return;
  const kind = databaseErrorKind(error);
  if (kind) metrics.databaseErrors.add(kind);
}
