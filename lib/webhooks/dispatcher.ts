/**
 * Drains the webhook outbox. Any number of dispatchers (server processes and `npm run worker`)
 * run at once without sending an event twice: a short transaction claims due rows with
 * `FOR UPDATE SKIP LOCKED` and pushes their next_attempt_at forward as a lease; the request is
 * made outside any transaction; the result is written only by the claim's owner (lease token).
 * A node that dies mid-send loses its lease, and the row is sent again later with the same
 * `webhook-id`. Failures retry with exponential backoff and jitter until the retry window ends.
 * The clock, the transport, DNS and randomness are injectable so tests never wait for backoff.
 * What an attempt leaves for the console is a class of error ("connection refused", "HTTP 5xx")
 * and, from public addresses only, the answer's first bytes: private endpoints are allowed, but
 * the deliveries table must not read out internal services or probe their ports.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { webhookDeliveries, webhookEndpoints, type WebhookDeliveryStatus } from '@/db/schema';
import { errorKind } from '@/lib/errors';
import { logAt } from '@/lib/log/logger';
import { recordDatabaseError, recordWebhookAttempt, type WebhookResult } from '@/lib/metrics/recorder';
import { classifyAddress } from './address';
import { webhookSettings } from './config';
import { TEST_EVENT } from './events';
import { NO_WEBHOOK_KEY, releaseWaiting } from './outbox';
import { pruneDeliveries, PRUNE_EVERY_MS } from './retention';
import { signatureHeaders } from './signing';
import { loadSigningKeys } from './signing-keys';
import { pinnedTransport, TransportError, type Transport, type WebhookResponse } from './transport';
import { checkEndpointUrl, RefusedUrlError, systemResolver, type RefusalKind, type Resolver } from './url-safety';

export const REQUEST_TIMEOUT_MS = 10_000;
export const RETRY_BASE_MS = 10_000;
export const RETRY_MAX_DELAY_MS = 3_600_000;
/** Far longer than a request may take: a live dispatcher always finishes inside its lease. */
export const LEASE_MS = 60_000;

export type DeliveryOptions = {
  db: Db;
  now?: () => Date;
  send?: Transport;
  resolve?: Resolver;
  random?: () => number;
  timeoutMs?: number;
  leaseMs?: number;
  batchSize?: number;
  retryWindowMs?: number;
  allowPrivate?: boolean;
};

export type AttemptOutcome = { messageId: string; status: WebhookDeliveryStatus; statusCode?: number; error?: string };

/** The wait before retry number `failures` (1 = after the first failure): 10 s doubling to 1 h, jittered to 50–100 %. */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_BASE_MS * 2 ** Math.min(failures - 1, 30), RETRY_MAX_DELAY_MS);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

type Claimed = {
  id: string;
  projectId: string;
  eventType: string;
  messageId: string;
  payload: string;
  attempts: number;
  firstAttemptAt: Date | null;
  leaseToken: string | null;
};

async function claimDue(db: Db, at: Date, leaseMs: number, limit: number): Promise<Claimed[]> {
  const token = randomUUID();
  const d = webhookDeliveries;
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: d.id })
      .from(d)
      .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, at)))
      .orderBy(asc(d.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(d)
      .set({ nextAttemptAt: new Date(at.getTime() + leaseMs), leaseToken: token })
      .where(inArray(d.id, due.map((row) => row.id)))
      .returning({
        id: d.id,
        projectId: d.projectId,
        eventType: d.eventType,
        messageId: d.messageId,
        payload: d.payload,
        attempts: d.attempts,
        firstAttemptAt: d.firstAttemptAt,
        leaseToken: d.leaseToken,
      });
  });
}

// Postgres text cannot hold NUL; a binary answer is shown with replacement characters instead.
const printable = (text: string) => text.replace(/\u0000/g, '\uFFFD');

/** A non-2xx answer as a class; the exact status is kept beside it, a redirect's Location is not. */
function statusFailure(statusCode: number): string {
  const family = `HTTP ${Math.floor(statusCode / 100)}xx`;
  return statusCode >= 300 && statusCode < 400 ? `${family}: redirects are not followed` : family;
}

const REFUSAL_CLASS: Record<Exclude<RefusalKind, 'invalid_url'>, string> = { dns: 'DNS lookup failed', refused_address: 'refused address' };

/** What a failed check or send is shown as: never a message naming a host, an address or a port. */
function failureClass(error: unknown): string {
  if (error instanceof TransportError) return error.failure;
  // An invalid URL's messages are fixed texts of our own.
  if (error instanceof RefusedUrlError) return error.kind === 'invalid_url' ? error.message : REFUSAL_CLASS[error.kind];
  return 'connection failed';
}

