/**
 * Webhook settings from the environment, read in one place and checked at start-up:
 * - KEYWARD_WEBHOOK_RETRY_HOURS (default 24): how long after its first attempt a failing
 *   delivery is retried before it is marked failed.
 * - KEYWARD_WEBHOOK_ALLOW_PRIVATE (default true): "false" refuses endpoints on private,
 *   loopback and shared networks. Link-local and cloud-metadata addresses are always refused.
 * - KEYWARD_WEBHOOK_DISPATCH (default true): "false" stops a server process from delivering,
 *   for deployments that run `npm run worker` processes instead.
 * - KEYWARD_WEBHOOK_POLL_MS (default 1000): how often a dispatcher looks for due deliveries.
 * - KEYWARD_WEBHOOK_RETENTION_DAYS (default 30): how long delivered, failed and canceled
 *   deliveries are kept (lib/webhooks/retention.ts).
 */
import { booleanFromEnv, positiveIntFromEnv } from '@/lib/config/env';

export type WebhookSettings = {
  retryWindowMs: number;
  allowPrivate: boolean;
  dispatchInServer: boolean;
  pollMs: number;
  retentionMs: number;
};

export function webhookSettings(): WebhookSettings {
  return {
    retryWindowMs: positiveIntFromEnv('KEYWARD_WEBHOOK_RETRY_HOURS', 24) * 3_600_000,
    allowPrivate: booleanFromEnv('KEYWARD_WEBHOOK_ALLOW_PRIVATE', true),
    dispatchInServer: booleanFromEnv('KEYWARD_WEBHOOK_DISPATCH', true),
    pollMs: positiveIntFromEnv('KEYWARD_WEBHOOK_POLL_MS', 1000, 50),
    retentionMs: positiveIntFromEnv('KEYWARD_WEBHOOK_RETENTION_DAYS', 30) * 86_400_000,
  };
}
