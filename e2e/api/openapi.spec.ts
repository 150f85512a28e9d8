/** The OpenAPI document the server serves: valid 3.1, and exactly the routes it has. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect, test } from '@playwright/test';
import { resourcesOf } from '@/lib/permissions/catalogue';
import { routePaths, serverCatalogue } from './helpers';

test('GET /api/v1/openapi.json is valid OpenAPI 3.1 with a path for every route and no other', async ({ request }) => {
  const response = await request.get('/api/v1/openapi.json');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('application/json');
  const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
  const validator = new Validator();
  const result = await validator.validate(document);
  expect(result.errors ?? []).toEqual([]);
  expect(validator.version).toBe('3.1');
  expect(document.openapi).toBe('3.1.0');
  expect(Object.keys(document.paths).sort()).toEqual(routePaths());
  expect(Object.keys(document.paths['/keys/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
  // Written for this server's catalogue: its resources, each with its own levels.
  const grants = JSON.stringify(document.components.schemas.ApiKey);
  for (const resource of resourcesOf(serverCatalogue())) {
    expect(grants).toContain(`"${resource.id}":{"type":"string","enum":${JSON.stringify(resource.actionOnly ? ['none', 'write'] : ['none', 'read', 'write'])}`);
  }
});
