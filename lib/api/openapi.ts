/**
 * The OpenAPI 3.1 document of /api/v1, generated (zod-openapi, on zod 4's own JSON Schema
 * output) from the very zod schemas the handlers and domain functions parse with, for the
 * deployment's catalogue. Built once per catalogue. Every route file under app/api/v1 has its
 * path here and nothing else is here (lib/api/openapi.test.ts checks both ways).
 */
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import { createKeyInput, deleteKeysInput, MAX_BULK_DELETE, rotateKeyInput, updateKeyInput, MAX_EXPIRY_DAYS } from '@/lib/keys/schemas';
import { levelsOf, resourcesOf, type Catalogue } from '@/lib/permissions/catalogue';
import { MAX_BODY_BYTES } from './http';
import {
  apiKeySchema,
  deletedKeysSchema,
  apiKeyWithSecretSchema,
  errorSchema,
  keyIdParams,
  keyPageSchema,
  listKeysParams,
  setWebhookKeyInput,
  verifyInputSchema,
  verifyResultSchema,
} from './schemas';
import { keyUsageSchema, usageQueryInput } from '@/lib/usage/schemas';
import { MAX_VERIFY_BODY_BYTES } from '@/lib/verify/endpoint';

export type OpenApiDocument = ReturnType<typeof createDocument>;

const ERRORS = {
  400: 'Invalid input: bad JSON, unknown or invalid fields (see `fields`).',
  401: 'No valid API key. Missing, malformed, unknown and expired keys get this same answer.',
  403: 'The key lacks the API Keys permission, or the change would grant more than the key holds.',
  404: 'No such key in this key’s project (another project’s id included).',
  409: 'The key is being changed by another request.',
  413: 'The body is over the limit; it is answered at the first byte over, and the connection closed.',
  429: 'Too many failed attempts from this address.',
} as const;

const WEBHOOK_KEY_UNCONFIRMED =
  'One of the keys is the project’s webhook key and `confirmWebhookKey` is not true (code `webhook_key_confirmation_required`). Nothing was deleted.';

function errors(...statuses: (keyof typeof ERRORS)[]): Record<`4${string}`, ZodOpenApiResponseObject> {
  const responses: Record<`4${string}`, ZodOpenApiResponseObject> = {};
  for (const status of statuses) {
    responses[`${status}`] = {
      description: ERRORS[status],
      ...(status === 401 ? { headers: { 'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer' } } } } : {}),
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds until the address may try again.', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: errorSchema } },
    };
  }
  return responses;
}

const ok = (description: string, schema: z.ZodType): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });

/** A restricted key's grants as input: the resources it lists, each at a level it allows. */
function grantsInputJsonSchema(catalogue: Catalogue) {
  return {
    type: ['object', 'null'],
    description: 'Absent or null: full access. Otherwise the resources granted; every other resource is `none`.',
    properties: Object.fromEntries(resourcesOf(catalogue).map((resource) => [resource.id, { type: 'string', enum: levelsOf(resource), description: resource.label }])),
    additionalProperties: false,
  };
}

