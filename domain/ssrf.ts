import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard for webhook URLs: only https to hosts whose every address is public unicast. Checked when a
 * subscription is saved and again on every attempt, where the HTTP client connects only to an address this module
 * approved (its `lookup`), so a name that resolves public when saved and private later (DNS rebinding) is refused.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses; injectable so tests can make a name change its answer. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface UrlPolicy {
  /**
   * Development only (`WEBHOOK_ALLOW_INSECURE_LOOPBACK`): allows `http` and loopback addresses when the URL names a
   * loopback host literally (`127.0.0.1`, `[::1]`, `localhost`). A public name that resolves to loopback stays refused.
   */
  allowInsecureLoopback: boolean;
}

export class UnsafeUrlError extends Error {}

// names that reach cloud metadata services or private networks whatever they resolve to
const BLOCKED_SUFFIXES = ['.internal', '.local', '.localdomain', '.home.arpa', '.intranet', '.lan', '.corp'];
const LOOPBACK_NAMES = ['localhost'];

export interface AddressClass {
  public: boolean;
  /** ipaddr.js's range name (`unicast`, `private`, `loopback`, `linkLocal`, `uniqueLocal`, ...) */
  range: string;
}

/**
 * Classifies one IP address. Public means global unicast: IPv4 outside every special range, IPv6 inside 2000::/3
 * and outside its special ranges. An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
 */
export function classifyAddress(address: string): AddressClass {
  if (address.includes('%')) return { public: false, range: 'zoned' };
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return { public: false, range: 'invalid' };
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range !== 'unicast') return { public: false, range };
  if (parsed.kind() === 'ipv6' && !parsed.match(ipaddr.IPv6.parse('2000::'), 3)) {
    return { public: false, range: 'notGlobalUnicast' };
  }
  return { public: true, range };
}

/** The hostname as an IP literal (brackets removed), or undefined for a name. */
function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : undefined;
}

function isLoopbackLiteral(hostname: string): boolean {
  const literal = ipLiteral(hostname);
  if (literal) return classifyAddress(literal).range === 'loopback';
  return LOOPBACK_NAMES.includes(hostname);
}

export interface CheckedUrl {
  url: URL;
  /** the host name to resolve, or undefined when the URL names an IP address */
  hostname?: string;
  /** loopback addresses may be connected to (the development setting and a literal loopback host) */
  loopbackAllowed: boolean;
}

/** The checks that need no DNS: scheme, credentials, blocked names and IP literals. Throws UnsafeUrlError. */
export function checkUrlShape(raw: string, policy: UrlPolicy): CheckedUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('must be an absolute URL, e.g. https://example.com/webhooks');
  }
  const hostname = url.hostname.toLowerCase().replace(/\.$/, '');
  const loopbackAllowed = policy.allowInsecureLoopback && isLoopbackLiteral(hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackAllowed)) {
    throw new UnsafeUrlError(
      policy.allowInsecureLoopback
        ? 'must use https (http is allowed only for 127.0.0.1, [::1] or localhost in development)'
        : 'must use https',
    );
  }
  if (url.username || url.password) throw new UnsafeUrlError('must not carry credentials');
  if (hostname === '') throw new UnsafeUrlError('must name a host');
  const literal = ipLiteral(hostname);
  if (literal) {
    const cls = classifyAddress(literal);
    if (!cls.public && !(loopbackAllowed && cls.range === 'loopback')) {
      throw new UnsafeUrlError(`must resolve to a public address; ${literal} is ${describeRange(cls.range)}`);
    }
    return { url, loopbackAllowed };
  }
  if (!loopbackAllowed) {
    if (LOOPBACK_NAMES.includes(hostname) || hostname.endsWith('.localhost')) {
      throw new UnsafeUrlError(`must resolve to a public address; ${hostname} is loopback`);
    }
    if (!hostname.includes('.') || BLOCKED_SUFFIXES.some((suffix) => hostname.endsWith(suffix))) {
      throw new UnsafeUrlError(`must name a public host; ${hostname} is an internal name`);
    }
  }
  return { url, hostname, loopbackAllowed };
}

function describeRange(range: string): string {
  const names: Record<string, string> = {
    private: 'a private address',
    uniqueLocal: 'a private (unique local) address',
    loopback: 'a loopback address',
    linkLocal: 'a link-local address (cloud metadata lives there)',
    carrierGradeNat: 'a carrier-grade NAT address',
    unspecified: 'the unspecified address',
    multicast: 'a multicast address',
    broadcast: 'the broadcast address',
    reserved: 'a reserved address',
  };
  return names[range] ?? `not public (${range})`;
}

/** Refuses an address list unless every address may be connected to. */
export function assertAddressesAllowed(
  hostname: string,
  addresses: readonly ResolvedAddress[],
  loopbackAllowed: boolean,
) {
  if (addresses.length === 0) throw new UnsafeUrlError(`${hostname} does not resolve`);
  for (const { address } of addresses) {
    const cls = classifyAddress(address);
    if (cls.public || (loopbackAllowed && cls.range === 'loopback')) continue;
    throw new UnsafeUrlError(
      `must resolve to a public address; ${hostname} resolves to ${address}, ${describeRange(cls.range)}`,
    );
  }
}

/** The whole check for a URL being saved: its shape, then every address its host resolves to. */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy, resolve: Resolver): Promise<URL> {
  const checked = checkUrlShape(raw, policy);
  if (checked.hostname) {
    let addresses: ResolvedAddress[];
    try {
      addresses = await resolve(checked.hostname);
    } catch {
      throw new UnsafeUrlError(`${checked.hostname} does not resolve`);
    }
    assertAddressesAllowed(checked.hostname, addresses, checked.loopbackAllowed);
  }
  return checked.url;
}

/**
 * A `lookup` for node:http(s) that resolves with `resolve` and hands the socket only addresses that pass the guard,
 * so the check applies to the address actually connected to. (Node skips `lookup` for IP literals; checkUrlShape
 * covers those.)
 */
export function guardedLookup(resolve: Resolver, loopbackAllowed: boolean): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname)
      .then((all) => {
        assertAddressesAllowed(hostname, all, loopbackAllowed);
        const wanted =
          options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (wanted.length === 0) throw new UnsafeUrlError(`${hostname} has no IPv${String(options.family)} address`);
        if (options.all) {
          callback(
            null,
            wanted.map((a): LookupAddress => ({ address: a.address, family: a.family })),
          );
        } else {
          const first = wanted[0] as ResolvedAddress;
          callback(null, first.address, first.family);
        }
      })
      .catch((err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        callback(Object.assign(error, { code: (error as NodeJS.ErrnoException).code ?? 'EBLOCKED' }), '', 0);
      });
  };
}
