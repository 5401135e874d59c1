import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from './fake-api.js';
import { herald } from './harness.js';

describe('herald endpoints, v1a', () => {
  let api: FakeApi;
  const cli = (...argv: string[]) => herald([...argv, '--url', api.url, '--key', 'test-key']);

  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(async () => {
    await api.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('create --scheme sends signatureScheme and prints the public key', async () => {
    api.on('POST', '/v1/endpoints', (r) => ({
      status: 201,
      body: { id: 'ep_1', enabled: true, secret: 'whsec_abc', publicKey: 'whpk_xyz=', ...(r.body as object) },
    }));
    const result = await cli(
      'endpoints',
      'create',
      'https://hooks.example.com/h',
      '--tenant',
      't_1',
      '--types',
      'order.*',
      '--scheme',
      'v1,v1a',
    );
    expect(result.code).toBe(0);
    expect(api.requests[0]?.body).toMatchObject({ signatureScheme: 'v1,v1a' });
    expect(result.stdout).toMatch(/^signature scheme\s+v1,v1a$/m);
    expect(result.stdout).toMatch(/^public key\s+whpk_xyz=$/m);
  });

  it('refuses an unknown scheme before calling the API', async () => {
    const result = await cli('endpoints', 'set-scheme', 'ep_1', 'ed25519');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('v1, v1a, v1,v1a');
    expect(api.requests).toHaveLength(0);
  });

  it('set-scheme PATCHes signatureScheme', async () => {
    api.on('PATCH', '/v1/endpoints/ep_1', (r) => ({
      status: 200,
      body: {
        id: 'ep_1',
        tenantId: 't_1',
        url: 'https://x.example',
        eventTypes: ['*'],
        enabled: true,
        ...(r.body as object),
      },
    }));
    const result = await cli('endpoints', 'set-scheme', 'ep_1', 'v1a');
    expect(api.requests[0]?.body).toEqual({ signatureScheme: 'v1a' });
    expect(result.stdout).toMatch(/^signature scheme\s+v1a$/m);
  });

  it('rotate-secret --expire-current-now sends it and prints the new key', async () => {
    api.on('POST', '/v1/endpoints/ep_1/rotate-secret', (r) => ({
      status: 200,
      body: {
        id: 'ep_1',
        secret: 'whsec_new',
        publicKey: 'whpk_new=',
        kid: 'kid_new',
        previousKeyExpiresAt: '2026-12-07T10:00:00.000Z',
        echo: r.body,
      },
    }));
    const result = await cli('endpoints', 'rotate-secret', 'ep_1', '--expire-current-now');
    expect(api.requests[0]?.body).toEqual({ expireCurrentNow: true });
    expect(result.stdout).toMatch(/^public key\s+whpk_new=$/m);
    expect(result.stdout).toMatch(/^kid\s+kid_new$/m);
    expect(result.stdout).toMatch(/^old key valid until\s+2026-12-07T10:00:00.000Z$/m);
  });

  it('keys lists the tenant key set as kid and whpk_', async () => {
    api.on('GET', '/v1/tenants/t_1/jwks.json', {
      status: 200,
      body: {
        keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' }],
      },
    });
    const result = await cli('endpoints', 'keys', '--tenant', 't_1');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/k1\s+whpk_11qYAYKxCrfVS\/7TyWQHOg7hcvPapiMlrwIaaPcHURo=/);
  });
});
