/**
 * v1a (ed25519) signatures as a receiver lives them (issue 23): a receiver that knows only the public
 * keys of the tenant's key set (GET /v1/tenants/{tenantId}/jwks.json, fetched without an API key)
 * verifies 100 deliveries with the documented snippet (docs/receivers/verify-v1a.ts, node:crypto), then
 * every delivery across a rotation (two v1a signatures) and after `expireCurrentNow` (only the new key,
 * at once); every v1a signature's key is in the key set; no private key leaves the API. With
 * `v1,v1a`, `svix` and `standardwebhooks` still verify the v1 signature beside the v1a one.
 */
import { createPublicKey, type KeyObject, randomBytes, verify } from 'node:crypto';
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { verifyV1a } from '../../docs/receivers/verify-v1a.js';
import { createEndpoint, publishOk, uniqueTenant, verifyWithLibrary } from './support/fixtures.js';
import type { ReceivedWebhook } from './support/receiver.js';
import { useHerald } from './support/suite.js';
import { receiverUnreachable, requireLocal, skipReason } from './support/target.js';
import { waitUntil } from './support/wait.js';

const ctx = useHerald();

interface Jwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly kid: string;
}
interface EndpointBody {
  readonly id: string;
  readonly secret: string;
  readonly signatureScheme: string;
  readonly publicKey?: string;
  readonly publicKeys?: { kid: string; publicKey: string; expiresAt?: string }[];
}
interface Rotated {
  readonly secret: string;
  readonly publicKey?: string;
  readonly kid?: string;
  readonly previousKeyExpiresAt?: string;
}

/** The key set as any receiver fetches it: a plain GET with no credentials. */
async function keySet(tenantId: string): Promise<{ keys: Jwk[]; contentType: string | null }> {
  const response = await fetch(`${ctx.api.baseUrl}/v1/tenants/${encodeURIComponent(tenantId)}/jwks.json`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { keys: Jwk[] };
  return { keys: body.keys, contentType: response.headers.get('content-type') };
}

function keyObjects(keys: readonly Jwk[]): KeyObject[] {
  return keys.map((k) => createPublicKey({ key: { kty: k.kty, crv: k.crv, x: k.x }, format: 'jwk' }));
}

function headersOf(w: ReceivedWebhook): Record<string, string | undefined> {
  return {
    'webhook-id': w.headers['webhook-id'],
    'webhook-timestamp': w.headers['webhook-timestamp'],
    'webhook-signature': w.headers['webhook-signature'],
  };
}

function verifies(keys: readonly KeyObject[], w: ReceivedWebhook): boolean {
  try {
    verifyV1a(keys, headersOf(w), w.body);
    return true;
  } catch {
    return false;
  }
}

/** The v1a entries of a delivery and which of `keys` (by kid) made each: one kid per entry or undefined. */
function signersOf(w: ReceivedWebhook, keys: readonly Jwk[]): (string | undefined)[] {
  const content = Buffer.from(`${w.headers['webhook-id']}.${w.headers['webhook-timestamp']}.${w.body}`);
  return (w.headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((e) => e.startsWith('v1a,'))
    .map((entry) => {
      const signature = Buffer.from(entry.slice(4), 'base64');
      return keys.find((k) => verify(null, content, keyObjects([k])[0]!, signature))?.kid;
    });
}

async function publishMany(tenantId: string, type: string, count: number): Promise<void> {
  // Ten at a time: the order of deliveries does not matter here, only that each verifies.
  for (let start = 0; start < count; start += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, count - start) }, (_, i) =>
        publishOk(ctx.api, {
          type,
          tenantId,
          data: { n: start + i, big: 9007199254740991, text: 'Grüße 🦊' },
        }),
      ),
    );
  }
}

async function arrived(name: string, count: number, what: string): Promise<ReceivedWebhook[]> {
  return waitUntil(
    () => ctx.receiver.accepted(name),
    (r) => r.length >= count,
    { timeoutMs: 120_000, description: what },
  );
}

