/**
 * The physical floor of HTTP on this machine, for bench/verify.ts: a bare node:http server that
 * does verification's own work — parse the JSON body, SHA-256 the key, look it up in a Map —
 * and nothing else. Usage: tsx bench/floor-server.ts <port> <file of keys, one per line>
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [port, keysFile] = [Number(process.argv[2]), process.argv[3] ?? ''];
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const known = new Map(readFileSync(keysFile, 'utf8').split('\n').map((key, i) => [sha256(key), { keyId: `key_floor${i}`, permissions: null }]));

http
  .createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { key: string };
      const found = known.get(sha256(body.key));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(found ? { valid: true, code: 'VALID', ...found } : { valid: false, code: 'NOT_FOUND' }));
    });
  })
  .listen(port, '127.0.0.1', () => console.log('ready'));
