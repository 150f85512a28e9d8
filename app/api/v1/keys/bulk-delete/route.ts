import { apiRoute } from '@/lib/api/route';
import { json } from '@/lib/api/http';
import { WRITE_KEYS } from '@/lib/keys/access';
import { deleteKeys } from '@/lib/keys/bulk-delete';
import { deleteKeysInput } from '@/lib/keys/schemas';

// POST /api/v1/keys/bulk-delete {ids, confirmWebhookKey?}: up to 100 keys of the calling key's
// project in one transaction, all or none, each audited and announced as DELETE /keys/{id} does.
export const dynamic = 'force-dynamic';

export const POST = apiRoute({ body: deleteKeysInput, need: WRITE_KEYS }, async ({ db, catalogue, actor, body }) =>
  json(200, await deleteKeys(db, actor, body, { catalogue })),
);
