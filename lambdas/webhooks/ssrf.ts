/**
 * SSRF guard for webhook URLs. A URL is checked when an endpoint is saved (parse + resolve) and again
 * at connect time through `guardedLookup`, so a name that later re-resolves to a private address (DNS
 * rebinding) is refused when it matters. IP literals never reach a lookup, so `parseWebhookUrl` judges
 * them; WHATWG URL parsing has already normalised decimal/octal/hex spellings (`http://2130706433`,
 * `0177.0.0.1`, `0x7f.1` all become `127.0.0.1`), so the check runs on the parsed host.
 *
 * Loopback webhooks (local runtime only): exactly `http(s)://127.0.0.1:<port>` and
 * `http(s)://localhost:<port>` as written — an explicit port is required and no other loopback spelling
 * (`127.0.0.2`, `[::1]`, `2130706433`, `localhost` without a port) is accepted.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { ForbiddenAddressError, InvalidUrlError, TransientError } from '../shared/errors.js';

/** Resolves a host name to every address, as `dns.promises.lookup(host, { all: true })` does. */
type LookupAll = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

const MAX_URL_LENGTH = 2048;
/** The only loopback URLs the local runtime may use: as written, scheme, host and explicit port. */
const LOOPBACK_URL = /^https?:\/\/(?:127\.0\.0\.1|localhost):[1-9]\d{0,4}(?:[/?#]|$)/i;
const LOOPBACK_ADDRESSES: ReadonlySet<string> = new Set(['127.0.0.1', '::1']);

// ---------------------------------------------------------------------------------------------------
// Address ranges
// ---------------------------------------------------------------------------------------------------

interface Range {
  readonly base: bigint;
  readonly prefix: number;
  readonly reason: string;
}

function ipv4ToInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToInt(ip: string): bigint {
  let text = ip.split('%', 1)[0]!; // drop a zone id (fe80::1%eth0)
  // A trailing dotted IPv4 (::ffff:1.2.3.4) becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const v4 = Number(ipv4ToInt(dotted[1]!));
    text = `${text.slice(0, dotted.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::', 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function v4(cidr: string, reason: string): Range {
  const [ip = '', prefix = '32'] = cidr.split('/');
  return { base: ipv4ToInt(ip), prefix: Number(prefix), reason };
}

function v6(cidr: string, reason: string): Range {
  const [ip = '', prefix = '128'] = cidr.split('/');
  return { base: ipv6ToInt(ip), prefix: Number(prefix), reason };
}

function inRange(value: bigint, range: Range, bits: number): boolean {
  const shift = BigInt(bits - range.prefix);
  return value >> shift === range.base >> shift;
}

/** Order matters: the first matching range names the reason (metadata before link-local, etc.). */
const IPV4_FORBIDDEN: readonly Range[] = [
  v4('169.254.169.254/32', 'cloud metadata'),
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'carrier-grade NAT'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('255.255.255.255/32', 'broadcast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_FORBIDDEN: readonly Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('fd00:ec2::254/128', 'cloud metadata'),
  v6('64:ff9b:1::/48', 'reserved'),
  v6('100::/64', 'reserved'),
  v6('2001::/23', 'reserved'), // IETF protocol assignments, incl. Teredo 2001::/32
  v6('2001:db8::/32', 'documentation'),
  v6('3fff::/20', 'documentation'),
  v6('fc00::/7', 'private'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'private'),
  v6('ff00::/8', 'multicast'),
];

/** IPv6 ranges that embed an IPv4 address: judged by that address. `shift` locates its 32 bits. */
const IPV6_EMBEDDING_V4: ReadonlyArray<{ range: Range; shift: bigint }> = [
  { range: v6('::ffff:0:0/96', 'ipv4-mapped'), shift: 0n },
  { range: v6('::/96', 'ipv4-compatible'), shift: 0n },
  { range: v6('64:ff9b::/96', 'nat64'), shift: 0n },
  { range: v6('2002::/16', '6to4'), shift: 80n },
];

const GLOBAL_UNICAST_V6 = v6('2000::/3', 'global unicast');

function ipv4Reason(ip: string): string | undefined {
  const value = ipv4ToInt(ip);
  return IPV4_FORBIDDEN.find((range) => inRange(value, range, 32))?.reason;
}

function ipv6Reason(ip: string): string | undefined {
  const value = ipv6ToInt(ip);
  const direct = IPV6_FORBIDDEN.find((range) => inRange(value, range, 128));
  if (direct !== undefined) return direct.reason;
  for (const { range, shift } of IPV6_EMBEDDING_V4) {
    if (inRange(value, range, 128)) {
      const embedded = Number((value >> shift) & 0xffffffffn);
      const dotted = [24, 16, 8, 0].map((s) => (embedded >>> s) & 0xff).join('.');
      const reason = ipv4Reason(dotted);
      return reason === undefined ? undefined : `${reason} (${range.reason} ${dotted})`;
    }
  }
  // Everything outside 2000::/3 is unassigned or special-purpose.
  return inRange(value, GLOBAL_UNICAST_V6, 128) ? undefined : 'reserved';
}

/** Why webhooks may not reach `ip`, or undefined when it is a public address. Not an IP → 'invalid'. */
function forbiddenAddressReason(ip: string): string | undefined {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  switch (isIP(bare.split('%', 1)[0]!)) {
    case 4:
      return ipv4Reason(bare);
    case 6:
      return ipv6Reason(bare);
    default:
      return 'invalid';
  }
}

// ---------------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------------

function bareHost(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Parses and checks a webhook URL. InvalidUrlError: not a URL, too long, scheme other than https (http
 * only for the loopback URLs above), credentials, port 0 or out of range. ForbiddenAddressError: an
 * IP literal in a forbidden range, or a `localhost` name, outside the loopback allowance.
 */
function parseWebhookUrl(raw: string, options: { readonly allowLoopback: boolean }): URL {
  if (raw.length > MAX_URL_LENGTH) {
    throw new InvalidUrlError(`The URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidUrlError('Not a valid absolute URL (a port must be 1-65535)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidUrlError('The URL must use https');
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidUrlError('The URL must not contain credentials');
  }
  if (url.port === '0') throw new InvalidUrlError('The URL port must be 1-65535');
  const host = bareHost(url);
  if (host === '') throw new InvalidUrlError('The URL has no host');

  if (options.allowLoopback && LOOPBACK_URL.test(raw.trim())) return url;

  const reason =
    isIP(host) !== 0 ? forbiddenAddressReason(host) : isLocalhostName(host) ? 'loopback' : undefined;
  if (reason !== undefined) {
    throw new ForbiddenAddressError(`Webhooks may not be sent to ${reason} addresses`, {
      detail: { reason },
    });
  }
  if (url.protocol !== 'https:') throw new InvalidUrlError('The URL must use https');
  return url;
}

const defaultLookupAll: LookupAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

function isLoopbackAllowance(url: URL, allowLoopback: boolean): boolean {
  return allowLoopback && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
}

function checkAddresses(addresses: readonly string[], loopbackAllowed: boolean): void {
  for (const address of addresses) {
    if (loopbackAllowed && LOOPBACK_ADDRESSES.has(address)) continue;
    const reason = forbiddenAddressReason(address);
    if (reason !== undefined) {
      throw new ForbiddenAddressError(`The URL's host resolves to a ${reason} address`, {
        detail: { reason },
      });
    }
  }
}

/**
 * Every address the URL's host resolves to; ForbiddenAddressError if ANY is forbidden (an attacker
 * controls which one a client picks). A name that does not exist is InvalidUrlError; any other DNS
 * failure is TransientError (retryable).
 */
async function resolvePublicAddresses(
  url: URL,
  options: { readonly allowLoopback: boolean; readonly lookup?: LookupAll },
): Promise<string[]> {
  const host = bareHost(url);
  const loopbackAllowed = isLoopbackAllowance(url, options.allowLoopback);
  if (isIP(host) !== 0) {
    checkAddresses([host], loopbackAllowed);
    return [host];
  }
  let addresses: string[];
  try {
    addresses = (await (options.lookup ?? defaultLookupAll)(host)).map((entry) => entry.address);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      throw new InvalidUrlError(`The URL's host ${host} does not resolve`, { cause: error });
    }
    throw new TransientError(`Could not resolve ${host}`, { cause: error });
  }
  if (addresses.length === 0) throw new InvalidUrlError(`The URL's host ${host} does not resolve`);
  checkAddresses(addresses, loopbackAllowed);
  return addresses;
}

/**
 * A `lookup` for http.request/https.request that refuses forbidden addresses at connect time (DNS
 * rebinding defence). Loopback answers pass only when `allowLoopback` and the host is a permitted
 * loopback host (`allowedLoopbackHost`, default: the name is `localhost`). The request fails with the
 * ForbiddenAddressError.
 */
function guardedLookup(options: {
  readonly allowLoopback: boolean;
  readonly allowedLoopbackHost?: boolean;
  /** @default dns.lookup with all: true */
  readonly resolve?: LookupAll;
}): LookupFunction {
  const resolve = options.resolve ?? defaultLookupAll;
  return (hostname: string, lookupOptions: LookupOptions, callback) => {
    const loopbackAllowed =
      options.allowLoopback && (options.allowedLoopbackHost ?? hostname.toLowerCase() === 'localhost');
    resolve(hostname)
      .then((entries) => {
        const family =
          lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
        const wanted =
          family === undefined || family === 0 ? entries : entries.filter((e) => e.family === family);
        if (wanted.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
          return;
        }
        checkAddresses(
          wanted.map((e) => e.address),
          loopbackAllowed,
        );
        if (lookupOptions.all === true) {
          callback(
            null,
            wanted.map((e): LookupAddress => ({ address: e.address, family: e.family })),
          );
        } else {
          callback(null, wanted[0]!.address, wanted[0]!.family);
        }
      })
      .catch((error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), '', 0);
      });
  };
}

export type { LookupAll };
export { forbiddenAddressReason, guardedLookup, parseWebhookUrl, resolvePublicAddresses };