/** Claims due deliveries and attempts each once. Returns what happened to each. */
export async function deliverDue(options: DeliveryOptions): Promise<AttemptOutcome[]> {
  const settings = options.retryWindowMs === undefined || options.allowPrivate === undefined ? webhookSettings() : undefined;
  const now = options.now ?? (() => new Date());
  const send = options.send ?? pinnedTransport;
  const resolve = options.resolve ?? systemResolver;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const retryWindowMs = options.retryWindowMs ?? settings!.retryWindowMs;
  const allowPrivate = options.allowPrivate ?? settings!.allowPrivate;
  const { db } = options;

  const claimed = await claimDue(db, now(), options.leaseMs ?? LEASE_MS, options.batchSize ?? 20);

  /** Writes the attempt's result, unless this claim lost its lease to another dispatcher. */
  async function settle(row: Claimed, values: Partial<typeof webhookDeliveries.$inferInsert>, outcome: Omit<AttemptOutcome, 'messageId'>): Promise<AttemptOutcome> {
    await db
      .update(webhookDeliveries)
      .set({ ...values, leaseToken: null })
      .where(and(eq(webhookDeliveries.id, row.id), eq(webhookDeliveries.leaseToken, row.leaseToken!)));
    return { messageId: row.messageId, ...outcome };
  }

  async function failed(row: Claimed, at: Date, error: string, response?: Partial<WebhookResponse>): Promise<AttemptOutcome> {
    const attempts = row.attempts + 1;
    const first = row.firstAttemptAt ?? at;
    const next = new Date(at.getTime() + retryDelayMs(attempts, random));
    const givesUp = next.getTime() - first.getTime() > retryWindowMs;
    const status = givesUp ? 'failed' : 'pending';
    return settle(
      row,
      {
        status,
        attempts,
        firstAttemptAt: first,
        lastAttemptAt: at,
        nextAttemptAt: givesUp ? null : next,
        lastStatusCode: response?.statusCode ?? null,
        lastDurationMs: response?.durationMs ?? null,
        responseBody: response?.bodyStart !== undefined ? printable(response.bodyStart) : null,
        lastError: printable(error).slice(0, 500),
      },
      { status, statusCode: response?.statusCode, error },
    );
  }

  async function attempt(row: Claimed): Promise<AttemptOutcome> {
    const at = now();
    const [endpoint] = await db
      .select({ url: webhookEndpoints.url, enabled: webhookEndpoints.enabled })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.projectId, row.projectId));
    if (!endpoint || (!endpoint.enabled && row.eventType !== TEST_EVENT)) {
      const error = endpoint ? 'The endpoint was disabled before this was sent.' : 'The project has no endpoint.';
      return settle(row, { status: 'canceled', nextAttemptAt: null, lastError: error }, { status: 'canceled', error });
    }
    let keys;
    try {
      keys = await loadSigningKeys(db, row.projectId, at);
    } catch {
      return failed(row, at, 'The webhook key could not be decrypted: was KEYWARD_ENCRYPTION_KEY changed?');
    }
    if (!keys) {
      return settle(row, { status: 'no_webhook_key', nextAttemptAt: null, lastError: NO_WEBHOOK_KEY }, { status: 'no_webhook_key', error: NO_WEBHOOK_KEY });
    }
    let target;
    try {
      target = (await checkEndpointUrl(endpoint.url, { resolve, allowPrivate }))!;
    } catch (error) {
      return failed(row, at, failureClass(error));
    }
    const headers = signatureHeaders(row.messageId, row.payload, keys, at);
    let answer: WebhookResponse;
    try {
      answer = await send({ target, headers, body: row.payload, timeoutMs });
    } catch (error) {
      return failed(row, at, failureClass(error), { durationMs: (error as { durationMs?: number }).durationMs });
    }
    // A private address's answer would read out an internal service: only a public one's is kept.
    const response = classifyAddress(target.address).class === 'public' ? answer : { ...answer, bodyStart: undefined };
    if (response.statusCode < 200 || response.statusCode >= 300) return failed(row, at, statusFailure(response.statusCode), response);
    return settle(
      row,
      {
        status: 'delivered',
        attempts: row.attempts + 1,
        firstAttemptAt: row.firstAttemptAt ?? at,
        lastAttemptAt: at,
        deliveredAt: now(),
        nextAttemptAt: null,
        lastStatusCode: response.statusCode,
        lastDurationMs: response.durationMs,
        responseBody: response.bodyStart !== undefined ? printable(response.bodyStart) : null,
        lastError: null,
      },
      { status: 'delivered', statusCode: response.statusCode },
    );
  }

  const outcomes = await Promise.all(claimed.map(attempt));
  for (const { status } of outcomes) recordWebhookAttempt(RESULT_OF[status]);
  return outcomes;
}

/** An attempt's outcome as the metrics name it: a failure that will be tried again is a retry. */
const RESULT_OF: Record<WebhookDeliveryStatus, WebhookResult> = {
  delivered: 'delivered',
  pending: 'retry',
  failed: 'failed',
  canceled: 'canceled',
  no_webhook_key: 'no_webhook_key',
};

export type Dispatcher = {
  /** Stops polling and waits for the attempts under way (each ends within its timeout). */
  stop(): Promise<void>;
};

const SWEEP_EVERY_MS = 30_000;

/**
 * Polls and delivers until stopped; about once an hour it also prunes settled deliveries older
 * than the retention (lib/webhooks/retention.ts). Errors (a database restart, say) are logged and
 * retried.
 */
export function startDispatcher(options: DeliveryOptions & { pollMs?: number; retentionMs?: number; log?: (line: string) => void }): Dispatcher {
  const pollMs = options.pollMs ?? webhookSettings().pollMs;
  const keepMs = options.retentionMs ?? webhookSettings().retentionMs;
  const log = options.log ?? logAt('error');
  const batchSize = options.batchSize ?? 20;
  const clock = options.now ?? (() => new Date());
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastSweep = 0;
  let lastPrune = 0;

  async function pass(): Promise<void> {
    try {
      if (clock().getTime() - lastSweep >= SWEEP_EVERY_MS) {
        lastSweep = clock().getTime();
        await releaseWaiting(options.db);
      }
      if (clock().getTime() - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = clock().getTime();
        await pruneDeliveries(options.db, new Date(lastPrune - keepMs));
      }
      // A full batch means more may be due: go on without waiting for the next poll.
      while (!stopped && (await deliverDue({ ...options, batchSize })).length === batchSize);
    } catch (error) {
      recordDatabaseError(error);
      log(`Keyward webhooks: a delivery pass failed: ${errorKind(error)}; retrying.`);
    }
  }

  function schedule(delay: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = pass().finally(() => {
        running = undefined;
        schedule(pollMs);
      });
    }, delay);
  }

  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
