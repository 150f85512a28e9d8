/**
 * Webhook signatures, made with the project's webhook key (its plaintext, decrypted only here):
 * - `x-keyward-signature: v=<unix ms>,d=<hex HMAC-SHA256(key, body + ms)>`, the scheme the
 *   Retell SDK's `verify(body, apiKey, signature)` checks;
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature:
 *   v1,<base64 HMAC-SHA256(key, "<id>.<seconds>.<body>")>`, whose secret is base64 of the key's
 *   UTF-8 bytes. While a rotation's grace period runs, the previous key signs too, space-separated.
 * Never logs, returns or stores a key.
 */
import { createHmac, randomBytes } from 'node:crypto';

export type SigningKeys = {
  /** The webhook key's current secret. */
  current: string;
  /** Secrets still in a rotation's grace period, newest first. */
  previous: string[];
};

export function newMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

/** What a Standard Webhooks library takes as the secret for a webhook key. */
export function standardWebhooksSecret(key: string): string {
  return `whsec_${Buffer.from(key, 'utf8').toString('base64')}`;
}

export function retellSignature(body: string, key: string, at: Date): string {
  const ms = at.getTime();
  return `v=${ms},d=${createHmac('sha256', key).update(body + ms).digest('hex')}`;
}

export function standardSignature(messageId: string, body: string, key: string, at: Date): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return `v1,${createHmac('sha256', Buffer.from(key, 'utf8')).update(`${messageId}.${seconds}.${body}`).digest('base64')}`;
}

/** The headers that sign one attempt; `at` is the attempt's time, so a retry is never stale. */
export function signatureHeaders(messageId: string, body: string, keys: SigningKeys, at: Date): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': [keys.current, ...keys.previous].map((key) => standardSignature(messageId, body, key, at)).join(' '),
    'x-keyward-signature': retellSignature(body, keys.current, at),
  };
}
