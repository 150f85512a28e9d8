/**
 * The shapes of webhook settings input, shared by the console form (client) and the server.
 * Only what can be judged without the network lives here; where an URL's host points is
 * checked on the server (./url-safety.ts) when the endpoint is saved and again on every send.
 */
import { z } from 'zod';
import { WEBHOOK_EVENTS } from './events';

export const ENDPOINT_URL_MAX = 2048;

export const endpointUrlSchema = z
  .string({ error: 'Endpoint URL is required.' })
  .trim()
  .min(1, 'Endpoint URL is required.')
  .max(ENDPOINT_URL_MAX, `Endpoint URL must be at most ${ENDPOINT_URL_MAX} characters.`)
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Enter a full URL, such as https://example.com/webhooks.' });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: 'Only http:// and https:// URLs can receive webhooks.' });
      return z.NEVER;
    }
    if (url.username || url.password) {
      // The URL is shown in the console and the audit log; a password there would be on display.
      ctx.addIssue({ code: 'custom', message: 'Leave the user name and password out of the URL; check the signature instead.' });
      return z.NEVER;
    }
    url.hash = '';
    return url.href;
  });

export const saveEndpointInput = z.strictObject({
  url: endpointUrlSchema,
  events: z
    .array(z.enum(WEBHOOK_EVENTS, { error: 'Unknown event.' }), { error: 'Choose the events to send.' })
    .max(WEBHOOK_EVENTS.length)
    .transform((events) => WEBHOOK_EVENTS.filter((event) => events.includes(event))),
  enabled: z.boolean({ error: 'Enabled must be true or false.' }),
});
export type SaveEndpointInput = z.input<typeof saveEndpointInput>;

export const listDeliveriesQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  pageSize: z.coerce
    .number()
    .int()
    .refine((n) => [10, 20, 50].includes(n))
    .catch(20),
});
export type ListDeliveriesQuery = z.output<typeof listDeliveriesQuery>;
