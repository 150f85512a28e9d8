import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, servedOverHttps, STATIC_SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from './headers';

describe('security headers', () => {
  it('every Next response: no sniffing, no framing, a referrer policy, same-origin opener and resource policies', () => {
    expect(STATIC_SECURITY_HEADERS).toEqual({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'x-frame-options': 'DENY',
      'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(STRICT_TRANSPORT_SECURITY).toBe('max-age=63072000; includeSubDomains');
  });

  it('Strict-Transport-Security only over https: a configured https address, or a trusted proxy that says so', () => {
    expect(servedOverHttps({ publicUrl: 'https://keys.example', trustedProxies: 0 })).toBe(true);
    expect(servedOverHttps({ publicUrl: 'HTTPS://keys.example/', trustedProxies: 0, forwardedProto: 'http' })).toBe(true);
    expect(servedOverHttps({ publicUrl: 'http://keys.example', trustedProxies: 0 })).toBe(false);
    expect(servedOverHttps({ trustedProxies: 0 })).toBe(false);
    // Without a trusted proxy, the client's own header counts for nothing.
    expect(servedOverHttps({ trustedProxies: 0, forwardedProto: 'https' })).toBe(false);
    expect(servedOverHttps({ trustedProxies: 1, forwardedProto: 'https' })).toBe(true);
    expect(servedOverHttps({ trustedProxies: 1, forwardedProto: ' HTTPS ' })).toBe(true);
    expect(servedOverHttps({ trustedProxies: 1, forwardedProto: 'http' })).toBe(false);
    // A proxy that appends: its own value is the last one.
    expect(servedOverHttps({ trustedProxies: 1, forwardedProto: 'https, http' })).toBe(false);
    expect(servedOverHttps({ trustedProxies: 1, forwardedProto: 'http, https' })).toBe(true);
    expect(servedOverHttps({ trustedProxies: 1, forwardedProto: ['http', 'https'] })).toBe(true);
    expect(servedOverHttps({ trustedProxies: 1 })).toBe(false);
  });

  it('a nonce-only script policy, no framing, no plugins', () => {
    const policy = contentSecurityPolicy('abc', false);
    expect(policy).toContain(`script-src 'self' 'nonce-abc' 'strict-dynamic'`);
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).toContain(`frame-ancestors 'none'`);
    expect(policy).toContain(`object-src 'none'`);
  });
});
