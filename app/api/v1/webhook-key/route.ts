import { apiRoute } from '@/lib/api/route';
import { json } from '@/lib/api/http';
import { setWebhookKeyInput } from '@/lib/api/schemas';
import { invalidInput } from '@/lib/errors';
import { setWebhookKey } from '@/lib/keys/manage';

// PUT /api/v1/webhook-key {keyId}: the project's one webhook signing key from now on.
export const dynamic = 'force-dynamic';

export const PUT = apiRoute(
  async ({ db, catalogue, actor, body }) => {
    const parsed = setWebhookKeyInput.safeParse(body);
    if (!parsed.success) throw invalidInput(parsed.error.issues);
    return json(200, await setWebhookKey(db, catalogue, actor, parsed.data.keyId));
  },
  { body: 'json' },
);
