import { json } from '@/lib/api/http';
import { openApiDocument } from '@/lib/api/openapi';
import { activeCatalogue } from '@/lib/permissions/load';

// GET /api/v1/openapi.json: public, like any API reference; generated for this deployment's catalogue.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return json(200, openApiDocument(activeCatalogue()));
}
