/**
 * SSRF: endpoint URLs that point into private, loopback, link-local, metadata or otherwise forbidden
 * space (in every spelling WHATWG URL normalises), and URLs that are not acceptable webhook URLs at
 * all. Each is refused with its code and no endpoint is stored for the tenant.
 */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../support/api.js';
import { expectStatus, uniqueTenant } from '../support/fixtures.js';
import { recordHostile } from '../support/report.js';
import { useHerald } from '../support/suite.js';

const ctx = useHerald();
const tenantId = uniqueTenant('ssrf');

/** Literal addresses in forbidden ranges: `forbidden_address`. https, so no loopback allowance applies. */
const forbidden: readonly [string, string][] = [
  ['loopback 127.0.0.1', 'https://127.0.0.1/hook'],
  ['loopback 127.1.2.3', 'https://127.1.2.3/hook'],
  ['loopback short form 127.1', 'https://127.1/hook'],
  ['IPv6 loopback ::1', 'https://[::1]/hook'],
  ['private 10/8', 'https://10.0.0.1/hook'],
  ['private 172.16/12 (low)', 'https://172.16.0.1/hook'],
  ['private 172.16/12 (high)', 'https://172.31.255.254/hook'],
  ['private 192.168/16', 'https://192.168.1.1/hook'],
  ['cloud metadata 169.254.169.254', 'https://169.254.169.254/latest/meta-data/'],
  ['link-local 169.254/16', 'https://169.254.1.1/hook'],
  ['AWS IPv6 metadata fd00:ec2::254', 'https://[fd00:ec2::254]/hook'],
  ['IPv6 ULA fd00::/8', 'https://[fd00::1]/hook'],
  ['IPv6 ULA fc00::/7', 'https://[fc00::1]/hook'],
  ['IPv6 link-local fe80::/10', 'https://[fe80::1]/hook'],
  ['CGNAT 100.64/10', 'https://100.64.0.1/hook'],
  ['CGNAT 100.127.255.254', 'https://100.127.255.254/hook'],
  ['unspecified 0.0.0.0', 'https://0.0.0.0/hook'],
  ['unspecified 0', 'https://0/hook'],
  ['IPv6 unspecified ::', 'https://[::]/hook'],
  ['broadcast', 'https://255.255.255.255/hook'],
  ['multicast 224/4', 'https://224.0.0.1/hook'],
  ['IPv6 multicast ff02::1', 'https://[ff02::1]/hook'],
  ['decimal 2130706433 (127.0.0.1)', 'https://2130706433/hook'],
  ['decimal 2852039166 (169.254.169.254)', 'https://2852039166/hook'],
  ['octal 0177.0.0.1', 'https://0177.0.0.1/hook'],
  ['octal 012.0.0.1 (10.0.0.1)', 'https://012.0.0.1/hook'],
  ['hex 0x7f.0.0.1', 'https://0x7f.0.0.1/hook'],
  ['hex 0x7f000001', 'https://0x7f000001/hook'],
  ['hex 0xa9fea9fe (metadata)', 'https://0xa9fea9fe/hook'],
  ['IPv4-mapped ::ffff:127.0.0.1', 'https://[::ffff:127.0.0.1]/hook'],
  ['IPv4-mapped ::ffff:10.0.0.1', 'https://[::ffff:10.0.0.1]/hook'],
  ['IPv4-mapped hex ::ffff:a9fe:a9fe', 'https://[::ffff:a9fe:a9fe]/hook'],
  ['6to4 of 192.168.0.1', 'https://[2002:c0a8:1::1]/hook'],
  ['NAT64 of 10.0.0.1', 'https://[64:ff9b::a00:1]/hook'],
  ['documentation 192.0.2.0/24', 'https://192.0.2.10/hook'],
  ['reserved 240/4', 'https://240.0.0.1/hook'],
  ['localhost by name over https', 'https://localhost/hook'],
];

/** Not an acceptable webhook URL at all: `invalid_url`. */
const invalid: readonly [string, string][] = [
  ['not a URL', 'not a url'],
  ['relative path', '/hooks/x'],
  ['ftp scheme', 'ftp://example.com/hook'],
  ['file scheme', 'file:///etc/passwd'],
  ['gopher scheme', 'gopher://example.com:70/_x'],
  ['javascript scheme', 'javascript:alert(1)'],
  ['data scheme', 'data:text/plain,hi'],
  ['plain http to a public host', 'http://example.com/hook'],
  ['credentials in the URL', 'https://user:secret@example.com/hook'],
  ['user only in the URL', 'https://user@example.com/hook'],
  ['port 0', 'https://example.com:0/hook'],
  ['port out of range', 'https://example.com:70000/hook'],
];

function cases(): Array<{ name: string; url: string; code: string }> {
  return [
    ...forbidden.map(([name, url]) => ({ name, url, code: 'forbidden_address' })),
    ...invalid.map(([name, url]) => ({ name, url, code: 'invalid_url' })),
  ];
}

async function storedEndpointUrls(): Promise<string[]> {
  const page = expectStatus(
    'list endpoints',
    await ctx.api.get<{ items: Array<{ url: string }> }>(`/v1/endpoints?tenantId=${tenantId}`),
    200,
  );
  return page.items.map((e) => e.url);
}

describe('SSRF: endpoint URLs', () => {
  it.each(cases())('$name ($url) → 400 $code, nothing stored', async ({ name, url, code }) => {
    const response = await ctx.api.post<Problem>('/v1/endpoints', { tenantId, url, eventTypes: ['*'] });
    const stored = await storedEndpointUrls();
    recordHostile({
      category: 'SSRF spellings',
      case: `POST ${name} (${url})`,
      status: response.status,
      code: response.body.code,
      nothingStored: stored.length === 0,
    });
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code });
    expect(stored).toEqual([]);
  });

  it.each(forbidden.slice(0, 6))('PATCH to %s is refused too', async (name, url) => {
    const created = expectStatus(
      'create endpoint',
      await ctx.api.post<{ id: string; url: string }>('/v1/endpoints', {
        tenantId,
        url: ctx.receiver.url('ssrf-patch'),
        eventTypes: ['*'],
      }),
      201,
    );
    const response = await ctx.api.request<Problem>('PATCH', `/v1/endpoints/${created.id}`, {
      json: { url },
    });
    const stored = await storedEndpointUrls();
    // For a PATCH, "nothing stored" means the endpoint kept its URL.
    recordHostile({
      category: 'SSRF spellings',
      case: `PATCH to ${name} (${url})`,
      status: response.status,
      code: response.body.code,
      nothingStored: stored.length === 1 && stored[0] === created.url,
    });
    expect({ status: response.status, code: response.body.code }).toEqual({
      status: 400,
      code: 'forbidden_address',
    });
    expect(stored).toEqual([created.url]);
    expect((await ctx.api.request('DELETE', `/v1/endpoints/${created.id}`)).status).toBe(204);
  });
});
