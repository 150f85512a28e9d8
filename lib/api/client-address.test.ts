import { describe, expect, it } from 'vitest';
import { clientAddress, resolveClientAddress } from './client-address';

describe('resolveClientAddress', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(resolveClientAddress('::ffff:198.51.100.7', '203.0.113.9', 0)).toBe('198.51.100.7');
    expect(resolveClientAddress(undefined, undefined, 0)).toBe('unknown');
  });

  it('walks back one entry per trusted proxy, never past the first', () => {
    expect(resolveClientAddress('10.0.0.1', '203.0.113.9', 1)).toBe('203.0.113.9');
    expect(resolveClientAddress('10.0.0.1', 'spoofed, 203.0.113.9, 10.0.0.2', 2)).toBe('203.0.113.9');
    expect(resolveClientAddress('10.0.0.1', ['203.0.113.9', '10.0.0.2'], 5)).toBe('203.0.113.9');
    expect(resolveClientAddress('10.0.0.1', undefined, 1)).toBe('10.0.0.1');
  });
});

describe('clientAddress', () => {
  it('reads the address server.ts (or next dev) wrote last into X-Forwarded-For', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '203.0.113.9, 10.0.0.2' }))).toBe('10.0.0.2');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '127.0.0.1' }))).toBe('127.0.0.1');
    expect(clientAddress(new Headers({ 'x-real-ip': '198.51.100.7' }))).toBe('unknown');
    expect(clientAddress(new Headers())).toBe('unknown');
  });
});
