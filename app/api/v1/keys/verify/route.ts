import { BodyTooLarge, readBodyWithin } from '@/lib/api/body-limit';
import { toResponse } from '@/lib/api/answer';
import { answerVerify, MAX_VERIFY_BODY_BYTES, VERIFY_BODY_TOO_LARGE } from '@/lib/verify/endpoint';
import { clientAddress } from '@/lib/api/client-address';

// Under `npm start`, server.ts answers this path (whatever its query string) before Next; this
// handler serves `next dev` with the same code, and reads no more of the body than the fast path.
export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  let bytes: Uint8Array;
  try {
    bytes = await readBodyWithin(request, MAX_VERIFY_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) return toResponse(VERIFY_BODY_TOO_LARGE);
    throw error;
  }
  return toResponse(await answerVerify(new TextDecoder().decode(bytes), clientAddress(request.headers)));
}
