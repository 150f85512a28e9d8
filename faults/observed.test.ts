/**
 * Issue 14's metrics and logs, on the production server (`dist/server.mjs`, as `npm start` runs
 * it) with KEYWARD_METRICS_PORT set, on PGlite and on PostgreSQL: a scrape moves by exactly what
 * was done (verifications valid and unknown, a REST call, a webhook delivery, a failed sign-in),
 * /metrics is 404 on the public port, every line printed is one JSON object naming its request
 * (the id the answer carried), route, status and duration, and no secret or query string is in
 * them; KEYWARD_LOG_FORMAT=pretty and KEYWARD_LOG_LEVEL=debug change what is printed.
 * Needs a production build (`npm run build`); run with `npm run test:faults`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '@/lib/keys/create';
import { generateKey } from '@/lib/keys/format';
import { scrape, total } from '@/lib/testing/prometheus';
import { freePort, seedProject, serverProcessUnavailable, ServerProcess, type SeededProject } from '@/lib/testing/server-process';
import { startReceiver } from '@/lib/testing/webhook-receiver';
import type { Driver } from '@/lib/testing/temporary-database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A password sign-in that fails, through Auth.js's own endpoints (its CSRF token first). */
async function failSignIn(base: string): Promise<Response> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((set) => set.split(';')[0])
    .join('; ');
  return fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrfToken, email: 'nobody@observed.test', password: 'not-the-password-1' }),
  });
}

