/**
 * The verify body's own checks (lib/verify/endpoint.ts) and the Next route handler's reading
 * of it: fields are the two it knows, `__proto__` included, and an endless body is refused at the
 * limit. Needs no database: nothing here reaches a lookup.
 */
import { describe, expect, it } from 'vitest';
import { POST } from '@/app/api/v1/keys/verify/route';
import { setActiveCatalogue } from '@/lib/permissions/load';
import { digaCatalogue } from '@/lib/permissions/presets';
import { answerVerify, MAX_VERIFY_BODY_BYTES } from './endpoint';

setActiveCatalogue(digaCatalogue);

let addresses = 0;
const address = () => `192.0.2.${++addresses}`;

describe('answerVerify', () => {
  it('refuses __proto__, constructor and prototype like any unknown field, by name', async () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      for (const value of ['{}', '{"valid":true}', '1', 'null']) {
        const answer = await answerVerify(`{"key":"kw_nope","${name}":${value}}`, address());
        expect(answer.status, `${name}: ${value}`).toBe(400);
        const body = JSON.parse(answer.body) as { error: { code: string; fields: Record<string, string[]> } };
        expect(body.error.code).toBe('invalid_input');
        expect(Object.keys(body.error.fields)).toEqual([name]);
      }
    }
  });

  it('takes clientAddress only as an IPv4 or IPv6 address, naming the field otherwise', async () => {
    for (const served of ['"203.0.113.9"', '"2001:db8::1"', '"::ffff:192.0.2.1"', 'null']) {
      const answer = await answerVerify(`{"key":"kw_nope","clientAddress":${served}}`, address());
      expect(answer.status, served).toBe(200);
    }
    for (const served of ['"203.0.113.999"', '"example.com"', '"10.0.0.0/8"', '"[::1]"', '"192.0.2.1:80"', '"fe80::1%eth0"', '""', '42', '["::1"]']) {
      const answer = await answerVerify(`{"key":"kw_nope","clientAddress":${served}}`, address());
      expect(answer.status, served).toBe(400);
      expect(Object.keys((JSON.parse(answer.body) as { error: { fields: object } }).error.fields), served).toEqual(['clientAddress']);
    }
  });

  it('refuses them inside require too, as resources the catalogue does not have', async () => {
    for (const name of ['__proto__', 'constructor']) {
      const answer = await answerVerify(`{"key":"kw_nope","require":{"${name}":"read"}}`, address());
      expect(answer.status, name).toBe(400);
      expect(Object.keys((JSON.parse(answer.body) as { error: { fields: object } }).error.fields)).toEqual([`require.${name}`]);
    }
  });
});

describe('the Next route handler', () => {
  /** A body that never ends: a chunk whenever one is asked for, one per turn of the event loop, as from a socket. */
  const endless = () =>
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setImmediate(resolve));
        controller.enqueue(new Uint8Array(1024).fill(0x6b));
      },
    });

  it('answers a never-ending body with 413 within a second, without reading it to its end', async () => {
    const request = new Request('http://keyward.test/api/v1/keys/verify?x', {
      method: 'POST',
      body: endless(),
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address() },
      duplex: 'half',
    } as RequestInit);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1_000)));
    const response = await Promise.race([POST(request), late]).finally(() => clearTimeout(timer));
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('refuses a declared Content-Length over the limit before reading, and still verifies a body within it', async () => {
    const declared = new Request('http://keyward.test/api/v1/keys/verify', {
      method: 'POST',
      body: endless(),
      headers: { 'content-length': String(MAX_VERIFY_BODY_BYTES + 1), 'x-forwarded-for': address() },
      duplex: 'half',
    } as RequestInit);
    expect((await POST(declared)).status).toBe(413);
    const plain = new Request('http://keyward.test/api/v1/keys/verify', { method: 'POST', body: '{"key":"kw_nope"}', headers: { 'x-forwarded-for': address() } });
    const response = await POST(plain);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { code: string }).code).toBe('NOT_FOUND');
  });
});
