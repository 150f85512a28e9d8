import { toResponse } from '@/lib/api/answer';
import { LIVE } from '@/lib/setup/health';

export const dynamic = 'force-dynamic';

export function GET() {
  return toResponse(LIVE);
}
