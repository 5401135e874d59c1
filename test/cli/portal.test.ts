import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from './fake-api.js';
import { herald } from './harness.js';

describe('herald portal', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('asks for a link for the tenant and prints its URL', async () => {
    const url = 'http://127.0.0.1:3000/portal/#token=hpl_abc';
    api.on('POST', '/v1/portal-links', (request) => ({
      status: 201,
      body: { id: 'pl_1', tenantId: 't_1', url, expiresAt: '2026-01-01T01:00:00.000Z', echo: request.body },
    }));
    const result = await herald(['portal', '--tenant', 't_1', '--url', api.url, '--key', 'k']);
    expect(result.code).toBe(0);
    expect(api.requests.at(-1)?.body).toEqual({ tenantId: 't_1', expiresIn: 3600 });
    expect(result.stdout).toMatch(/^url\s+http:\/\/127\.0\.0\.1:3000\/portal\/#token=hpl_abc$/m);
  });

  it('passes --expires-in and rejects one out of range before calling the API', async () => {
    await herald(['portal', '--tenant', 't_1', '--expires-in', '60', '--url', api.url, '--key', 'k']);
    expect(api.requests.at(-1)?.body).toEqual({ tenantId: 't_1', expiresIn: 60 });
    const before = api.requests.length;
    const bad = await herald(['portal', '--tenant', 't_1', '--expires-in', '604801', '--url', api.url]);
    expect(bad.code).toBe(2);
    expect(api.requests.length).toBe(before);
    expect((await herald(['portal', '--url', api.url, '--key', 'k'])).code).toBe(2);
  });
});
