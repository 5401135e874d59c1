/**
 * rotate-secret with expireCurrentNow (the leaked-secret case; issue 20, finding 5): from the answer of
 * that call on, no delivery is signed by the expired secret — even from a dispatcher whose endpoint
 * cache still holds the record from before the rotation. And its 403 limit_exceeded names the limit.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
import { handler as dispatch } from '../../../lambdas/webhooks/dispatch.handler.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import { apiEvent, json, MAIN_TABLE, type RequestOptions } from '../../support/harness.js';
import { createEndpoint, type DeliveryHarness, type Receiver, startDeliveryHarness } from './support.js';

let world: DeliveryHarness | undefined;
let receiver: Receiver;
let admin: string;

beforeAll(async () => {
  // A long endpoint cache: the record from before the rotation stays in it for the whole test.
  world = await startDeliveryHarness({
    HERALD_ENDPOINT_CACHE_SECONDS: '60',
    HERALD_WEBHOOK_TIMEOUT_MS: '1000',
  });
  receiver = world.receiver;
  admin = (await createAdminKey(MAIN_TABLE)).key;
});
afterAll(async () => {
  await world?.stop();
});

const call = async (method: string, path: string, options: RequestOptions = {}) =>
  management(await apiEvent(method, path, { key: admin, ...options }));

async function publishedEvent(tenantId: string): Promise<HeraldEvent> {
  const event: HeraldEvent = {
    id: newId('evt'),
    type: 'order.placed',
    tenantId,
    createdAt: new Date().toISOString(),
    data: { orderId: 'o-1' },
  };
  await putEvent(event, 'api');
  return event;
}

const verifies = (secret: string, request: { body: string; headers: unknown }): boolean => {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

describe('rotate-secret with expireCurrentNow', () => {
  it('the very next delivery is signed by the new secret only, though the dispatcher cached the old record', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_leak', url: `${receiver.base}/leak` });
    // Primes this container's endpoint cache with the record that holds the old secret.
    await dispatch(sqsEvent([{ body: await publishedEvent('t_leak') }]), lambdaContext());
    const [before] = receiver.on('/leak');
    expect(verifies(endpoint.secret, before!)).toBe(true);

    const rotated = await call('POST', `/v1/endpoints/${endpoint.id}/rotate-secret`, {
      body: { expireCurrentNow: true },
    });
    expect(rotated.statusCode).toBe(200);
    const newSecret = String(json(rotated).secret);

    await dispatch(sqsEvent([{ body: await publishedEvent('t_leak') }]), lambdaContext());
    const after = receiver.on('/leak')[1]!;
    expect(after).toBeDefined();
    expect(verifies(newSecret, after)).toBe(true);
    expect(verifies(endpoint.secret, after)).toBe(false);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it('a rotation past the active-secret limit answers 403 limit_exceeded with limitName, limit, current', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_rot', url: `${receiver.base}/rot` });
    expect((await call('POST', `/v1/endpoints/${endpoint.id}/rotate-secret`)).statusCode).toBe(200);
    const refused = await call('POST', `/v1/endpoints/${endpoint.id}/rotate-secret`);
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({
      code: 'limit_exceeded',
      limitName: 'activeSecretsPerEndpoint',
      limit: 2,
      current: 2,
    });
  });
});
