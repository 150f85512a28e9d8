import { pingDatabase } from '@/lib/setup/health';

// Readiness: 200 while the database answers, 503 otherwise (load balancers stop routing here).
export const dynamic = 'force-dynamic';

export async function GET() {
  const ready = await pingDatabase();
  return Response.json(
    ready ? { status: 'ok', database: 'ok' } : { status: 'unavailable', database: 'unreachable' },
    { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } },
  );
}
