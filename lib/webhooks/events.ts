/**
 * The webhook events Keyward sends and the body each is sent with. A body describes a change
 * (who, what, when) and never carries a secret: keys appear as the REST API shows them, without
 * `key`, and the test event carries nothing but the project.
 */
import type { ApiKeyJson } from '@/lib/keys/json';

/**
 * Key lifecycle events, named as their audit actions. `api_key.expiring` (before a key's expiry,
 * once at the warning and once on its last day) and `api_key.expired` come from the expiry
 * notices' sweep (lib/keys/expiry-notices.ts), not from a person's change; `api_key.usage_low`
 * (a capped key's uses fell below a tenth of its cap, once per refill period) and
 * `api_key.rate_limited` (a key reached its rate limit: the first refusal of a window, at most one
 * per key per 5 minutes) from the limits' exchange (lib/limits/notices.ts). Every event but
 * `api_key.rate_limited` is also an audit action.
 */
export const WEBHOOK_EVENTS = [
  'api_key.created',
  'api_key.updated',
  'api_key.rotated',
  'api_key.deleted',
  'webhook_key.changed',
  'api_key.expiring',
  'api_key.expired',
  'api_key.usage_low',
  'api_key.rate_limited',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Sent by "Send test event" whatever the endpoint subscribes to. */
export const TEST_EVENT = 'webhook.test';

export const EVENT_LABELS: Record<WebhookEvent | typeof TEST_EVENT, string> = {
  'api_key.created': 'Key created',
  'api_key.updated': 'Key updated',
  'api_key.rotated': 'Key rotated',
  'api_key.deleted': 'Key deleted',
  'webhook_key.changed': 'Webhook key changed',
  'api_key.expiring': 'Key expiring soon',
  'api_key.expired': 'Key expired',
  'api_key.usage_low': 'Key running low on uses',
  'api_key.rate_limited': 'Key reached its rate limit',
  'webhook.test': 'Test event',
};

export function isWebhookEvent(action: string): action is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(action);
}

/** A deleted key is gone from the database: what is left of it is its id, name and role. */
export type DeletedKeyJson = Pick<ApiKeyJson, 'id' | 'name' | 'webhook'>;

export type WebhookActor = { type: 'user' | 'api_key' | 'system'; id: string | null; label: string };

export type WebhookBody = {
  /** Same as the `webhook-id` header, so a receiver that stores bodies can drop duplicates. */
  id: string;
  type: WebhookEvent | typeof TEST_EVENT;
  /** When the change happened (ISO 8601), not when this attempt was sent. */
  timestamp: string;
  data: {
    project: { id: string; slug: string };
    actor: WebhookActor;
    key?: ApiKeyJson | DeletedKeyJson;
    /** api_key.updated: each changed field, from and to. webhook_key.changed: the key it replaced. */
    changes?: Record<string, unknown>;
    previousKeyId?: string | null;
    /** api_key.expiring and api_key.expired: whole days left (0 once expired) and when it expires. */
    daysLeft?: number;
    expiresAt?: string;
    /** api_key.usage_low: the uses left, the cap they fell below a tenth of, and the next refill (null: none). */
    remaining?: number;
    cap?: number;
    refillsAt?: string | null;
    /** api_key.rate_limited: the limit reached (`limit` per `windowSeconds`), and when its first refusal said to retry. */
    limit?: number;
    windowSeconds?: number;
    retryAfterSeconds?: number;
    message?: string;
  };
};
