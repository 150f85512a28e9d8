/** A webhook endpoint for tests and benches: answers every POST 204, counts distinct webhook-ids. */
import http from 'node:http';
import type net from 'node:net';

export async function startReceiver(path = '/hooks'): Promise<{ url: string; received: Set<string>; close(): Promise<void> }> {
  const received = new Set<string>();
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const id = request.headers['webhook-id'];
      if (typeof id === 'string') received.add(id);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}${path}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
