import Retell from 'retell-sdk';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newMessageId, signatureHeaders, standardWebhooksSecret } from './signing';

const current = 'kw_0123456789abcdefghijABCDEFGHIJ012345';
const previous = 'kw_zyxwvutsrqponmlkjihgfedcba9876543210';
const body = JSON.stringify({ type: 'webhook.test', data: { note: 'ünïcödé ✓' } });

describe('webhook signatures', () => {
  it('are accepted by the published Retell SDK and Standard Webhooks libraries', async () => {
    const id = newMessageId();
    const headers = signatureHeaders(id, body, { current, previous: [] }, new Date());
    expect(await Retell.verify(body, current, headers['x-keyward-signature']!)).toBe(true);
    expect(new Webhook(standardWebhooksSecret(current)).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-id']).toBe(id);
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
  });

  it('carry both keys during a rotation’s grace period, each verifiable alone', () => {
    const headers = signatureHeaders('msg_1', body, { current, previous: [previous] }, new Date());
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(standardWebhooksSecret(current)).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(standardWebhooksSecret(previous)).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(standardWebhooksSecret('kw_someoneelse')).verify(body, headers)).toThrow();
  });

  it('fail for another key, a changed body or a stale time', async () => {
    const headers = signatureHeaders('msg_2', body, { current, previous: [] }, new Date());
    expect(await Retell.verify(body, previous, headers['x-keyward-signature']!)).toBe(false);
    expect(await Retell.verify(body + ' ', current, headers['x-keyward-signature']!)).toBe(false);
    expect(() => new Webhook(standardWebhooksSecret(current)).verify(body + ' ', headers)).toThrow();
    const stale = signatureHeaders('msg_3', body, { current, previous: [] }, new Date(Date.now() - 6 * 60_000));
    expect(await Retell.verify(body, current, stale['x-keyward-signature']!)).toBe(false);
    expect(() => new Webhook(standardWebhooksSecret(current)).verify(body, stale)).toThrow(/too old/);
  });
});
