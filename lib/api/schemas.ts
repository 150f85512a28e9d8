/**
 * The REST API's own shapes: the list query, the webhook-key body, and the JSON it answers with.
 * Key input (create, edit, rotate) is lib/keys/schemas.ts, shared with the console. The
 * handlers parse with these and lib/api/openapi.ts documents these, so the two cannot drift.
 */
import { z } from 'zod';
import { levelsOf, resourcesOf, type Catalogue } from '@/lib/permissions/catalogue';
import { expiringDaysSchema, SORTS } from '@/lib/keys/schemas';
import { VERIFY_CODES } from '@/lib/verify/codes';

export const MAX_PAGE_SIZE = 100;

/** GET /keys: unknown parameters and bad values are a 400, not silently replaced. */
export const listKeysParams = z.strictObject({
  q: z.string().trim().max(100, 'q must be at most 100 characters.').default('').meta({ description: 'Case-insensitive substring of the key name.' }),
  expiring: expiringDaysSchema
    .optional()
    .meta({ description: 'Only keys that expire within this many days (`7d`) and have not expired yet; combines with `q`.', example: '7d' }),
  page: z.coerce
    .number({ error: 'page must be a number.' })
    .int('page must be a whole number.')
    .min(1, 'page must be at least 1.')
    .max(1_000_000, 'page must be at most 1000000.')
    .default(1)
    .meta({ description: 'Page number, from 1. A page past the end answers the last page.' }),
  pageSize: z.coerce
    .number({ error: 'pageSize must be a number.' })
    .int('pageSize must be a whole number.')
    .min(1, 'pageSize must be at least 1.')
    .max(MAX_PAGE_SIZE, `pageSize must be at most ${MAX_PAGE_SIZE}.`)
    .default(10),
  sort: z.enum(SORTS).default('created'),
  dir: z.enum(['asc', 'desc']).default('desc'),
});
export type ListKeysParams = z.output<typeof listKeysParams>;

export const setWebhookKeyInput = z.strictObject({
  keyId: z.string({ error: 'keyId is required.' }).min(1, 'keyId is required.').max(200).meta({ description: 'The key that signs webhooks from now on.' }),
});

/** The path parameter of /keys/{id}; any other project's id answers 404 like a missing one. */
export const keyIdParams = z.strictObject({ id: z.string().meta({ description: 'The key’s public id (`key_…`).', example: 'key_8Xk2pQ4rT9wZ' }) });

const timestamp = z.iso.datetime({ offset: true });

/** Every resource of the catalogue with the levels it allows: a restricted key's permissions. */
export function grantsSchema(catalogue: Catalogue) {
  return z.strictObject(
    Object.fromEntries(resourcesOf(catalogue).map((resource) => [resource.id, z.enum(levelsOf(resource)).meta({ description: resource.label })])),
  );
}

/** The key JSON of DESIGN.md, as lib/keys/json.ts builds it. */
export function apiKeySchema(catalogue: Catalogue) {
  return z.strictObject({
    id: z.string(),
    name: z.string(),
    start: z.string().meta({ description: 'The first characters of the secret, for recognising it.' }),
    last4: z.string(),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
    expiresAt: timestamp.nullable(),
    restricted: z.boolean(),
    permissions: grantsSchema(catalogue).nullable().meta({ description: 'null for full access; otherwise every resource with its level.' }),
    webhook: z.boolean().meta({ description: 'Whether this key signs the project’s webhooks.' }),
    previousSecretExpiresAt: timestamp.nullable().meta({ description: 'While a rotation’s grace period runs: when the previous secret stops working.' }),
    allowedAddresses: z.array(z.string()).nullable().meta({ description: 'The addresses and CIDR ranges the key may be used from, canonical; null: any.' }),
    rateLimit: z.strictObject({ limit: z.int(), windowSeconds: z.int() }).nullable().meta({ description: 'At most `limit` verifications per sliding `windowSeconds`; null: none.' }),
    usage: z
      .strictObject({ remaining: z.int(), refill: z.strictObject({ amount: z.int(), interval: z.enum(['day', 'month']) }).nullable() })
      .nullable()
      .meta({ description: 'Uses left (exact on one node; across nodes as of their last exchange, at most a second ago) and the refill; null: unlimited.' }),
  });
}

export function apiKeyWithSecretSchema(catalogue: Catalogue) {
  return apiKeySchema(catalogue).extend({
    key: z.string().meta({ description: 'The secret. Returned by this answer only: store it now.' }),
  });
}

export function keyPageSchema(catalogue: Catalogue) {
  return z.strictObject({
    data: z.array(apiKeySchema(catalogue)),
    page: z.number().int(),
    pageSize: z.number().int(),
    pageCount: z.number().int(),
    total: z.number().int(),
    totalIsCapped: z.boolean().meta({ description: 'True when a search matched more keys than are counted, and total is that cap.' }),
  });
}

/** POST /keys/bulk-delete's answer. */
export const deletedKeysSchema = z.strictObject({
  deleted: z.array(z.string()).meta({ description: 'The ids of the keys deleted, in the order given.' }),
});

export const errorSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum([
      'invalid_input',
      'invalid_json',
      'unauthorized',
      'forbidden',
      'not_found',
      'conflict',
      'rate_limited',
      'webhook_key_confirmation_required',
      'address_not_allowed',
      'usage_exceeded',
      'unavailable',
      'internal',
    ]),
    message: z.string(),
    fields: z.record(z.string(), z.array(z.string())).optional().meta({ description: 'Messages per input field; `_` for the body as a whole.' }),
  }),
});

/** POST /keys/verify's body, as lib/verify/endpoint.ts checks it. */
export function verifyInputSchema(catalogue: Catalogue) {
  return z.strictObject({
    key: z.string().min(1),
    require: z
      .strictObject(
        Object.fromEntries(resourcesOf(catalogue).map((resource) => [resource.id, z.enum(['read', 'write']).optional().meta({ description: resource.label })])),
      )
      .optional()
      .meta({ description: 'Levels the key must hold; write implies read. An unknown resource is a 400.' }),
    clientAddress: z
      .union([z.ipv4(), z.ipv6()])
      .nullable()
      .optional()
      .meta({ description: "The address of the client your service is serving (IPv4 or IPv6, no port or zone): recorded as the key's last use. Else the caller's own address is." }),
  });
}

export function verifyResultSchema(catalogue: Catalogue) {
  return z.strictObject({
    valid: z.boolean(),
    code: z.enum(VERIFY_CODES),
    keyId: z.string().nullable(),
    projectId: z.string().nullable(),
    permissions: grantsSchema(catalogue).nullable(),
    expiresAt: timestamp.nullable(),
    missing: z
      .record(z.string(), z.enum(['read', 'write']))
      .optional()
      .meta({ description: 'INSUFFICIENT_PERMISSIONS only: each required resource the key does not hold at the level asked, with that level.', example: { billing: 'write' } }),
    retryAfterSeconds: z
      .int()
      .nullable()
      .optional()
      .meta({ description: "RATE_LIMITED: seconds until a call can pass again (also in Retry-After). USAGE_EXCEEDED: seconds until the key's next refill, or null when it has none (it works again only once its uses are raised)." }),
  });
}
