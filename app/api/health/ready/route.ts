import { toResponse } from '@/lib/api/answer';
import { readiness } from '@/lib/setup/health';

export const dynamic = 'force-dynamic';

export async function GET() {
  return toResponse(await readiness());
}
