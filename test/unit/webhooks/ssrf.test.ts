import { createServer, get, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ForbiddenAddressError,
  HeraldError,
  InvalidUrlError,
  TransientError,
} from '../../../lambdas/shared/errors.js';
import {
  forbiddenAddressReason,
  guardedLookup,
  type LookupAll,
  parseWebhookUrl,
  resolvePublicAddresses,
} from '../../../lambdas/webhooks/ssrf.js';

const deployed = { allowLoopback: false };
const local = { allowLoopback: true };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    expect((error as HeraldError).status).toBe(400);
    return (error as HeraldError).code;
  }
  return 'ok';
}

/** A resolver that answers from a table; unknown names fail like getaddrinfo does. */
function fakeDns(table: Record<string, readonly string[]>): LookupAll {
  return async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe('ssrf', () => {
  describe('forbiddenAddressReason', () => {
    it.each([
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['::1', 'loopback'],
      ['10.0.0.1', 'private'],
      ['10.255.255.255', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'cloud metadata'],
      ['169.254.1.1', 'link-local'],
      ['fd00:ec2::254', 'cloud metadata'],
      ['fd00::1', 'private'],
      ['fc00::1', 'private'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['100.64.0.1', 'carrier-grade NAT'],
      ['100.127.255.255', 'carrier-grade NAT'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['240.0.0.1', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['192.0.2.1', 'documentation'],
      ['198.51.100.7', 'documentation'],
      ['203.0.113.9', 'documentation'],
      ['2001:db8::1', 'documentation'],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
    ])('%s is forbidden (%s)', (ip, reason) => {
      expect(forbiddenAddressReason(ip)).toBe(reason);
    });

    it.each([
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:10.1.2.3', 'private'],
      ['::ffff:a9fe:a9fe', 'cloud metadata'],
      ['::127.0.0.1', 'loopback'],
      ['2002:c0a8:0101::1', 'private'], // 6to4 of 192.168.1.1
      ['2002:7f00:1::', 'loopback'], // 6to4 of 127.0.0.1
      ['64:ff9b::10.0.0.1', 'private'], // NAT64 of 10.0.0.1
      ['64:ff9b::a9fe:a9fe', 'cloud metadata'],
    ])('%s embeds a forbidden IPv4 (%s)', (ip, reason) => {
      expect(forbiddenAddressReason(ip)).toMatch(new RegExp(`^${reason} \\(`));
    });

    it.each([
      '8.8.8.8',
      '1.1.1.1',
      '93.184.216.34',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700::1111',
      '2a00:1450:4001:82b::200e',
      '::ffff:8.8.8.8',
      '2002:0808:0808::1',
      '64:ff9b::8.8.8.8',
    ])('%s is public', (ip) => {
      expect(forbiddenAddressReason(ip)).toBeUndefined();
    });

    it('says "invalid" for something that is not an IP', () => {
      expect(forbiddenAddressReason('example.com')).toBe('invalid');
    });
  });

  describe('parseWebhookUrl (deployed: no loopback)', () => {
    it.each([
      ['https://example.com/hook', 'ok'],
      ['https://example.com:8443/hook?x=1', 'ok'],
      ['https://example.com/hook#frag', 'ok'],
      ['https://8.8.8.8/hook', 'ok'],
      ['https://[2606:4700::1111]/hook', 'ok'],
      // forbidden IP literals, however spelled
      ['https://127.0.0.1/', 'forbidden_address'],
      ['https://127.1.2.3/', 'forbidden_address'],
      ['https://[::1]/', 'forbidden_address'],
      ['https://10.0.0.1/', 'forbidden_address'],
      ['https://172.16.5.4/', 'forbidden_address'],
      ['https://192.168.0.10/', 'forbidden_address'],
      ['https://169.254.169.254/latest/meta-data/', 'forbidden_address'],
      ['https://[fd00::1]/', 'forbidden_address'],
      ['https://[fe80::1]/', 'forbidden_address'],
      ['https://100.64.0.1/', 'forbidden_address'],
      ['https://0.0.0.0/', 'forbidden_address'],
      ['https://224.0.0.1/', 'forbidden_address'],
      ['https://255.255.255.255/', 'forbidden_address'],
      ['https://2130706433/', 'forbidden_address'],
      ['http://2130706433/', 'forbidden_address'],
      ['https://0177.0.0.1/', 'forbidden_address'],
      ['https://0x7f.1/', 'forbidden_address'],
      ['https://0x7f000001/', 'forbidden_address'],
      ['https://[::ffff:127.0.0.1]/', 'forbidden_address'],
      ['https://[::ffff:7f00:1]/', 'forbidden_address'],
      ['https://localhost/', 'forbidden_address'],
      ['https://localhost:8443/', 'forbidden_address'],
      ['https://api.localhost/', 'forbidden_address'],
      ['http://127.0.0.1:8080/', 'forbidden_address'],
      ['http://localhost:8080/', 'forbidden_address'],
      // not https, not a URL, credentials, bad port
      ['http://example.com/hook', 'invalid_url'],
      ['ftp://example.com/file', 'invalid_url'],
      ['file:///etc/passwd', 'invalid_url'],
      ['gopher://example.com:70/', 'invalid_url'],
      ['javascript:alert(1)', 'invalid_url'],
      ['data:text/plain,hi', 'invalid_url'],
      ['https://user:pass@example.com/', 'invalid_url'],
      ['https://user@example.com/', 'invalid_url'],
      ['https://example.com:0/', 'invalid_url'],
      ['https://example.com:65536/', 'invalid_url'],
      ['not a url', 'invalid_url'],
      ['//example.com/hook', 'invalid_url'],
      ['', 'invalid_url'],
      [`https://example.com/${'a'.repeat(2048)}`, 'invalid_url'],
    ])('%s → %s', (raw, expected) => {
      expect(codeOf(() => parseWebhookUrl(raw, deployed))).toBe(expected);
    });

    it('names the reason in the error detail', () => {
      try {
        parseWebhookUrl('https://169.254.169.254/', deployed);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ForbiddenAddressError);
        expect((error as ForbiddenAddressError).detail).toEqual({ reason: 'cloud metadata' });
      }
    });
  });

  describe('parseWebhookUrl (local runtime: allowLoopback)', () => {
    it.each([
      ['http://127.0.0.1:8080/hook', 'ok'],
      ['http://localhost:3000/hook', 'ok'],
      ['http://LOCALHOST:3000/', 'ok'],
      ['https://127.0.0.1:8443/', 'ok'],
      ['https://example.com/hook', 'ok'],
      // no other loopback form, and the port must be explicit
      ['http://127.0.0.1/', 'forbidden_address'],
      ['http://localhost/', 'forbidden_address'],
      ['http://127.0.0.2:8080/', 'forbidden_address'],
      ['http://[::1]:8080/', 'forbidden_address'],
      ['http://2130706433:8080/', 'forbidden_address'],
      ['http://0x7f.1:8080/', 'forbidden_address'],
      ['http://api.localhost:8080/', 'forbidden_address'],
      ['http://10.0.0.1:8080/', 'forbidden_address'],
      ['http://user:pw@127.0.0.1:8080/', 'invalid_url'],
      ['http://127.0.0.1:0/', 'invalid_url'],
      ['http://example.com:8080/', 'invalid_url'],
    ])('%s → %s', (raw, expected) => {
      expect(codeOf(() => parseWebhookUrl(raw, local))).toBe(expected);
    });
  });

  describe('resolvePublicAddresses', () => {
    const dns = fakeDns({
      'public.example': ['93.184.216.34', '2606:4700::1111'],
      'internal.example': ['10.0.0.5'],
      'mixed.example': ['93.184.216.34', '127.0.0.1'],
      'metadata.example': ['169.254.169.254'],
      'mapped.example': ['::ffff:192.168.0.1'],
      localhost: ['127.0.0.1', '::1'],
      'empty.example': [],
    });

    it('returns every address of a public name', async () => {
      const url = parseWebhookUrl('https://public.example/hook', deployed);
      await expect(resolvePublicAddresses(url, { ...deployed, lookup: dns })).resolves.toEqual([
        '93.184.216.34',
        '2606:4700::1111',
      ]);
    });

    it.each(['internal.example', 'mixed.example', 'metadata.example', 'mapped.example'])(
      'refuses %s: it resolves to a forbidden address',
      async (host) => {
        const url = parseWebhookUrl(`https://${host}/hook`, deployed);
        await expect(resolvePublicAddresses(url, { ...deployed, lookup: dns })).rejects.toBeInstanceOf(
          ForbiddenAddressError,
        );
      },
    );

    it('refuses a name that does not resolve as invalid_url', async () => {
      const url = parseWebhookUrl('https://nowhere.example/', deployed);
      await expect(resolvePublicAddresses(url, { ...deployed, lookup: dns })).rejects.toBeInstanceOf(
        InvalidUrlError,
      );
      const empty = parseWebhookUrl('https://empty.example/', deployed);
      await expect(resolvePublicAddresses(empty, { ...deployed, lookup: dns })).rejects.toBeInstanceOf(
        InvalidUrlError,
      );
    });

    it('reports other DNS failures as retryable', async () => {
      const flaky: LookupAll = async () => {
        throw Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
      };
      const url = parseWebhookUrl('https://public.example/', deployed);
      const error = await resolvePublicAddresses(url, { ...deployed, lookup: flaky }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).retryable).toBe(true);
    });

    it('checks IP literals without DNS', async () => {
      const noDns: LookupAll = async () => {
        throw new Error('DNS must not be used');
      };
      await expect(
        resolvePublicAddresses(new URL('https://8.8.8.8/'), { ...deployed, lookup: noDns }),
      ).resolves.toEqual(['8.8.8.8']);
      await expect(
        resolvePublicAddresses(new URL('https://10.1.1.1/'), { ...deployed, lookup: noDns }),
      ).rejects.toBeInstanceOf(ForbiddenAddressError);
    });

    it('lets localhost resolve to loopback in the local runtime only', async () => {
      const url = parseWebhookUrl('http://localhost:8080/', local);
      await expect(resolvePublicAddresses(url, { ...local, lookup: dns })).resolves.toEqual([
        '127.0.0.1',
        '::1',
      ]);
      await expect(resolvePublicAddresses(url, { ...deployed, lookup: dns })).rejects.toBeInstanceOf(
        ForbiddenAddressError,
      );
    });

    it('still refuses a public name resolving to loopback in the local runtime', async () => {
      const rebinding = fakeDns({ 'evil.example': ['127.0.0.1'] });
      const url = parseWebhookUrl('https://evil.example/', local);
      await expect(resolvePublicAddresses(url, { ...local, lookup: rebinding })).rejects.toBeInstanceOf(
        ForbiddenAddressError,
      );
    });
  });

  describe('guardedLookup', () => {
    function lookupOnce(
      fn: LookupFunction,
      hostname: string,
      options: { all?: boolean; family?: number } = {},
    ): Promise<{ address: unknown; family: number | undefined }> {
      return new Promise((resolve, reject) => {
        fn(hostname, options, (error, address, family) =>
          error ? reject(error) : resolve({ address, family }),
        );
      });
    }

    const dns = fakeDns({
      'public.example': ['93.184.216.34', '2606:4700::1111'],
      'rebound.example': ['93.184.216.34', '10.0.0.1'],
      localhost: ['127.0.0.1'],
    });

    it('answers a single address, or all addresses when asked', async () => {
      const lookup = guardedLookup({ ...deployed, resolve: dns });
      await expect(lookupOnce(lookup, 'public.example')).resolves.toEqual({
        address: '93.184.216.34',
        family: 4,
      });
      await expect(lookupOnce(lookup, 'public.example', { family: 6 })).resolves.toEqual({
        address: '2606:4700::1111',
        family: 6,
      });
      const all = await lookupOnce(lookup, 'public.example', { all: true });
      expect(all.address).toEqual([
        { address: '93.184.216.34', family: 4 },
        { address: '2606:4700::1111', family: 6 },
      ]);
    });

    it('fails the connection when any answer is forbidden (DNS rebinding)', async () => {
      const lookup = guardedLookup({ ...deployed, resolve: dns });
      await expect(lookupOnce(lookup, 'rebound.example')).rejects.toBeInstanceOf(ForbiddenAddressError);
      await expect(lookupOnce(lookup, 'rebound.example', { all: true })).rejects.toBeInstanceOf(
        ForbiddenAddressError,
      );
    });

    it('allows loopback only for localhost, only when allowed', async () => {
      await expect(lookupOnce(guardedLookup({ ...local, resolve: dns }), 'localhost')).resolves.toEqual({
        address: '127.0.0.1',
        family: 4,
      });
      await expect(
        lookupOnce(guardedLookup({ ...deployed, resolve: dns }), 'localhost'),
      ).rejects.toBeInstanceOf(ForbiddenAddressError);
      await expect(
        lookupOnce(guardedLookup({ ...local, allowedLoopbackHost: false, resolve: dns }), 'localhost'),
      ).rejects.toBeInstanceOf(ForbiddenAddressError);
    });

    it('passes DNS errors through', async () => {
      const lookup = guardedLookup({ ...deployed, resolve: dns });
      await expect(lookupOnce(lookup, 'nowhere.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    });

    describe('with a real http.request over loopback', () => {
      let server: Server;
      let port: number;

      beforeAll(async () => {
        server = createServer((_req, res) => res.end('ok'));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        port = (server.address() as AddressInfo).port;
      });

      afterAll(async () => {
        await new Promise((resolve) => server.close(resolve));
      });

      function request(host: string, lookup: LookupFunction): Promise<string> {
        return new Promise((resolve, reject) => {
          get({ host, port, path: '/', lookup, agent: false }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => {
              body += chunk.toString();
            });
            res.on('end', () => resolve(body));
          }).on('error', reject);
        });
      }

      it('refuses to connect when a public-looking name resolves to loopback', async () => {
        const rebinding = fakeDns({ 'attacker.example': ['127.0.0.1'] });
        await expect(
          request('attacker.example', guardedLookup({ ...deployed, resolve: rebinding })),
        ).rejects.toBeInstanceOf(ForbiddenAddressError);
        await expect(
          request('attacker.example', guardedLookup({ ...local, resolve: rebinding })),
        ).rejects.toBeInstanceOf(ForbiddenAddressError);
      });

      it('connects to localhost in the local runtime', async () => {
        const loop = fakeDns({ localhost: ['127.0.0.1'] });
        await expect(request('localhost', guardedLookup({ ...local, resolve: loop }))).resolves.toBe('ok');
      });
    });
  });
});
