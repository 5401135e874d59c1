/**
 * Endpoint signing secrets at rest (issue 10 item 7) and the active-secrets limit (issue 9 item 5),
 * against dynalite and the local key service (local/kms.ts): the table holds only sealed secrets, the
 * data key is cached per container, rotation keeps the grace period, and dispatch still signs with
 * every active secret.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { memoryDataKeyStore } from '../../../lambdas/secrets/data-key-store.js';
import { DATA_KEY_MAX_AGE_MS, resetDataKeyCache, sealingKey } from '../../../lambdas/secrets/data-keys.js';
import { SecretBoxError } from '../../../lambdas/secrets/secret-box.js';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { activeSecrets, getEndpoint, listEndpoints } from '../../../lambdas/shared/store/endpoints.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
import { handler as dispatch } from '../../../lambdas/webhooks/dispatch.handler.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import {
  apiEvent,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  startHarness,
} from '../../support/harness.js';
import { type Receiver, startReceiver } from '../webhooks/support.js';

let h: Harness;
let admin: string;
let receiver: Receiver;

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, { key: admin, ...options }));
}

async function createEndpoint(tenantId: string, path = '/hook'): Promise<{ id: string; secret: string }> {
  const response = await call('POST', '/v1/endpoints', {
    body: { tenantId, url: `${receiver.base}${path}`, eventTypes: ['*'] },
  });
  expect(response.statusCode).toBe(201);
  return json(response) as { id: string; secret: string };
}

async function rawItem(id: string): Promise<Record<string, unknown>> {
  const result = await documentClient().send(
    new GetCommand({ TableName: MAIN_TABLE, Key: { pk: `EP#${id}`, sk: 'EP' } }),
  );
  return result.Item ?? {};
}

const rotate = (id: string, body?: unknown) =>
  call('POST', `/v1/endpoints/${id}/rotate-secret`, body === undefined ? {} : { body });

beforeAll(async () => {
  h = await startHarness();
  receiver = await startReceiver();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});

afterAll(async () => {
  await receiver?.close();
  await h?.stop();
});

describe('secrets at rest', () => {
  it('the raw table item holds no whsec_ after create and after rotation, only sealed secrets with their wrapped data key', async () => {
    const ep = await createEndpoint('t_rest');
    let item = await rawItem(ep.id);
    expect(JSON.stringify(item)).not.toContain('whsec_');
    expect(JSON.stringify(item)).not.toContain(ep.secret.slice('whsec_'.length));
    const [stored] = item.secrets as Record<string, unknown>[];
    expect(Object.keys(stored ?? {}).sort()).toEqual(['createdAt', 'dataKey', 'sealed']);
    expect(stored?.sealed).toMatch(/^v1\./);

    const rotated = json(await rotate(ep.id));
    item = await rawItem(ep.id);
    expect(JSON.stringify(item)).not.toContain('whsec_');
    // Opened by the store, the record is as before: the new secret first, the old one in its grace period.
    const record = await getEndpoint(ep.id);
    expect(record?.secrets.map((s) => s.secret)).toEqual([rotated.secret, ep.secret]);
    expect(record?.secrets[1]?.expiresAt).toBe(
      Math.floor(Date.parse(String(rotated.previousSecretExpiresAt)) / 1000),
    );
  });

  it('a sealed secret copied onto another endpoint does not open there (bound to its endpoint id)', async () => {
    const a = await createEndpoint('t_bind');
    const b = await createEndpoint('t_bind');
    const itemB = await rawItem(b.id);
    await documentClient().send(
      new PutCommand({ TableName: MAIN_TABLE, Item: { ...itemB, secrets: (await rawItem(a.id)).secrets } }),
    );
    await expect(getEndpoint(b.id)).rejects.toBeInstanceOf(SecretBoxError);
    await documentClient().send(new PutCommand({ TableName: MAIN_TABLE, Item: itemB }));
  });

  it('one current data key for the table: generated once, each container opens it once, a cold dispatcher opens every secret with one Decrypt', async () => {
    await documentClient().send(
      new DeleteCommand({ TableName: MAIN_TABLE, Key: { pk: 'SECRETSKEY', sk: 'CURRENT' } }),
    );
    resetDataKeyCache();
    const before = { ...h.kms.counts };
    const created = [];
    for (let i = 0; i < 2; i++) created.push(await createEndpoint('t_cache'));
    expect(h.kms.counts.GenerateDataKey - before.GenerateDataKey).toBe(1);
    expect(h.kms.counts.Decrypt - before.Decrypt).toBe(0); // its own data key is already open

    resetDataKeyCache(); // another management container
    for (let i = 0; i < 2; i++) created.push(await createEndpoint('t_cache'));
    expect(h.kms.counts.GenerateDataKey - before.GenerateDataKey).toBe(1);
    expect(h.kms.counts.Decrypt - before.Decrypt).toBe(1);
    const wrapped = new Set(
      await Promise.all(
        created.map(async (c) => ((await rawItem(c.id)).secrets as { dataKey: string }[])[0]?.dataKey),
      ),
    );
    expect(wrapped.size).toBe(1);

    resetDataKeyCache(); // a dispatcher container starting cold
    const page = await listEndpoints('t_cache', { limit: 100 });
    expect(page.items.map((e) => activeSecrets(e)[0]).sort()).toEqual(created.map((c) => c.secret).sort());
    for (const c of created) await getEndpoint(c.id);
    expect(h.kms.counts.Decrypt - before.Decrypt).toBe(2);
  });

  it('a current data key 30 days old is replaced; secrets sealed under the old one still open', async () => {
    resetDataKeyCache();
    const old = await createEndpoint('t_age');
    const current = await documentClient().send(
      new GetCommand({ TableName: MAIN_TABLE, Key: { pk: 'SECRETSKEY', sk: 'CURRENT' } }),
    );
    const aged = new Date(Date.now() - DATA_KEY_MAX_AGE_MS - 1000).toISOString();
    await documentClient().send(
      new PutCommand({ TableName: MAIN_TABLE, Item: { ...current.Item, createdAt: aged } }),
    );
    resetDataKeyCache();
    const before = h.kms.counts.GenerateDataKey;
    const fresh = await createEndpoint('t_age');
    expect(h.kms.counts.GenerateDataKey - before).toBe(1);
    const keyOf = async (id: string) => ((await rawItem(id)).secrets as { dataKey: string }[])[0]?.dataKey;
    expect(await keyOf(fresh.id)).not.toBe(await keyOf(old.id));
    resetDataKeyCache();
    expect(activeSecrets((await getEndpoint(old.id))!)).toEqual([old.secret]);
    expect(activeSecrets((await getEndpoint(fresh.id))!)).toEqual([fresh.secret]);
  });

  it('when another container publishes the current key first, this one seals with the winner', async () => {
    resetDataKeyCache();
    const shared = memoryDataKeyStore();
    const winner = await sealingKey(shared); // container A
    resetDataKeyCache();
    let reads = 0;
    const racing = {
      read: async () => (reads++ === 0 ? undefined : shared.read()), // B read before A published
      replace: shared.replace,
    };
    const b = await sealingKey(racing);
    expect(b.encrypted).toBe(winner.encrypted);
    expect(b.plaintext.equals(winner.plaintext)).toBe(true);
    resetDataKeyCache();
  });

  it('an endpoint written before sealing (plaintext) still signs, and its next rotation stores it sealed', async () => {
    const id = newId('ep');
    const now = new Date().toISOString();
    const legacy = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    await documentClient().send(
      new PutCommand({
        TableName: MAIN_TABLE,
        Item: {
          pk: `EP#${id}`,
          sk: 'EP',
          gsi1pk: 'TENANT#t_legacy#EP',
          gsi1sk: `${now}#${id}`,
          id,
          tenantId: 't_legacy',
          url: `${receiver.base}/legacy`,
          eventTypes: ['*'],
          enabled: true,
          secrets: [{ secret: legacy, createdAt: now }],
          createdAt: now,
          updatedAt: now,
        },
      }),
    );
    expect(activeSecrets((await getEndpoint(id))!)).toEqual([legacy]);
    const rotated = json(await rotate(id));
    expect(JSON.stringify(await rawItem(id))).not.toContain('whsec_');
    expect(activeSecrets((await getEndpoint(id))!)).toEqual([rotated.secret, legacy]);
  });
});

describe('rotation and the active-secrets limit', () => {
  it('a third active secret answers 403 limit_exceeded with the limit, and changes nothing', async () => {
    const ep = await createEndpoint('t_limit');
    expect((await rotate(ep.id)).statusCode).toBe(200);
    const itemBefore = await rawItem(ep.id);
    const refused = await rotate(ep.id);
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ code: 'limit_exceeded', limit: 2, active: 2 });
    expect(String(json(refused).detail ?? json(refused).title ?? '')).not.toContain('whsec_');
    expect(refused.body).not.toContain('whsec_');
    expect(await rawItem(ep.id)).toEqual(itemBefore);
  });

  it('expireCurrentNow drops the old secrets at once (a leaked secret) and the new one signs alone', async () => {
    const ep = await createEndpoint('t_leak');
    const second = json(await rotate(ep.id));
    const response = await rotate(ep.id, { expireCurrentNow: true });
    expect(response.statusCode).toBe(200);
    const body = json(response);
    expect(Date.parse(String(body.previousSecretExpiresAt))).toBeLessThanOrEqual(Date.now());
    const record = (await getEndpoint(ep.id))!;
    expect(activeSecrets(record)).toEqual([body.secret]);
    expect(activeSecrets(record)).not.toContain(second.secret);
    // With one active secret again, an ordinary rotation is allowed.
    expect((await rotate(ep.id)).statusCode).toBe(200);
  });

  it.each([
    [{ expireCurrentNow: 'yes' }, 'expireCurrentNow'],
    [{ expireNow: true }, 'expireNow'],
  ])('rejects %j with 400 invalid_request naming the field', async (body, field) => {
    const ep = await createEndpoint('t_bad');
    const response = await rotate(ep.id, body);
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'invalid_request', field });
  });
});

describe('signing from sealed secrets', () => {
  it('dispatch, in a cold container, signs with the new and the rotated-out secret during the grace period', async () => {
    const ep = await createEndpoint('t_sign', '/signed');
    const rotated = json(await rotate(ep.id));
    const event: HeraldEvent = {
      id: newId('evt'),
      type: 'order.placed',
      tenantId: 't_sign',
      createdAt: new Date().toISOString(),
      data: { n: 1 },
    };
    await putEvent(event, 'api');
    resetDataKeyCache();
    Object.assign(process.env, {
      HERALD_WEBHOOK_TIMEOUT_MS: '2000',
      HERALD_RETRY_STATE_MACHINE_ARN: 'arn:unused',
    });
    expect(await dispatch(sqsEvent([{ body: event }]), lambdaContext())).toEqual({ batchItemFailures: [] });
    const [request] = receiver.on('/signed');
    const headers = request?.headers as Record<string, string>;
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [String(rotated.secret), ep.secret]) {
      expect(new Webhook(secret).verify(request?.body ?? '', headers)).toEqual(event);
    }
  });
});
