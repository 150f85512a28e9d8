// The audit log's filtered view as CSV, streamed in batches. Administrators of the project
// only, checked against the database like every page; the filters are the page's URL's.
import { getDb } from '@/db/client';
import { auditQuery, exportAuditCsv } from '@/lib/audit/list';
import { currentUser } from '@/lib/auth/session';
import { DomainError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await currentUser();
  if (!user) return new Response('Sign in to export the audit log.', { status: 401 });
  const query = auditQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const lines = exportAuditCsv(getDb(), { userId: user.id, projectSlug: slug }, query);
  // The first chunk runs the authorization: refuse before any byte of CSV is sent.
  const first = await lines.next().catch((error: unknown) => error);
  if (first instanceof DomainError) return new Response(first.message, { status: first.code === 'forbidden' ? 403 : 404 });
  if (first instanceof Error) throw first;
  const head = (first as IteratorResult<string>).value ?? '';
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
