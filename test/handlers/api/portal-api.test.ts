/** The API additions the portal uses: a test event per endpoint, events listed by type and newest first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { newId } from '../../../lambdas/shared/ids.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
import {
  apiEvent,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  receiveAll,
  startHarness,
} from '../../support/harness.js';

let h: Harness;
let admin: string;
let tenant1: string;
let tenant2: string;

const call = async (method: string, path: string, options: RequestOptions = {}) =>
  management(await apiEvent(method, path, options));

async function mintTenant(tenantId: string): Promise<string> {
  const response = await call('POST', '/v1/keys', { key: admin, body: { role: 'tenant', tenantId } });
  return json(response).key as string;
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
  tenant1 = await mintTenant('t_1');
  tenant2 = await mintTenant('t_2');
});

afterAll(async () => {
  await h?.stop();
});

describe('POST /v1/endpoints/{id}/test', () => {
  it('stores a herald.endpoint.test event and queues its delivery to that endpoint only', async () => {
    const created = await call('POST', '/v1/endpoints', {
      key: tenant1,
      body: { url: 'http://127.0.0.1:4000/hook', eventTypes: ['order.*'] },
    });
    const endpointId = json(created).id as string;
    const response = await call('POST', `/v1/endpoints/${endpointId}/test`, { key: tenant1 });
    expect(response.statusCode).toBe(202);
    const body = json(response) as { id: string; type: string; tenantId: string; endpointId: string };
    expect(body).toMatchObject({ type: 'herald.endpoint.test', tenantId: 't_1', endpointId });

    const queued = (await receiveAll(h.sqs, h.queues.dispatch)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(queued).toContainEqual({
      kind: 'herald.redeliver',
      eventId: body.id,
      endpointId,
      reason: 'replay',
    });
    const subscriber = (await receiveAll(h.sqs, h.queues.subscriber)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(subscriber.find((e) => e.id === body.id)).toBeUndefined(); // never published to SNS

    const stored = await call('GET', `/v1/events/${body.id}`, { key: tenant1 });
    expect(json(stored)).toMatchObject({ id: body.id, type: 'herald.endpoint.test', source: 'test' });
    // Not data.endpointId: dispatch never delivers an operational event to the endpoint that names.
    expect(json(stored).data).toEqual({ target: endpointId, message: 'A test event sent from Herald' });
  });

  it("answers 404 for another tenant's endpoint and 403 to a publisher", async () => {
    const created = await call('POST', '/v1/endpoints', {
      key: tenant1,
      body: { url: 'http://127.0.0.1:4000/mine', eventTypes: ['*'] },
    });
    const endpointId = json(created).id as string;
    expect((await call('POST', `/v1/endpoints/${endpointId}/test`, { key: tenant2 })).statusCode).toBe(404);
    const publisher = json(await call('POST', '/v1/keys', { key: admin, body: { role: 'publisher' } }))
      .key as string;
    expect((await call('POST', `/v1/endpoints/${endpointId}/test`, { key: publisher })).statusCode).toBe(403);
    expect((await call('POST', '/v1/endpoints/ep_missing/test', { key: tenant1 })).statusCode).toBe(404);
  });
});

describe('GET /v1/events type and order', () => {
  it('filters by exact type and lists newest first with order=desc', async () => {
    // Stored as dispatch stores a published event (ingest only publishes to SNS).
    const accepted: { id: string; type: string; createdAt: string }[] = [];
    for (const [i, type] of ['shop.a', 'shop.b', 'shop.a'].entries()) {
      const event = {
        id: newId('evt'),
        type,
        tenantId: 't_order',
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        data: {},
      };
      expect(await putEvent(event, 'api')).toBe(true);
      accepted.push(event);
    }
    // The store's order: `<createdAt>#<id>` (two events in one millisecond sort by id).
    const sortKey = (e: { id: string; createdAt: string }) => `${e.createdAt}#${e.id}`;
    accepted.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    const ids = accepted.map((e) => e.id);
    const idsOfA = accepted.filter((e) => e.type === 'shop.a').map((e) => e.id);
    const key = await mintTenant('t_order');
    const asc = json(await call('GET', '/v1/events', { key })).items as { id: string }[];
    expect(asc.map((e) => e.id)).toEqual(ids);
    const desc = json(await call('GET', '/v1/events', { key, query: { order: 'desc' } })).items as {
      id: string;
    }[];
    expect(desc.map((e) => e.id)).toEqual([...ids].reverse());
    const onlyA = json(await call('GET', '/v1/events', { key, query: { type: 'shop.a', order: 'desc' } }))
      .items as { id: string; type: string }[];
    expect(onlyA.map((e) => e.id)).toEqual([...idsOfA].reverse());
    const bad = await call('GET', '/v1/events', { key, query: { order: 'sideways' } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad)).toMatchObject({ code: 'invalid_request', field: 'order' });
  });
});
