import { apiRoute } from '@/lib/api/route';
import { json, queryParams } from '@/lib/api/http';
import { listKeysParams } from '@/lib/api/schemas';
import { parseInput } from '@/lib/errors';
import { WRITE_KEYS } from '@/lib/keys/access';
import { createKey } from '@/lib/keys/create';
import { listKeys } from '@/lib/keys/list';
import { createKeyInput } from '@/lib/keys/schemas';

// GET /api/v1/keys?q=&expiring=&page=&pageSize=&sort=&dir= and POST /api/v1/keys: thin adapters over the
// domain functions the console uses; they authorize, validate and audit.
export const dynamic = 'force-dynamic';

export const GET = apiRoute({}, async ({ request, db, catalogue, actor }) => {
  const query = parseInput(listKeysParams, queryParams(request));
  // `total` is documented as a count (capped), never the console's estimate.
  const page = await listKeys(db, actor, { ...query, exactTotal: true }, { catalogue });
  return json(200, { data: page.keys, page: page.page, pageSize: page.pageSize, pageCount: page.pageCount, total: page.total, totalIsCapped: page.totalIsCapped });
});

export const POST = apiRoute({ body: createKeyInput, need: WRITE_KEYS }, async ({ db, catalogue, actor, body }) => {
  const { key, secret } = await createKey(db, actor, body, { catalogue });
  return json(201, { ...key, key: secret }, { location: `/api/v1/keys/${encodeURIComponent(key.id)}` });
});
