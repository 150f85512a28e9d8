/**
 * The physical floor of HTTP on this machine, for bench/verify.ts: a bare node:http server that
 * does verification's own work — parse the JSON body, SHA-256 the key, look it up in a Map —
 * and nothing else. Usage: tsx bench/floor-server.ts <port> <key>
 */
import { createHash } from 'node:crypto';
import http from 'node:http';

const [port, key] = [Number(process.argv[2]), process.argv[3] ?? ''];
const known = new Map([[createHash('sha256').update(key).digest('hex'), { keyId: 'key_floor', permissions: null }]]);

http
  .createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { key: string };
      const found = known.get(createHash('sha256').update(body.key).digest('hex'));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(found ? { valid: true, code: 'VALID', ...found } : { valid: false, code: 'NOT_FOUND' }));
    });
  })
  .listen(port, '127.0.0.1', () => console.log('ready'));
