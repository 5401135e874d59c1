/**
 * The CLI never sends an API key in clear text off this machine (issue 10, item 10): plain http:// is
 * refused for any host but loopback, before any connection, unless --insecure says so.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../cli/transport.js';
import { type FakeApi, startFakeApi } from './fake-api.js';
import { herald } from './harness.js';

/** A non-loopback IPv4 address of this machine, if it has one (containers usually do). */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

describe('herald CLI transport', () => {
  let loopbackApi: FakeApi;
  let wideServer: Server;
  let wideAuth: Array<string | undefined>;
  let widePort = 0;

  beforeAll(async () => {
    loopbackApi = await startFakeApi();
    loopbackApi.on('GET', '/v1/keys', { status: 200, body: { items: [] } });
    wideAuth = [];
    wideServer = createServer((req, res) => {
      wideAuth.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
    });
    await new Promise<void>((resolve) => wideServer.listen(0, '0.0.0.0', resolve));
    widePort = (wideServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await loopbackApi.close();
    await new Promise<void>((resolve) => wideServer.close(() => resolve()));
  });

  it.each([
    'http://api.example.com',
    'http://10.0.0.5:8080',
    'http://192.168.1.10',
    'http://[2001:db8::1]:3000',
    'http://127.0.0.1.example.com',
    'http://localhost.example.com',
  ])('refuses %s with the key, before connecting (exit 2)', async (url) => {
    const result = await herald(['keys', 'list', '--url', url, '--key', 'secret-key']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: insecure_url');
    expect(result.stderr).toContain('plain http://');
    expect(result.stderr).toContain('--insecure');
    expect(result.stderr).not.toContain('secret-key');
  });

  it('refuses a URL from HERALD_URL just the same', async () => {
    const result = await herald(['keys', 'list'], {
      env: { HERALD_URL: 'http://herald.internal:4000', HERALD_API_KEY: 'k' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: insecure_url');
  });

  it('allows plain http:// to loopback (the local runtime)', async () => {
    const result = await herald(['keys', 'list', '--url', loopbackApi.url, '--key', 'k']);
    expect(result.code).toBe(0);
    expect(loopbackApi.requests.at(-1)?.headers.authorization).toBe('Bearer k');
  });

  const external = externalAddress();
  it.skipIf(external === undefined)('--insecure sends over http:// to a non-loopback host', async () => {
    const url = `http://${external}:${widePort}`;
    const refused = await herald(['keys', 'list', '--url', url, '--key', 'k']);
    expect(refused.code).toBe(2);
    expect(wideAuth).toEqual([]);
    const allowed = await herald(['keys', 'list', '--url', url, '--key', 'k', '--insecure']);
    expect(allowed.code).toBe(0);
    expect(wideAuth).toEqual(['Bearer k']);
  });

  describe('isLoopbackHost', () => {
    it.each([
      ['localhost', true],
      ['LOCALHOST', true],
      ['api.localhost', true],
      ['127.0.0.1', true],
      ['127.1.2.3', true],
      ['[::1]', true],
      ['example.com', false],
      ['127.0.0.1.nip.io', false],
      ['localhost.example.com', false],
      ['0.0.0.0', false],
      ['[::ffff:10.0.0.1]', false],
      ['10.0.0.1', false],
    ])('%s → %s', (host, expected) => {
      expect(isLoopbackHost(host)).toBe(expected);
    });
  });
});
