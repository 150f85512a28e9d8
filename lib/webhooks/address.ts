/**
 * Which IP addresses a webhook may be sent to. Link-local and cloud-metadata addresses are
 * never reachable (they hand out cloud credentials); private, loopback and shared networks are
 * reachable unless the deployment refuses them. IPv6 forms that carry an IPv4 address
 * (IPv4-mapped, -translated and -compatible, NAT64, 6to4) are judged by that address too;
 * Teredo, whose IPv4 address is hidden, is refused outright. Pure functions.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass = 'public' | 'private' | 'forbidden';
export type AddressVerdict = { class: AddressClass; reason?: string };

type Range = { bytes: number[]; prefix: number; reason: string };

function parseIPv4(text: string): number[] | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').map(Number);
}

/** 16 bytes, or undefined when `text` is not an IPv6 address; a zone (`%eth0`) is ignored. */
export function parseIPv6(input: string): number[] | undefined {
  const text = input.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIPv6(text)) return undefined;
  let head = text;
  let tailBytes: number[] = [];
  // A trailing dotted quad (::ffff:1.2.3.4) is the last two words.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tailBytes = parseIPv4(dotted[2]!) ?? [];
    head = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const words = (part: string | undefined) => (part ? part.split(':').filter((w) => w !== '').map((w) => parseInt(w, 16)) : []);
  const leftWords = words(left);
  const rightWords = words(right);
  const total = 8 - tailBytes.length / 2;
  const middle = right === undefined ? [] : new Array<number>(total - leftWords.length - rightWords.length).fill(0);
  const all = [...leftWords, ...middle, ...rightWords];
  if (all.length !== total) return undefined;
  return [...all.flatMap((word) => [word >> 8, word & 0xff]), ...tailBytes];
}

function range(address: string, prefix: number, reason: string): Range {
  return { bytes: parseIPv4(address) ?? parseIPv6(address)!, prefix, reason };
}

