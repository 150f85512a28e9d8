import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { digaCatalogue, retellCatalogue } from '@/lib/permissions/presets';
import { COUNTED_CODES } from '@/lib/usage/codes';
import { buildOpenApiDocument, openApiDocument } from './openapi';

const API_ROOT = path.join(process.cwd(), 'app', 'api', 'v1');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Every route file under app/api/v1, as an OpenAPI path: `keys/[id]/route.ts` → `/keys/{id}`. */
function routeFiles(): { file: string; path: string }[] {
  return readdirSync(API_ROOT, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'route.ts')
    .map((file) => ({
      file: path.join(API_ROOT, file),
      path: `/${path.dirname(file).split(path.sep).join('/')}`.replace(/\[(\w+)\]/g, '{$1}'),
    }));
}

describe('the OpenAPI document', () => {
  for (const catalogue of [digaCatalogue, retellCatalogue]) {
    it(`is valid OpenAPI 3.1 for the ${catalogue.id} catalogue`, async () => {
      const validator = new Validator();
      const result = await validator.validate(JSON.parse(JSON.stringify(buildOpenApiDocument(catalogue))) as Record<string, unknown>);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
    });
  }

  it('has a path for every route file under app/api/v1 and an operation for each exported method, nothing more', async () => {
    const document = openApiDocument(digaCatalogue);
    const routes = routeFiles();
    expect(routes.map((route) => route.path).sort()).toEqual(Object.keys(document.paths ?? {}).sort());
    for (const route of routes) {
      const handlers = (await import(route.file)) as Record<string, unknown>;
      const exported = METHODS.filter((method) => typeof handlers[method] === 'function').map((method) => method.toLowerCase());
      const documented = Object.keys(document.paths![route.path]!).filter((key) => (METHODS as readonly string[]).includes(key.toUpperCase()));
      expect(documented.sort(), route.path).toEqual(exported.sort());
    }
  });

  it('describes the usage query and its answer, one count per outcome code', () => {
    const document = buildOpenApiDocument(digaCatalogue) as unknown as {
      paths: Record<string, { get: { parameters: { name: string; in: string; schema: { enum?: string[] } }[] } }>;
      components: { schemas: { KeyUsage: { properties: { totals: { properties: Record<string, unknown> } } } } };
    };
    const parameters = document.paths['/keys/{id}/usage']!.get.parameters;
    expect(parameters.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual(['path:id', 'query:from', 'query:to', 'query:granularity']);
    expect(parameters.find((parameter) => parameter.name === 'granularity')!.schema.enum).toEqual(['minute', 'hour', 'day']);
    expect(Object.keys(document.components.schemas.KeyUsage.properties.totals.properties)).toEqual([...COUNTED_CODES]);
  });

  it('documents the list’s expiring filter as a query parameter', () => {
    const parameters = (openApiDocument(digaCatalogue).paths!['/keys']!.get!.parameters ?? []) as { name: string; in: string; description?: string; schema?: { pattern?: string } }[];
    const expiring = parameters.find((parameter) => parameter.name === 'expiring');
    expect(expiring).toMatchObject({ in: 'query', description: expect.stringContaining('expire within this many days') });
    expect(expiring?.schema?.pattern).toBeDefined();
    expect(new RegExp(expiring!.schema!.pattern!).test('7d')).toBe(true);
  });

  it('describes the catalogue’s resources and levels, and the grace period range', () => {
    const text = JSON.stringify(buildOpenApiDocument(retellCatalogue));
    expect(text).toContain('"call":{"type":"string","enum":["none","write"]');
    expect(text).toContain('"maximum":2592000');
    expect(openApiDocument(retellCatalogue)).toBe(openApiDocument(retellCatalogue));
  });

  it('documents bulk delete: 1 to 100 distinct ids, the answer, and the webhook key’s own refusal', () => {
    const operation = openApiDocument(digaCatalogue).paths!['/keys/bulk-delete']!.post! as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: { ids: Record<string, unknown>; confirmWebhookKey: { type: string } } } } } };
      responses: Record<string, { description: string }>;
    };
    const body = operation.requestBody.content['application/json'].schema.properties;
    expect(body.ids).toMatchObject({ type: 'array', minItems: 1, maxItems: 100, uniqueItems: true });
    expect(body.confirmWebhookKey.type).toBe('boolean');
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '429']);
    expect(operation.responses['409']!.description).toContain('webhook_key_confirmation_required');
  });
});
