// The audit log's filtered view as CSV, streamed in batches. Administrators of the project
// only, checked against the database like every page; the filters are the page's URL's. A
// refusal is answered like every route's, through the shared status table.
import { getDb } from '@/db/client';
import { errorResponseParts } from '@/lib/api/errors';
import { json } from '@/lib/api/http';
import { auditQuery, exportAuditCsv } from '@/lib/audit/list';
import { currentUser } from '@/lib/auth/session';
import { DomainError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

/** A refusal as JSON, with the status every route gives it (a session, not a bearer key, is what a 401 here lacks). */
function refusal(error: unknown): Response {
  const { status, body } = errorResponseParts(error);
  return json(status, body);
}

export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await currentUser();
  if (!user) return refusal(new DomainError('unauthorized', 'Sign in to export the audit log.'));
  const query = auditQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const lines = exportAuditCsv(getDb(), { type: 'user', userId: user.id, projectSlug: slug }, query);
  // The first chunk runs the authorization: refuse before any byte of CSV is sent.
  let head: string;
  try {
    head = (await lines.next()).value ?? '';
  } catch (error) {
    return refusal(error);
  }
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(head));
    },
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="keyward-${slug}-audit-${stamp}.csv"`,
      'cache-control': 'no-store',
    },
  });
}