export function buildOpenApiDocument(catalogue: Catalogue): OpenApiDocument {
  const create = createKeyInput(catalogue);
  const update = updateKeyInput(catalogue);
  // The permissions field is validated against the catalogue in code; describe what that accepts.
  const permissionFields = new Set<unknown>([create.shape.permissions, update.shape.permissions]);
  const apiKey = apiKeySchema(catalogue);
  const apiKeyWithSecret = apiKeyWithSecretSchema(catalogue);
  const keyPage = keyPageSchema(catalogue);
  const bodyLimit = `Bodies are JSON (Content-Type: application/json) of at most ${MAX_BODY_BYTES / 1024} KB.`;

  const key = (operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({ tags: ['Keys'], ...operation });

  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Keyward API',
        version: '1',
        description: [
          'Verify API keys, and manage a project’s keys with a key of that project.',
          'Management calls send `Authorization: Bearer <key>`: reading needs the catalogue’s API Keys resource at Read, changes need Write;',
          'full-access keys may do everything, and in a catalogue without an API Keys resource only full-access keys may manage keys.',
          'A key can never create, edit or rotate a key holding more permission, or working longer, than itself (403),',
          'nor one with fewer limits than its own: allowed addresses within its own, a rate no higher, no more uses (403).',
          'A key’s limits hold for REST calls made with it too: outside its allowed addresses 403 `address_not_allowed`, past its rate limit 429 `rate_limited` with Retry-After, with no uses left 429 `usage_exceeded`.',
          bodyLimit,
        ].join(' '),
      },
      servers: [{ url: '/api/v1' }],
      security: [{ bearerAuth: [] }],
      tags: [{ name: 'Keys' }, { name: 'Verification' }, { name: 'Meta' }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key of the project: `kw_…`.' } },
        schemas: { ApiKey: apiKey, ApiKeyWithSecret: apiKeyWithSecret, KeyPage: keyPage, KeyUsage: keyUsageSchema, Error: errorSchema },
      },
      paths: {
        '/keys': {
          get: key({
            operationId: 'listKeys',
            summary: 'List the project’s keys',
            requestParams: { query: listKeysParams },
            responses: { '200': ok('One page of keys.', keyPage), ...errors(400, 401, 403, 429) },
          }),
          post: key({
            operationId: 'createKey',
            summary: 'Create a key',
            description: `The answer carries the secret as \`key\`, once. \`expiresAt\` must be in the future and within ${MAX_EXPIRY_DAYS} days.`,
            requestBody: jsonBody(create),
            responses: {
              '201': { ...ok('The key, with its secret.', apiKeyWithSecret), headers: { Location: { schema: { type: 'string' } } } },
              ...errors(400, 401, 403, 429),
            },
          }),
        },
        '/keys/{id}': {
          get: key({
            operationId: 'getKey',
            summary: 'Get a key',
            requestParams: { path: keyIdParams },
            responses: { '200': ok('The key.', apiKey), ...errors(401, 403, 404, 429) },
          }),
          patch: key({
            operationId: 'updateKey',
            summary: 'Rename a key, change its expiry, or change its permissions where the catalogue allows',
            requestParams: { path: keyIdParams },
            requestBody: jsonBody(update),
            responses: { '200': ok('The key as changed.', apiKey), ...errors(400, 401, 403, 404, 429) },
          }),
          delete: key({
            operationId: 'deleteKey',
            summary: 'Delete a key permanently',
            description: 'The key stops verifying at once on this node, and within seconds everywhere.',
            requestParams: { path: keyIdParams },
            responses: { '204': { description: 'Deleted.' }, ...errors(401, 403, 404, 429) },
          }),
        },
        '/keys/bulk-delete': {
          post: key({
            operationId: 'deleteKeys',
            summary: 'Delete several keys permanently, all or none',
            description: [
              `Deletes 1 to ${MAX_BULK_DELETE} distinct keys of the calling key’s project in one transaction, each recorded and announced (audit event, \`api_key.deleted\` webhook) as a single delete is.`,
              'If any id is not a key of this project (404), or any key holds more than the calling key (403), nothing is deleted.',
              'The project’s webhook key is deleted only with `confirmWebhookKey: true`; without it the answer is 409 `webhook_key_confirmation_required` and nothing is deleted.',
            ].join(' '),
            requestBody: jsonBody(deleteKeysInput),
            responses: {
              '200': ok('The ids deleted, in the order given.', deletedKeysSchema),
              ...errors(400, 401, 403, 404, 429),
              '409': { description: WEBHOOK_KEY_UNCONFIRMED, content: { 'application/json': { schema: errorSchema } } },
            },
          }),
        },
        '/keys/{id}/rotate': {
          post: key({
            operationId: 'rotateKey',
            summary: 'Give a key a new secret',
            description:
              'The previous secret keeps working for `gracePeriodSeconds` (0 to 2592000, i.e. 30 days; 0 stops it at once). A second rotation while one is being written is a 409.',
            requestParams: { path: keyIdParams },
            requestBody: jsonBody(rotateKeyInput),
            responses: { '200': ok('The key, with its new secret.', apiKeyWithSecret), ...errors(400, 401, 403, 404, 409, 429) },
          }),
        },
        '/keys/{id}/usage': {
          get: key({
            operationId: 'getKeyUsage',
            summary: 'Count a key’s verifications over time, per outcome code',
            description:
              'Every verify answer about the key and every REST call made with it is counted per minute and outcome code. Counts reach the database within seconds (every 10 s by default), so the very latest may not be here yet. Buckets are cut in UTC.',
            requestParams: { path: keyIdParams, query: usageQueryInput() },
            responses: { '200': ok('The key’s buckets, oldest first, and the totals of the range.', keyUsageSchema), ...errors(400, 401, 403, 404, 429) },
          }),
        },
        '/webhook-key': {
          put: key({
            operationId: 'setWebhookKey',
            summary: 'Choose the key that signs the project’s webhooks',
            requestBody: jsonBody(setWebhookKeyInput),
            responses: { '200': ok('The new webhook key.', apiKey), ...errors(400, 401, 403, 404, 429) },
          }),
        },
        '/keys/verify': {
          post: {
            tags: ['Verification'],
            operationId: 'verifyKey',
            summary: 'Verify a key, optionally requiring permission levels',
            description: `Needs no Authorization header: the key is in the body (at most ${MAX_VERIFY_BODY_BYTES / 1024} KB). Every invalid key gets the same answer shape.`,
            security: [],
            requestBody: jsonBody(verifyInputSchema(catalogue)),
            responses: {
              '200': ok('The verdict; `valid` is false for unknown, expired or insufficient keys.', verifyResultSchema(catalogue)),
              '400': errors(400)['400']!,
              '413': errors(413)['413']!,
              '429': {
                description: ERRORS[429],
                headers: { 'Retry-After': { schema: { type: 'integer' } } },
                content: { 'application/json': { schema: verifyResultSchema(catalogue) } },
              },
            },
          },
        },
        '/openapi.json': {
          get: {
            tags: ['Meta'],
            operationId: 'getOpenApiDocument',
            summary: 'This document',
            security: [],
            responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
          },
        },
      },
    },
    {
      override: ({ jsonSchema, zodSchema }) => {
        if (permissionFields.has(zodSchema)) {
          for (const field of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[field];
          Object.assign(jsonSchema, grantsInputJsonSchema(catalogue));
        }
      },
    },
  );
}

const documents = new WeakMap<Catalogue, OpenApiDocument>();

export function openApiDocument(catalogue: Catalogue): OpenApiDocument {
  let document = documents.get(catalogue);
  if (!document) {
    document = buildOpenApiDocument(catalogue);
    documents.set(catalogue, document);
  }
  return document;
}
