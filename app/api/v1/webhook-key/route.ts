import { apiRoute } from '@/lib/api/route';
import { json } from '@/lib/api/http';
import { setWebhookKeyInput } from '@/lib/api/schemas';
import { WRITE_KEYS } from '@/lib/keys/access';
import { setWebhookKey } from '@/lib/keys/manage';

// PUT /api/v1/webhook-key {keyId}: the project's one webhook signing key from now on.
export const dynamic = 'force-dynamic';

export const PUT = apiRoute({ body: setWebhookKeyInput, need: WRITE_KEYS }, async ({ db, catalogue, actor, body }) =>
  json(200, await setWebhookKey(db, actor, body.keyId, { catalogue })),
);