/** Every line printed since `from`, parsed: each must be one JSON object. */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`a line printed is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

const drivers: Driver[] = ['pglite', 'postgres'];

for (const driver of drivers) {
  const unavailable = await serverProcessUnavailable(driver);
  if (unavailable) console.warn(`faults/observed.test.ts [${driver}] skipped: ${unavailable}.`);

  describe.skipIf(unavailable)(`metrics and logs of the production server [${driver}]`, () => {
    let server: ServerProcess;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let seeded: SeededProject;
    let metricsUrl = '';
    let valid = '';
    const unknown = generateKey('kw');
    const secrets: string[] = [unknown];
    let restRequestId = '';

    beforeAll(async () => {
      metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
      receiver = await startReceiver('/hooks');
      server = await ServerProcess.create({
        prefix: 'keyward_faults_observed',
        driver,
        env: { KEYWARD_METRICS_PORT: new URL(metricsUrl).port, KEYWARD_WEBHOOK_POLL_MS: '100' },
      });
      // PGlite is single-process: seed, close, then start the server.
      const database = server.open(2);
      try {
        seeded = await seedProject(database, { slug: 'observed', webhookUrl: receiver.url });
        valid = (await createKey(database.db, { type: 'system', projectSlug: 'observed', label: 'test' }, { name: 'Observed' })).secret;
      } finally {
        await database.close();
      }
      secrets.push(valid, seeded.bearer, process.env.AUTH_SECRET!, process.env.KEYWARD_ENCRYPTION_KEY!);
      await server.start();
    }, 180_000);

    afterAll(async () => {
      await server?.dispose();
      await receiver?.close();
    });

    const verify = (key: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ key }) });
    const rest = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${seeded.bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('moves each series by exactly what was done, and serves /metrics only on its own port', async () => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
      const before = await scrape(metricsUrl);
      const moved = (after: Map<string, number>, series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);

      const first = await verify(valid, { 'x-request-id': 'observed-1' });
      expect(first.headers.get('x-request-id')).toBe('observed-1');
      expect(((await first.json()) as { code: string }).code).toBe('VALID');
      expect(((await (await verify(valid)).json()) as { code: string }).code).toBe('VALID');
      expect(((await (await verify(unknown)).json()) as { code: string }).code).toBe('NOT_FOUND');
      // A REST call's bearer key goes through the same cache; its query string holds a secret.
      const listed = await rest('GET', `/api/v1/keys?q=${valid}`);
      expect(listed.status).toBe(200);
      restRequestId = listed.headers.get('x-request-id')!;
      expect(restRequestId).toMatch(UUID);
      // Choosing the webhook key sends webhook_key.changed, and the creation of the key made
      // while there was none, which waited for it: two deliveries.
      expect((await rest('PUT', '/api/v1/webhook-key', { keyId: seeded.bearerId })).status).toBe(200);
      const refused = await failSignIn(server.url);
      expect(refused.status).toBe(302);
      expect(refused.headers.get('location')).toContain('error=CredentialsSignin');

      await expect.poll(async () => moved(await scrape(metricsUrl), 'keyward_webhook_deliveries_total{result="delivered"}'), { timeout: 20_000 }).toBe(2);
      const after = await scrape(metricsUrl);
      expect({
        valid: moved(after, 'keyward_verifications_total{code="VALID"}'),
        notFound: moved(after, 'keyward_verifications_total{code="NOT_FOUND"}'),
        allCodes: total(after, 'keyward_verifications_total') - total(before, 'keyward_verifications_total'),
        timed: moved(after, 'keyward_verify_duration_seconds_count'),
        // The second valid verification and the PUT's bearer; the first valid, the unknown key and the GET's bearer.
        hits: moved(after, 'keyward_verify_cache_hits_total'),
        misses: moved(after, 'keyward_verify_cache_misses_total'),
        signInFailures: moved(after, 'keyward_sign_in_failures_total{reason="invalid_credentials"}'),
        webhookOther: total(after, 'keyward_webhook_deliveries_total') - total(before, 'keyward_webhook_deliveries_total') - 2,
        databaseErrors: total(after, 'keyward_database_errors_total') - total(before, 'keyward_database_errors_total'),
        outboxDue: after.get('keyward_webhook_outbox_due'),
      }).toEqual({ valid: 2, notFound: 1, allCodes: 3, timed: 3, hits: 2, misses: 3, signInFailures: 1, webhookOther: 0, databaseErrors: 0, outboxDue: 0 });
      expect(receiver.received.size).toBe(2);
      expect(after.get('process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);
    });

    it('prints only JSON lines naming each request, never a secret or a query string, and a verify summary at its stop', async () => {
      const lines = jsonLines(server.output());
      for (const line of lines) {
        expect(line).toMatchObject({ level: expect.any(String), msg: expect.any(String) });
        expect(new Date(line.time as string).toISOString()).toBe(line.time);
      }
      const listed = lines.find((line) => line.requestId === restRequestId);
      expect(listed).toMatchObject({ level: 'info', msg: 'request', method: 'GET', route: '/api/v1/keys', status: 200, durationMs: expect.any(Number) });
      expect(lines.find((line) => line.route === '/api/auth/callback/credentials')).toMatchObject({ method: 'POST', status: 302 });
      expect(lines.filter((line) => typeof line.route === 'string' && (line.route as string).includes('?'))).toEqual([]);

      await server.stop();
      expect(server.exit?.code).toBe(0);
      const output = server.output();
      for (const secret of secrets) expect(output.includes(secret), `a secret (${secret.length} characters) in the output`).toBe(false);
      // Verify is logged in aggregate at info level: one line at the stop for the three answers.
      const summaries = jsonLines(output).filter((line) => line.msg === 'verify requests');
      expect(summaries).toEqual([expect.objectContaining({ level: 'info', route: '/api/v1/keys/verify', requests: 3, statuses: { 200: 3 } })]);
      expect(jsonLines(output).some((line) => line.requestId === 'observed-1')).toBe(false);
    });

    it('with KEYWARD_LOG_FORMAT=pretty and KEYWARD_LOG_LEVEL=debug, prints readable lines and each verify answer', async () => {
      const from = server.output().length;
      await server.start({ KEYWARD_LOG_FORMAT: 'pretty', KEYWARD_LOG_LEVEL: 'debug' });
      const answer = await verify(valid, { 'x-request-id': 'pretty-1' });
      expect(answer.headers.get('x-request-id')).toBe('pretty-1');
      await server.stop();
      const printed = server.output().slice(from);
      expect(printed).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG request requestId=pretty-1 method=POST route=\/api\/v1\/keys\/verify status=200 durationMs=[\d.]+$/m);
      expect(printed).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  Keyward listening on /m);
      expect(printed).not.toMatch(/^\{/m);
      expect(printed.includes(valid)).toBe(false);
    });
  });
}
