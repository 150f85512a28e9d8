import { answerVerify, MAX_VERIFY_BODY_BYTES } from '@/lib/api/verify-endpoint';
import { clientAddress } from '@/lib/api/client-address';

// Under `npm start`, server.ts answers this path before Next; this handler serves `next dev`
// with the same code.
export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  const text = await request.text();
  const body = Buffer.byteLength(text) > MAX_VERIFY_BODY_BYTES ? undefined : text;
  const answer = await answerVerify(body, clientAddress(request.headers));
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
