/**
 * A webhook endpoint for tests and benches: answers every POST 204 (after `delayMs`), counts
 * distinct webhook-ids, and how many requests have arrived (`arrivals()`), answered or not.
 */
import http from 'node:http';
import type net from 'node:net';

export async function startReceiver(
  path = '/hooks',
  { delayMs = 0 }: { delayMs?: number } = {},
): Promise<{ url: string; received: Set<string>; arrivals(): number; close(): Promise<void> }> {
  const received = new Set<string>();
  let arrived = 0;
  const server = http.createServer((request, response) => {
    arrived++;
    request.resume();
    request.on('end', () => {
      setTimeout(() => {
        const id = request.headers['webhook-id'];
        if (typeof id === 'string') received.add(id);
        response.writeHead(204).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    arrivals: () => arrived,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
