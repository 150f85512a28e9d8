import { describe, expect, it } from 'vitest';
import { clientAddress, rateLimitBucket, resolveClientAddress } from './client-address';

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

describe('rateLimitBucket', () => {
  it('keeps an IPv4 address whole and counts an IPv6 address by its /64', () => {
    expect(rateLimitBucket('198.51.100.7')).toBe('198.51.100.7');
    expect(rateLimitBucket('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(rateLimitBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(rateLimitBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitBucket('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(rateLimitBucket('unknown')).toBe('unknown');
  });
});
