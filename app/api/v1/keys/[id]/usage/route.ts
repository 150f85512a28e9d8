import { apiRoute } from '@/lib/api/route';
import { json, queryParams } from '@/lib/api/http';
import { keyIdParams } from '@/lib/api/schemas';
import { getKeyUsage } from '@/lib/usage/query';

// GET /api/v1/keys/{id}/usage?from=&to=&granularity=: one key's verifications per bucket and
// outcome code. getKeyUsage authorizes (API Keys at Read), finds the key in the calling key's
// project only (another project's id is a 404) and validates the query, naming the bad field.
export const dynamic = 'force-dynamic';

export const GET = apiRoute({ params: keyIdParams }, async ({ request, db, actor, params }) => json(200, await getKeyUsage(db, actor, params.id, queryParams(request))));
