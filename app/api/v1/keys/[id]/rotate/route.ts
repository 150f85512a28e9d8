import { apiRoute } from '@/lib/api/route';
import { json } from '@/lib/api/http';
import { WRITE_KEYS } from '@/lib/keys/access';
import { rotateKey } from '@/lib/keys/rotate';
import { keyIdParams } from '@/lib/api/schemas';
import { rotateKeyInput } from '@/lib/keys/schemas';

// POST /api/v1/keys/{id}/rotate {gracePeriodSeconds}: a new secret, returned once; the old one
// works until the grace period ends.
export const dynamic = 'force-dynamic';

export const POST = apiRoute({ params: keyIdParams, body: rotateKeyInput, need: WRITE_KEYS }, async ({ db, catalogue, actor, params, body }) => {
  const { key, secret } = await rotateKey(db, actor, params.id, body, { catalogue });
  return json(200, { ...key, key: secret });
});
