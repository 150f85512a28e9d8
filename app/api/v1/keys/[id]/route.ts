import { apiRoute } from '@/lib/api/route';
import { json, noContent } from '@/lib/api/http';
import { WRITE_KEYS } from '@/lib/keys/access';
import { getKey } from '@/lib/keys/find';
import { deleteKey, updateKey } from '@/lib/keys/manage';
import { keyIdParams } from '@/lib/api/schemas';
import { updateKeyInput } from '@/lib/keys/schemas';

// GET, PATCH and DELETE /api/v1/keys/{id}. Another project's id is the same 404 as a missing one:
// every lookup is by (project of the calling key, id).
export const dynamic = 'force-dynamic';

export const GET = apiRoute({ params: keyIdParams }, async ({ db, catalogue, actor, params }) => json(200, await getKey(db, actor, params.id, { catalogue })));

export const PATCH = apiRoute({ params: keyIdParams, body: updateKeyInput, need: WRITE_KEYS }, async ({ db, catalogue, actor, params, body }) =>
  json(200, await updateKey(db, actor, params.id, body, { catalogue })),
);

export const DELETE = apiRoute({ params: keyIdParams }, async ({ db, catalogue, actor, params }) => {
  await deleteKey(db, actor, params.id, { catalogue });
  return noContent();
});
