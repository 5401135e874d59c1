/**
 * v1a key pairs through the management API and the key set handler (issue 23), against dynalite and
 * the local key service: secret keys only sealed at rest and bound to their endpoint and kid, never
 * answered; the scheme chosen on create and PATCH; rotation with the secret; the key set lists exactly
 * the keys in use.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { SecretBoxError } from '../../../lambdas/secrets/secret-box.js';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { activeSigningKeys, getEndpoint } from '../../../lambdas/shared/store/endpoints.js';
import { handler as jwks } from '../../../lambdas/signing-keys/jwks.handler.js';
import { kidOf } from '../../../lambdas/webhooks/signing-v1a.js';
import {
  apiEvent,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  startHarness,
} from '../../support/harness.js';

let h: Harness;
let admin: string;

interface EndpointBody {
  id: string;
  secret?: string;
  signatureScheme: string;
  publicKey?: string;
  publicKeys?: { kid: string; publicKey: string; expiresAt?: string }[];
}

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, { key: admin, ...options }));
}

async function create(tenantId: string, signatureScheme?: string): Promise<EndpointBody> {
  const response = await call('POST', '/v1/endpoints', {
    body: {
      tenantId,
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['*'],
      ...(signatureScheme !== undefined ? { signatureScheme } : {}),
    },
  });
  expect(response.statusCode).toBe(201);
  return json(response) as unknown as EndpointBody;
}

async function keySet(tenantId: string): Promise<{ status: number; kids: string[]; type?: string }> {
  const event = {
    version: '2.0',
    routeKey: 'GET /v1/tenants/{tenantId}/jwks.json',
    rawPath: `/v1/tenants/${tenantId}/jwks.json`,
    rawQueryString: '',
    headers: {},
    pathParameters: { tenantId },
    requestContext: { http: { method: 'GET', path: `/v1/tenants/${tenantId}/jwks.json` } },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const response = (await jwks(event)) as APIGatewayProxyStructuredResultV2;
  const body = JSON.parse(String(response.body)) as { keys?: { kid: string }[] };
  return {
    status: response.statusCode ?? 0,
    kids: (body.keys ?? []).map((k) => k.kid),
    type: String(response.headers?.['content-type']),
  };
}

async function rawItem(id: string): Promise<Record<string, unknown>> {
  const result = await documentClient().send(
    new GetCommand({ TableName: MAIN_TABLE, Key: { pk: `EP#${id}`, sk: 'EP' } }),
  );
  return result.Item ?? {};
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});

afterAll(async () => {
  await h?.stop();
});

describe('v1a keys', () => {
  it('create with v1a: the endpoint shows its public key; the table holds it and a sealed secret key only', async () => {
    const ep = await create('t_keys', 'v1a');
    expect(ep.signatureScheme).toBe('v1a');
    expect(ep.publicKey).toMatch(/^whpk_/);
    expect(JSON.stringify(ep)).not.toContain('whsk_');
    const item = await rawItem(ep.id);
    expect(JSON.stringify(item)).not.toContain('whsk_');
    const [sealed] = item.signingKeys as Record<string, unknown>[];
    const [published] = item.publicKeys as Record<string, unknown>[];
    expect(Object.keys(sealed ?? {}).sort()).toEqual(['dataKey', 'kid', 'sealed']);
    expect(published).toMatchObject({ kid: kidOf(ep.publicKey!), publicKey: ep.publicKey });
    // opened on read, for signing only
    const [secretKey] = activeSigningKeys((await getEndpoint(ep.id))!);
    expect(secretKey).toMatch(/^whsk_/);
    const read = await call('GET', `/v1/endpoints/${ep.id}`);
    expect(read.body).not.toContain('whsk_');
    expect(json(read)).toMatchObject({ signatureScheme: 'v1a', publicKey: ep.publicKey });
  });

  it('a sealed secret key copied onto another endpoint does not open', async () => {
    const a = await create('t_copy', 'v1a');
    const b = await create('t_copy', 'v1a');
    const itemA = await rawItem(a.id);
    const itemB = await rawItem(b.id);
    await documentClient().send(
      new PutCommand({
        TableName: MAIN_TABLE,
        Item: { ...itemB, signingKeys: itemA.signingKeys, publicKeys: itemA.publicKeys },
      }),
    );
    await expect(getEndpoint(b.id)).rejects.toBeInstanceOf(SecretBoxError);
  });

  it('the key set lists the keys in use: rotation adds one, expireCurrentNow leaves the newest, v1 none', async () => {
    const tenant = 't_set';
    expect(await keySet(tenant)).toEqual({ status: 200, kids: [], type: 'application/jwk-set+json' });
    const ep = await create(tenant, 'v1,v1a');
    const first = kidOf(ep.publicKey!);
    expect((await keySet(tenant)).kids).toEqual([first]);

    const rotated = json(await call('POST', `/v1/endpoints/${ep.id}/rotate-secret`)) as Record<
      string,
      string
    >;
    expect(rotated).toMatchObject({
      secret: expect.stringMatching(/^whsec_/),
      kid: kidOf(rotated.publicKey!),
    });
    expect(rotated.previousKeyExpiresAt).toBeDefined();
    expect(JSON.stringify(rotated)).not.toContain('whsk_');
    expect((await keySet(tenant)).kids.sort()).toEqual([first, rotated.kid].sort());
    const during = json(await call('GET', `/v1/endpoints/${ep.id}`)) as unknown as EndpointBody;
    expect(during.publicKey).toBe(rotated.publicKey);
    expect(during.publicKeys?.map((k) => k.kid)).toEqual([rotated.kid, first]);

    const third = await call('POST', `/v1/endpoints/${ep.id}/rotate-secret`);
    expect(third.statusCode).toBe(403);
    expect(json(third)).toMatchObject({ code: 'limit_exceeded', limit: 2 });

    const leaked = json(
      await call('POST', `/v1/endpoints/${ep.id}/rotate-secret`, { body: { expireCurrentNow: true } }),
    ) as unknown as Record<string, string>;
    expect((await keySet(tenant)).kids).toEqual([leaked.kid]);
    expect(activeSigningKeys((await getEndpoint(ep.id))!)).toHaveLength(1);

    const back = json(
      await call('PATCH', `/v1/endpoints/${ep.id}`, { body: { signatureScheme: 'v1' } }),
    ) as unknown as EndpointBody;
    expect(back.signatureScheme).toBe('v1');
    expect(back.publicKey).toBeUndefined();
    expect((await keySet(tenant)).kids).toEqual([]);
    expect(activeSigningKeys((await getEndpoint(ep.id))!)).toEqual([]);
    // switching to v1a again signs with the key it kept
    const again = json(
      await call('PATCH', `/v1/endpoints/${ep.id}`, { body: { signatureScheme: 'v1a' } }),
    ) as unknown as EndpointBody;
    expect(again.publicKey).toBe(leaked.publicKey);
    expect((await keySet(tenant)).kids).toEqual([leaked.kid]);
  });

  it('PATCH to v1a generates a key pair for an endpoint that had none', async () => {
    const ep = await create('t_patch');
    expect(ep.signatureScheme).toBe('v1');
    expect(ep.publicKey).toBeUndefined();
    const patched = json(
      await call('PATCH', `/v1/endpoints/${ep.id}`, { body: { signatureScheme: 'v1,v1a' } }),
    ) as unknown as EndpointBody;
    expect(patched.publicKey).toMatch(/^whpk_/);
    expect((await keySet('t_patch')).kids).toEqual([kidOf(patched.publicKey!)]);
  });

  it.each([
    ['POST', 'v2'],
    ['POST', 'V1A'],
    ['PATCH', 'v1a,v1'],
    ['PATCH', null],
  ])('%s with signatureScheme %j answers 400 naming the field', async (method, scheme) => {
    const target = method === 'POST' ? undefined : await create('t_bad');
    const response =
      target === undefined
        ? await call('POST', '/v1/endpoints', {
            body: {
              tenantId: 't_bad',
              url: 'http://127.0.0.1:9/h',
              eventTypes: ['*'],
              signatureScheme: scheme,
            },
          })
        : await call('PATCH', `/v1/endpoints/${target.id}`, { body: { signatureScheme: scheme } });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'invalid_request', field: 'signatureScheme' });
  });

  it('the key set refuses a tenant id outside the pattern with a problem document', async () => {
    const bad = await keySet('-bad');
    expect(bad.status).toBe(400);
    expect(bad.type).toBe('application/problem+json');
  });
});