function inRange(bytes: number[], r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false;
  for (let bit = 0; bit < r.prefix; bit += 8) {
    const take = Math.min(8, r.prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (r.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

/** Where clouds hand out credentials and configuration; also looked for inside ULA and local NAT64 addresses. */
const METADATA: Range[] = [
  range('169.254.0.0', 16, 'a link-local address (cloud metadata lives there)'),
  // Alibaba Cloud's metadata service sits inside the shared address space below.
  range('100.100.100.200', 32, 'a cloud metadata address'),
  // Azure's wireserver (VM configuration and certificates): a public address Azure keeps for itself.
  range('168.63.129.16', 32, 'a cloud metadata address'),
];

const FORBIDDEN: Range[] = [
  ...METADATA,
  range('0.0.0.0', 8, 'an unspecified address'),
  range('224.0.0.0', 4, 'a multicast address'),
  range('240.0.0.0', 4, 'a reserved address'),
  // AWS's instance metadata service over IPv6.
  range('fd00:ec2::254', 128, 'a cloud metadata address'),
  range('fe80::', 10, 'a link-local address'),
  range('::', 128, 'an unspecified address'),
  range('ff00::', 8, 'a multicast address'),
  // Teredo tunnels to an IPv4 address stored obfuscated in the low bits: refused, not decoded.
  range('2001::', 32, 'a Teredo tunnel address'),
];

const ULA = range('fc00::', 7, 'a private (unique local) address');
// Reaches whatever IPv4 address the local translator reads in it, internal ones too.
const NAT64_LOCAL = range('64:ff9b:1::', 48, 'a local-use NAT64 address (its IPv4 address depends on the local translator)');

const PRIVATE: Range[] = [
  range('10.0.0.0', 8, 'a private address'),
  range('172.16.0.0', 12, 'a private address'),
  range('192.168.0.0', 16, 'a private address'),
  range('127.0.0.0', 8, 'a loopback address'),
  range('100.64.0.0', 10, 'a shared (carrier-grade NAT) address'),
  range('192.0.0.0', 24, 'a private address'),
  range('198.18.0.0', 15, 'a private address'),
  range('::1', 128, 'a loopback address'),
  ULA,
  NAT64_LOCAL,
  range('fec0::', 10, 'a private (site-local) address'),
];

const zeros = (bytes: number[], from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
const pick = (bytes: number[], at: number[]) => at.map((i) => bytes[i]!);

/** The IPv4 address an IPv6 address stands for, if any. */
function embeddedIPv4(bytes: number[]): number[] | undefined {
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated, RFC 2765) and ::a.b.c.d
  // (compatible; not :: or ::1, judged as IPv6).
  if (zeros(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  if (zeros(bytes, 0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(bytes, 10, 12)) return bytes.slice(12);
  if (zeros(bytes, 0, 12) && !zeros(bytes, 12, 15)) return bytes.slice(12);
  // 64:ff9b::a.b.c.d, the well-known NAT64 prefix.
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(bytes, 4, 12)) return bytes.slice(12);
  // 2002:aabb:ccdd::/48, 6to4.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return undefined;
}

/**
 * IPv4 addresses that may hide in an IPv6 address whose layout this server cannot know: every
 * RFC 6052 position inside the local-use NAT64 prefix (the translator picks its prefix length),
 * and the low 32 bits of a ULA (a network-specific NAT64 prefix often lives there).
 */
function possibleIPv4(bytes: number[]): number[][] {
  if (inRange(bytes, NAT64_LOCAL)) {
    // Prefix lengths /48, /56, /64 and /96; byte 8 (bits 64–71) is always skipped.
    return [pick(bytes, [6, 7, 9, 10]), pick(bytes, [7, 9, 10, 11]), pick(bytes, [9, 10, 11, 12]), bytes.slice(12)];
  }
  if (inRange(bytes, ULA)) return [bytes.slice(12)];
  return [];
}

function judge(bytes: number[]): AddressVerdict {
  const forbidden = FORBIDDEN.find((r) => inRange(bytes, r));
  if (forbidden) return { class: 'forbidden', reason: forbidden.reason };
  const isPrivate = PRIVATE.find((r) => inRange(bytes, r));
  if (isPrivate) return { class: 'private', reason: isPrivate.reason };
  return { class: 'public' };
}

const rank: Record<AddressClass, number> = { public: 0, private: 1, forbidden: 2 };

const worst = (verdicts: AddressVerdict[]) => verdicts.reduce((a, b) => (rank[b.class] > rank[a.class] ? b : a));

/** How an IP address (v4, or v6 with or without brackets) is treated; anything else is forbidden. */
export function classifyAddress(address: string): AddressVerdict {
  const v4 = parseIPv4(address);
  if (v4) return judge(v4);
  const v6 = parseIPv6(address);
  if (!v6) return { class: 'forbidden', reason: 'not an IP address' };
  const verdicts = [judge(v6)];
  const inner = embeddedIPv4(v6);
  if (inner) verdicts.push(judge(inner));
  // Only metadata counts here: any other IPv4 reading of these bits is a guess.
  for (const candidate of possibleIPv4(v6)) {
    if (METADATA.some((r) => inRange(candidate, r))) verdicts.push({ class: 'forbidden', reason: 'an IPv6 address that may carry a cloud metadata address' });
  }
  return worst(verdicts);
}

/**
 * Why a webhook may not go to this address ("a link-local address …; webhooks are never sent
 * there."), or undefined when it may.
 */
export function addressRefusal(address: string, allowPrivate: boolean): string | undefined {
  const verdict = classifyAddress(address);
  if (verdict.class === 'forbidden') return `${verdict.reason}; webhooks are never sent there.`;
  if (verdict.class === 'private' && !allowPrivate) {
    return `${verdict.reason}; this deployment does not send webhooks to private networks (KEYWARD_WEBHOOK_ALLOW_PRIVATE=false).`;
  }
  return undefined;
}
