import { describe, expect, it } from 'vitest';
import { addressMatcher } from './address-matcher';
import { MAX_ALLOWED_ADDRESSES, parseAddressEntry, parseAllowedAddresses } from './addresses';

describe('allowed addresses', () => {
  it('stores each entry in its canonical form, a range cut down to its network', () => {
    expect(parseAllowedAddresses(['192.0.2.7', ' 10.1.2.3/8 ', '', '2001:DB8:0:0:0:0:0:1', '2001:db8:abcd:12::9/64', '::ffff:198.51.100.0/120'])).toEqual({
      ok: true,
      addresses: ['192.0.2.7', '10.0.0.0/8', '2001:db8::1', '2001:db8:abcd:12::/64', '::ffff:c633:6400/120'],
    });
    expect(parseAddressEntry('192.0.2.9/32')).toMatchObject({ canonical: '192.0.2.9' });
    expect(parseAllowedAddresses(['192.0.2.1', '192.0.2.1/32'])).toEqual({ ok: true, addresses: ['192.0.2.1'] });
  });

  it('names every bad line, and refuses a range that allows everyone', () => {
    const result = parseAllowedAddresses(['192.0.2.1', 'example.com', '', '10.0.0.0/33', '0.0.0.0/0', '::/0', 'fe80::1%eth0', '192.0.2.1:80']);
    expect(result).toEqual({
      ok: false,
      errors: [
        { line: 2, message: 'not an address or range' },
        { line: 4, message: 'not an address or range (an IPv4 prefix is 0 to 32)' },
        { line: 5, message: '0.0.0.0/0 allows every address: leave the list empty instead' },
        { line: 6, message: '::/0 allows every address: leave the list empty instead' },
        { line: 7, message: 'not an address or range' },
        { line: 8, message: 'not an address or range' },
      ],
    });
  });

  it(`holds at most ${MAX_ALLOWED_ADDRESSES} entries`, () => {
    const many = Array.from({ length: MAX_ALLOWED_ADDRESSES + 1 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    expect(parseAllowedAddresses(many.slice(0, MAX_ALLOWED_ADDRESSES)).ok).toBe(true);
    expect(parseAllowedAddresses(many)).toEqual({ ok: false, errors: [{ line: MAX_ALLOWED_ADDRESSES + 1, message: `at most ${MAX_ALLOWED_ADDRESSES} addresses or ranges` }] });
  });

  it('matches addresses and ranges of both families, and an IPv4 client reached over IPv6', () => {
    const allowed = addressMatcher(['192.0.2.7', '10.0.0.0/8', '2001:db8:abcd:12::/64']);
    expect(allowed('192.0.2.7')).toBe(true);
    expect(allowed('192.0.2.8')).toBe(false);
    expect(allowed('10.255.255.255')).toBe(true);
    expect(allowed('11.0.0.0')).toBe(false);
    expect(allowed('::ffff:10.1.1.1')).toBe(true);
    expect(allowed('2001:db8:abcd:12:ffff::1')).toBe(true);
    expect(allowed('2001:db8:abcd:13::1')).toBe(false);
    expect(allowed('not an address')).toBe(false);
    expect(allowed('')).toBe(false);
  });
});

describe('the address matcher at the edges of its ranges', () => {
  it('holds each CIDR range to its own bits, both families', () => {
    const allowed = addressMatcher(['198.51.100.0/24', '203.0.113.128/25', '0.0.0.0/1', '2001:db8::/32', 'fd00::/8', '2001:db8:ffff::1']);
    expect(allowed('198.51.100.0')).toBe(true);
    expect(allowed('198.51.100.255')).toBe(true);
    expect(allowed('198.51.101.0')).toBe(false);
    expect(allowed('203.0.113.127')).toBe(false);
    expect(allowed('203.0.113.128')).toBe(true);
    // /1: the lower half of IPv4, up to the sign bit a 32-bit mask would trip on.
    expect(allowed('127.255.255.255')).toBe(true);
    expect(allowed('128.0.0.0')).toBe(false);
    expect(allowed('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(allowed('2001:db9::')).toBe(false);
    expect(allowed('fdff:ffff::1')).toBe(true);
    expect(allowed('fe00::')).toBe(false);
    expect(allowed('2001:db8:ffff::1')).toBe(true);
  });

  it('matches an IPv4-mapped IPv6 client as its IPv4 address, in dotted or hex form, and never an IPv6 range by it', () => {
    const v4Only = addressMatcher(['192.0.2.0/24']);
    expect(v4Only('::ffff:192.0.2.1')).toBe(true);
    expect(v4Only('::FFFF:c000:0201')).toBe(true);
    expect(v4Only('::ffff:192.0.3.1')).toBe(false);
    expect(v4Only('::192.0.2.1')).toBe(false);
    const v6Only = addressMatcher(['::ffff:0:0/96']);
    expect(v6Only('::ffff:192.0.2.1')).toBe(false);
  });

  it('matches a link-local peer by its address, whatever its zone, and answers the same the second time', () => {
    const allowed = addressMatcher(['fe80::/10']);
    expect(allowed('fe80::1%eth0')).toBe(true);
    expect(allowed('fe80::1%eth0')).toBe(true);
    expect(allowed('fec0::1')).toBe(false);
    expect(allowed('fec0::1')).toBe(false);
  });
});
