/**
 * Where an endpoint URL really points. A host name is resolved, every address it gives is
 * checked (./address.ts), and the delivery then connects to the address that was checked, never
 * resolving the name again — so a DNS answer that changes between check and connect (DNS
 * rebinding) cannot lead a webhook to a metadata service or a refused network.
 */
import { lookup } from 'node:dns/promises';
import { addressRefusal, parseIPv6 } from './address';

export type ResolvedAddress = { address: string; family: 4 | 6 };
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

/** Why a URL was refused, as a class the deliveries table may show (the message names hosts and addresses). */
export type RefusalKind = 'invalid_url' | 'dns' | 'refused_address';

/** A URL that may not be sent to, with the reason people see when they save it. */
export class RefusedUrlError extends Error {
  constructor(
    message: string,
    readonly kind: RefusalKind,
  ) {
    super(message);
    this.name = 'RefusedUrlError';
  }
}

export type CheckedTarget = { url: URL; address: string; family: 4 | 6 };

const DNS_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RefusedUrlError(message, 'dns')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves `rawUrl`'s host and checks every address; returns the first, to connect to. Throws
 * RefusedUrlError when the URL is not http(s), does not resolve, or any address is refused.
 * With `resolve: null` only an IP-address host is judged and a name passes unresolved.
 */
export async function checkEndpointUrl(rawUrl: string, options: { resolve: Resolver | null; allowPrivate: boolean }): Promise<CheckedTarget | undefined> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new RefusedUrlError('The endpoint URL is not a valid URL.', 'invalid_url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RefusedUrlError('Only http:// and https:// URLs can receive webhooks.', 'invalid_url');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) addresses = [{ address: host, family: 4 }];
  else if (parseIPv6(host)) addresses = [{ address: host, family: 6 }];
  else if (!options.resolve) return undefined;
  else {
    const resolve = options.resolve;
    try {
      addresses = await withTimeout(resolve(host), DNS_TIMEOUT_MS, `${host} could not be resolved in time.`);
    } catch (error) {
      if (error instanceof RefusedUrlError) throw error;
      throw new RefusedUrlError(`${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'DNS error'}).`, 'dns');
    }
    if (addresses.length === 0) throw new RefusedUrlError(`${host} has no addresses.`, 'dns');
  }
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, options.allowPrivate);
    if (refusal) throw new RefusedUrlError(host === address ? `${address} is ${refusal}` : `${host} resolves to ${address}, ${refusal}`, 'refused_address');
  }
  return { url, ...addresses[0]! };
}