describe.skipIf(receiverUnreachable('v1a'))('v1a signatures', () => {
  it('a receiver with only the key set verifies 100 deliveries, a rotation and expireCurrentNow', async () => {
    const tenantId = uniqueTenant('v1a');
    const before = await keySet(tenantId);
    expect(before.keys).toEqual([]);

    const created = await ctx.api.post<EndpointBody>('/v1/endpoints', {
      tenantId,
      url: ctx.receiver.url('v1a'),
      eventTypes: ['*'],
      signatureScheme: 'v1a',
    });
    expect(created.status).toBe(201);
    expect(created.body.signatureScheme).toBe('v1a');
    expect(created.body.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(created.text).not.toContain('whsk_');
    const read = await ctx.api.get<EndpointBody>(`/v1/endpoints/${created.body.id}`);
    expect(read.body.publicKey).toBe(created.body.publicKey);
    expect(read.text).not.toContain('whsk_');

    const first = await keySet(tenantId);
    expect(first.contentType).toContain('application/jwk-set+json');
    expect(first.keys).toHaveLength(1);
    expect(first.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(`whpk_${Buffer.from(first.keys[0]!.x, 'base64url').toString('base64')}`).toBe(
      created.body.publicKey,
    );
    const firstKeys = keyObjects(first.keys);

    // 100 deliveries, each verified with the key set's key only
    await publishMany(tenantId, 'v1a.check', 100);
    const hundred = await arrived('v1a', 100, '100 v1a deliveries');
    expect(hundred.filter((w) => !verifies(firstKeys, w))).toEqual([]);
    expect(new Set(hundred.map((w) => w.webhookId)).size).toBe(100);
    // exactly one signature, v1a, in the spec's form; no v1 for a v1a-only endpoint
    expect(hundred.every((w) => /^v1a,[A-Za-z0-9+/]{86}==$/.test(w.headers['webhook-signature'] ?? ''))).toBe(
      true,
    );

    // rotation: the new key is published at once and signs beside the old one
    const rotated = await ctx.api.post<Rotated>(`/v1/endpoints/${created.body.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.publicKey).toMatch(/^whpk_/);
    expect(rotated.body.previousKeyExpiresAt).toBeDefined();
    expect(rotated.text).not.toContain('whsk_');
    const during = await keySet(tenantId);
    expect(during.keys.map((k) => k.kid).sort()).toEqual([first.keys[0]!.kid, rotated.body.kid].sort());
    await publishMany(tenantId, 'v1a.check', 10);
    const overlap = (await arrived('v1a', 110, 'deliveries during the rotation')).slice(100);
    for (const w of overlap) {
      // a receiver that has not fetched the key set again still verifies; one that has, too
      expect(verifies(firstKeys, w)).toBe(true);
      expect(verifies(keyObjects(during.keys), w)).toBe(true);
      expect(signersOf(w, during.keys).sort()).toEqual([first.keys[0]!.kid, rotated.body.kid].sort());
    }

    // expireCurrentNow: from this answer on, only the newest key signs and is listed
    const leaked = await ctx.api.post<Rotated>(`/v1/endpoints/${created.body.id}/rotate-secret`, {
      expireCurrentNow: true,
    });
    expect(leaked.status).toBe(200);
    expect(leaked.body.previousKeyExpiresAt).toBeDefined();
    const after = await keySet(tenantId);
    expect(after.keys.map((k) => k.kid)).toEqual([leaked.body.kid]);
    await publishMany(tenantId, 'v1a.check', 10);
    const last = (await arrived('v1a', 120, 'deliveries after expireCurrentNow')).slice(110);
    for (const w of last) {
      expect(verifies(keyObjects(after.keys), w)).toBe(true);
      expect(verifies(firstKeys, w)).toBe(false);
      expect(verifies(keyObjects(during.keys.filter((k) => k.kid !== leaked.body.kid)), w)).toBe(false);
      expect(signersOf(w, after.keys)).toEqual([leaked.body.kid]);
    }
    // every v1a signature of every delivery was made by a key the key set listed when it was sent
    const everListed = [...first.keys, ...during.keys, ...after.keys];
    const all = ctx.receiver.accepted('v1a');
    expect(all).toHaveLength(120);
    expect(all.flatMap((w) => signersOf(w, everListed)).filter((kid) => kid === undefined)).toEqual([]);
  });

  it('v1,v1a: svix and standardwebhooks verify the v1 entry, the key set the v1a one; v1 lists no key', async () => {
    const tenantId = uniqueTenant('both');
    // createEndpoint remembers the secret: the suite's receiver checks every delivery with standardwebhooks
    const endpoint = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('both'),
      eventTypes: ['*'],
    });
    const patched = await ctx.api.request<EndpointBody>('PATCH', `/v1/endpoints/${endpoint.id}`, {
      json: { signatureScheme: 'v1,v1a' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.publicKey).toMatch(/^whpk_/);
    const keys = (await keySet(tenantId)).keys;
    expect(keys).toHaveLength(1);

    await publishMany(tenantId, 'both.check', 5);
    const five = await arrived('both', 5, 'deliveries signed v1 and v1a');
    for (const w of five) {
      const entries = (w.headers['webhook-signature'] ?? '').split(' ');
      expect(entries.map((e) => e.split(',')[0])).toEqual(['v1', 'v1a']);
      expect(verifyWithLibrary(endpoint.secret, w)).toBeDefined();
      expect(() =>
        new SvixWebhook(endpoint.secret).verify(w.body, headersOf(w) as Record<string, string>),
      ).not.toThrow();
      expect(() =>
        new SvixWebhook(`whsec_${randomBytes(24).toString('base64')}`).verify(
          w.body,
          headersOf(w) as Record<string, string>,
        ),
      ).toThrow();
      expect(verifies(keyObjects(keys), w)).toBe(true);
    }

    // back to v1: the key no longer signs, so it is no longer listed
    const back = await ctx.api.request<EndpointBody>('PATCH', `/v1/endpoints/${endpoint.id}`, {
      json: { signatureScheme: 'v1' },
    });
    expect(back.status).toBe(200);
    expect(back.body.publicKey).toBeUndefined();
    expect((await keySet(tenantId)).keys).toEqual([]);
    await publishMany(tenantId, 'both.check', 1);
    const [sixth] = (await arrived('both', 6, 'a delivery after switching back to v1')).slice(5);
    expect(sixth!.headers['webhook-signature']).toMatch(/^v1,[^ ]+$/);
  });

  it('refuses an unknown scheme and a tenant id outside the pattern', async () => {
    const tenantId = uniqueTenant('bad');
    const bad = await ctx.api.post<{ code: string }>('/v1/endpoints', {
      tenantId,
      url: ctx.receiver.url('bad'),
      eventTypes: ['*'],
      signatureScheme: 'v2',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_request', field: 'signatureScheme' });
    const badTenant = await fetch(`${ctx.api.baseUrl}/v1/tenants/${encodeURIComponent('-x')}/jwks.json`);
    expect(badTenant.status).toBe(400);
    expect(badTenant.headers.get('content-type')).toContain('application/problem+json');
  });

  it.skipIf(skipReason('no plaintext v1a key in the table', 'the local runtime (raw table scan)'))(
    'the local table holds no whsk_ anywhere, only the public halves and sealed secret keys',
    async () => {
      const tenantId = uniqueTenant('v1arest');
      const created = await ctx.api.post<EndpointBody>('/v1/endpoints', {
        tenantId,
        url: ctx.receiver.url('v1arest'),
        eventTypes: ['*'],
        signatureScheme: 'v1,v1a',
      });
      expect(created.status).toBe(201);
      await ctx.api.post(`/v1/endpoints/${created.body.id}/rotate-secret`);
      const { runtime } = requireLocal(ctx.target);
      const dynamo = new DynamoDBClient({
        endpoint: runtime.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      });
      const items: unknown[] = [];
      const { TableNames = [] } = await dynamo.send(new ListTablesCommand({}));
      for (const TableName of TableNames) {
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await dynamo.send(
            new ScanCommand({ TableName, ExclusiveStartKey: ExclusiveStartKey as never }),
          );
          items.push(...(page.Items ?? []));
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey !== undefined);
      }
      dynamo.destroy();
      const dump = JSON.stringify(items);
      expect(dump).toContain(created.body.publicKey!);
      expect(dump).not.toContain('whsk_');
    },
  );
});
