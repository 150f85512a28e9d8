/**
 * The metrics registry and its listener: what the recorder counted is what a scrape shows,
 * known labels start at 0, the outbox backlog is asked for at each scrape (and a failure to get
 * it is a database error, not a failed scrape), and the listener serves /metrics and nothing else.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseErrorKind } from '@/lib/errors';
import { samples } from '@/lib/testing/prometheus';
import { installMetricsRecorder, recordDatabaseError, recordSignInFailure, recordWebhookAttempt, uninstallMetricsRecorder } from './recorder';
import { createMetrics } from './registry';
import { closeMetricsServer, metricsSettingsFromEnv, startMetricsServer } from './server';

const connectionError = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const queryError = () => Object.assign(new Error('Failed query'), { name: 'DrizzleQueryError', cause: Object.assign(new Error('relation missing'), { code: '42P01' }) });

afterEach(() => uninstallMetricsRecorder());

describe('databaseErrorKind', () => {
  it('tells a connection failure from a refused statement, and does not count other errors', () => {
    expect(databaseErrorKind(connectionError())).toBe('connection');
    expect(databaseErrorKind(Object.assign(new Error('shutdown'), { cause: { code: '57P01' } }))).toBe('connection');
    expect(databaseErrorKind(queryError())).toBe('query');
    expect(databaseErrorKind(Object.assign(new Error('unique'), { code: '23505' }))).toBe('query');
    expect(databaseErrorKind(new TypeError('a bug'))).toBeUndefined();
    expect(databaseErrorKind(Object.assign(new Error('fs'), { code: 'ENOENT' }))).toBeUndefined();
    expect(databaseErrorKind(undefined)).toBeUndefined();
  });
});

describe('the metrics registry', () => {
  it('shows what the recorder counted, every known label from 0, and the default process metrics', async () => {
    let due = 7;
    const { registry, recorder } = createMetrics({ outboxDue: async () => due });
    const before = samples(await registry.metrics());
    expect(before.get('keyward_verifications_total{code="VALID"}')).toBe(0);
    expect(before.get('keyward_verifications_total{code="RATE_LIMITED"}')).toBe(0);
    expect(before.get('keyward_webhook_deliveries_total{result="retry"}')).toBe(0);
    expect(before.get('keyward_database_errors_total{kind="connection"}')).toBe(0);
    expect(before.get('keyward_sign_in_failures_total{reason="invalid_credentials"}')).toBe(0);
    expect(before.get('keyward_verify_cache_hits_total')).toBe(0);
    expect(before.get('keyward_verify_duration_seconds_count')).toBe(0);
    expect(before.get('keyward_webhook_outbox_due')).toBe(7);
    expect(before.has('process_cpu_user_seconds_total')).toBe(true);
    expect(before.has('nodejs_eventloop_lag_seconds')).toBe(true);

    installMetricsRecorder(recorder);
    recorder.verifications.add('VALID');
    recorder.verifications.add('VALID');
    recorder.verifications.add('NOT_FOUND');
    recorder.verifications.add('invalid_input');
    recorder.verifySeconds.observe(0.0002);
    recorder.verifySeconds.observe(0.03);
    recorder.cacheHits += 5;
    recorder.cacheMisses += 2;
    recordWebhookAttempt('delivered');
    recordWebhookAttempt('retry');
    recordWebhookAttempt('retry');
    recordSignInFailure('rate_limited');
    recordDatabaseError(connectionError());
    recordDatabaseError(queryError());
    recordDatabaseError(new TypeError('not the database'));
    due = 0;

    const after = samples(await registry.metrics());
    expect(after.get('keyward_verifications_total{code="VALID"}')).toBe(2);
    expect(after.get('keyward_verifications_total{code="NOT_FOUND"}')).toBe(1);
    expect(after.get('keyward_verifications_total{code="invalid_input"}')).toBe(1);
    expect(after.get('keyward_verifications_total{code="EXPIRED"}')).toBe(0);
    expect(after.get('keyward_verify_duration_seconds_count')).toBe(2);
    expect(after.get('keyward_verify_duration_seconds_bucket{le="0.00025"}')).toBe(1);
    expect(after.get('keyward_verify_duration_seconds_bucket{le="0.025"}')).toBe(1);
    expect(after.get('keyward_verify_duration_seconds_bucket{le="0.05"}')).toBe(2);
    expect(after.get('keyward_verify_duration_seconds_sum')).toBeCloseTo(0.0302, 6);
    expect(after.get('keyward_verify_cache_hits_total')).toBe(5);
    expect(after.get('keyward_verify_cache_misses_total')).toBe(2);
    expect(after.get('keyward_webhook_deliveries_total{result="delivered"}')).toBe(1);
    expect(after.get('keyward_webhook_deliveries_total{result="retry"}')).toBe(2);
    expect(after.get('keyward_sign_in_failures_total{reason="rate_limited"}')).toBe(1);
    expect(after.get('keyward_sign_in_failures_total{reason="invalid_credentials"}')).toBe(0);
    expect(after.get('keyward_database_errors_total{kind="connection"}')).toBe(1);
    expect(after.get('keyward_database_errors_total{kind="query"}')).toBe(1);
    expect(after.get('keyward_webhook_outbox_due')).toBe(0);

    // A scrape reads; it never adds: the same counts again.
    const again = samples(await registry.metrics());
    expect(again.get('keyward_verifications_total{code="VALID"}')).toBe(2);
    expect(again.get('keyward_verify_cache_hits_total')).toBe(5);
  });

  it('leaves the outbox backlog out of a scrape when the database cannot say, and counts the error', async () => {
    const { registry, recorder } = createMetrics({ outboxDue: () => Promise.reject(connectionError()) });
    installMetricsRecorder(recorder);
    const scraped = samples(await registry.metrics());
    expect(scraped.has('keyward_webhook_outbox_due')).toBe(false);
    // The series are collected side by side: the next scrape shows the error.
    expect(samples(await registry.metrics()).get('keyward_database_errors_total{kind="connection"}')).toBe(1);
  });

  it('records nothing while no recorder is installed (metrics off)', async () => {
    const { registry } = createMetrics({ outboxDue: async () => 0 });
    recordSignInFailure('invalid_credentials');
    recordDatabaseError(connectionError());
    const scraped = samples(await registry.metrics());
    expect(scraped.get('keyward_sign_in_failures_total{reason="invalid_credentials"}')).toBe(0);
    expect(scraped.get('keyward_database_errors_total{kind="connection"}')).toBe(0);
  });
});

describe('metricsSettingsFromEnv', () => {
  it('is off unless a port is set, listens on 127.0.0.1 by default, and names a bad port', () => {
    expect(metricsSettingsFromEnv({})).toBeUndefined();
    expect(metricsSettingsFromEnv({ KEYWARD_METRICS_PORT: '' })).toBeUndefined();
    expect(metricsSettingsFromEnv({ KEYWARD_METRICS_PORT: '9464' })).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(metricsSettingsFromEnv({ KEYWARD_METRICS_PORT: '9464', KEYWARD_METRICS_HOST: '0.0.0.0' })).toEqual({ port: 9464, host: '0.0.0.0' });
    for (const bad of ['0', '65536', '9464x', '-1', '1.5']) {
      expect(() => metricsSettingsFromEnv({ KEYWARD_METRICS_PORT: bad })).toThrow(/KEYWARD_METRICS_PORT/);
    }
  });
});

describe('the metrics listener', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    if (server) await closeMetricsServer(server);
    server = undefined;
  });

  it('serves /metrics in the Prometheus text format and nothing else', async () => {
    const { registry } = createMetrics({ outboxDue: async () => 3 });
    server = await startMetricsServer(registry, { port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const answer = await fetch(`${base}/metrics?ignored=1`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(samples(await answer.text()).get('keyward_webhook_outbox_due')).toBe(3);

    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
    const posted = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses to start on a port already taken, naming the variable', async () => {
    const { registry } = createMetrics({ outboxDue: async () => 0 });
    server = await startMetricsServer(registry, { port: 0, host: '127.0.0.1' });
    const taken = (server.address() as AddressInfo).port;
    await expect(startMetricsServer(registry, { port: taken, host: '127.0.0.1' })).rejects.toThrow(/KEYWARD_METRICS_PORT=\d+.*EADDRINUSE/);
  });
});
