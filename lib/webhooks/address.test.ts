import { describe, expect, it } from 'vitest';
import { addressRefusal, classifyAddress } from './address';
import { retryDelayMs } from './dispatcher';
import { endpointUrlSchema } from './schemas';

describe('webhook addresses', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    'fd00:ec2::254',
    '[fd00:ec2::254]',
    'fd00:ec2:0:0:0:0:0:254',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    'fe80::1',
    'fe80::1%eth0',
    '100.100.100.200',
    '0.0.0.0',
    '::',
    '224.0.0.1',
    'ff02::1',
    'not-an-address',
  ])('never sends to %s', (address) => {
    expect(classifyAddress(address).class).toBe('forbidden');
    expect(addressRefusal(address, true)).toMatch(/never sent there/);
  });

  it.each([
    // Azure's wireserver, alone and carried by every IPv6 form that embeds an IPv4 address.
    ['168.63.129.16', /cloud metadata/],
    ['::ffff:168.63.129.16', /cloud metadata/],
    ['64:ff9b::a83f:8110', /cloud metadata/],
    ['2002:a83f:8110::1', /cloud metadata/],
    // IPv4-translated (RFC 2765), in both spellings, with metadata and unspecified addresses.
    ['::ffff:0:169.254.169.254', /link-local/],
    ['::ffff:0:a9fe:a9fe', /link-local/],
    ['::ffff:0:100.100.100.200', /cloud metadata/],
    ['::ffff:0:0.0.0.1', /unspecified/],
    // Local-use NAT64 (RFC 8215) carrying 169.254.169.254 at the /96, /64, /56 and /48 positions.
    ['64:ff9b:1::a9fe:a9fe', /may carry a cloud metadata/],
    ['64:ff9b:1::a9:fea9:fe00:0', /may carry a cloud metadata/],
    ['64:ff9b:1:a9:fe:a9fe::', /may carry a cloud metadata/],
    ['64:ff9b:1:a9fe:a9:fe00::', /may carry a cloud metadata/],
    ['64:ff9b:1::168.63.129.16', /may carry a cloud metadata/],
    // Teredo, whatever its (obfuscated) client address.
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['2001::1', /Teredo/],
    // 6to4 around link-local, and ULAs whose low 32 bits are a metadata address.
    ['2002:a9fe:0001::', /link-local/],
    ['fd00::a9fe:a9fe', /may carry a cloud metadata/],
    ['fd12:3456:789a::169.254.169.254', /may carry a cloud metadata/],
    ['fc00::6464:64c8', /may carry a cloud metadata/],
  ])('never sends to %s (%s)', (address, reason) => {
    expect(classifyAddress(address)).toEqual({ class: 'forbidden', reason: expect.stringMatching(reason) });
    expect(addressRefusal(address, true)).toMatch(/never sent there/);
  });

  it.each([
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '100.64.0.1',
    '::1',
    'fd12:3456::1',
    'fd00:ec2::253',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:0:10.0.0.1',
    '64:ff9b::10.0.0.1',
    '2002:0a00:0001::1',
    // Local-use NAT64 reaches whatever its translator reads, internal addresses included.
    '64:ff9b:1::808:808',
    '64:ff9b:1::10.0.0.1',
  ])(
    'treats %s as private: allowed unless refused by configuration',
    (address) => {
      expect(classifyAddress(address).class).toBe('private');
      expect(addressRefusal(address, true)).toBeUndefined();
      expect(addressRefusal(address, false)).toMatch(/KEYWARD_WEBHOOK_ALLOW_PRIVATE=false/);
    },
  );

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '169.255.0.1',
    '168.63.129.17',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '2001:db8::a9fe:a9fe',
    '::ffff:8.8.8.8',
    '::ffff:0:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:0808:0808::1',
    '1::1.2.3.4',
  ])('sends to the public address %s', (address) => {
    expect(classifyAddress(address).class).toBe('public');
    expect(addressRefusal(address, false)).toBeUndefined();
  });
});

describe('endpoint URL input', () => {
  it('keeps http(s) URLs without their fragment and refuses the rest', () => {
    expect(endpointUrlSchema.parse(' https://Example.test/hooks?a=1#top ')).toBe('https://example.test/hooks?a=1');
    for (const url of ['ftp://example.test/', 'javascript:alert(1)', 'file:///etc/passwd', 'example.test/hooks', 'https://u:p@example.test/', '']) {
      expect(endpointUrlSchema.safeParse(url).success, url).toBe(false);
    }
  });
});

describe('retry backoff', () => {
  it('doubles from 10 s to at most an hour, jittered between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, () => 0))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, () => 1))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(40, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(40, () => 0)).toBe(1_800_000);
  });
});
