/**
 * What dispatch costs in DynamoDB calls, counted where dynalite receives them (local/request-counter.ts),
 * and the staleness its endpoint-list cache allows (docs/internals.md "What is cached"): dynalite +
 * fauxqs in-process, a real loopback receiver. Only Date is faked, so cache ages are exact.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { config } from '../../../lambdas/shared/config.js';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { getDelivery, recordAttempt } from '../../../lambdas/shared/store/deliveries.js';
import { getAttempts, getDeliveries, listAttempts } from '../../../lambdas/shared/store/delivery-history.js';
import { clearEndpointCache } from '../../../lambdas/shared/store/endpoint-cache.js';
import { getEndpoint, updateEndpoint } from '../../../lambdas/shared/store/endpoints.js';
import type { StoreKey } from '../../../lambdas/shared/store/table.js';
import { handler } from '../../../lambdas/webhooks/dispatch.handler.js';
import { countsSince, RequestCounter } from '../../../local/request-counter.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import { createEndpoint, type DeliveryHarness, type Receiver, startDeliveryHarness } from './support.js';

let receiver: Receiver;
let world: DeliveryHarness | undefined;
const counter = new RequestCounter();

beforeAll(async () => {
  world = await startDeliveryHarness({
    HERALD_WEBHOOK_TIMEOUT_MS: '1000',
  });
  ({ receiver } = world);
  counter.start();
});

afterAll(async () => {
  counter.stop();
  await world?.stop();
});

afterEach(() => {
  vi.useRealTimers();
  clearEndpointCache();
});

async function newEvent(tenantId: string, type = 'order.placed'): Promise<HeraldEvent> {
  const event: HeraldEvent = {
    id: newId('evt'),
    type,
    tenantId,
    createdAt: new Date().toISOString(),
    data: { n: 1 },
  };
  // Not stored: publishing is the commit point, and dispatch records the event from the message.
  return event;
}

/** Dispatches `event` and answers the DynamoDB calls it made, by operation. */
async function dispatchCounting(event: HeraldEvent): Promise<Record<string, number>> {
  const before = counter.snapshot();
  expect(await handler(sqsEvent([{ body: event }]), lambdaContext())).toEqual({ batchItemFailures: [] });
  const calls = countsSince(counter.snapshot(), before);
  return Object.fromEntries(
    Object.entries(calls)
      .filter(([op]) => op.startsWith('dynamodb:'))
      .map(([op, n]) => [op.slice('dynamodb:'.length), n]),
  );
}

describe('DynamoDB calls per dispatched event, counted at dynalite', () => {
  it('first event of a tenant: the event record with its claim, one endpoint query and its item, one health read, one update that writes the delivery with attempt 1', async () => {
    await createEndpoint({ tenantId: 't_calls1', url: `${receiver.base}/calls1` });
    const event = await newEvent('t_calls1');
    // The GetItem is the endpoint's health (adrs/0007), cached per container for HERALD_HEALTH_CACHE_MS.
    // The list index holds keys only, so the endpoint list is a Query and a GetItem per endpoint.
    // One more GetItem reads the signing secrets fresh (an expired secret signs nothing, issue 20).
    // The second UpdateItem is the container's first activity flush (lambdas/webhooks/activity/): at
    // most one a minute per container and endpoint-hour, never one per delivery (the next test).
    // No claim of its own: the event record holds it (adrs/0014).
    expect(await dispatchCounting(event)).toEqual({ Query: 1, GetItem: 3, PutItem: 1, UpdateItem: 2 });
    expect(receiver.on('/calls1')).toHaveLength(1);
  });

  it('next events of the tenant within the cache TTL: the event record with its claim, the fresh secrets, and the delivery written once with attempt 1', async () => {
    await createEndpoint({ tenantId: 't_calls2', url: `${receiver.base}/calls2` });
    await dispatchCounting(await newEvent('t_calls2'));
    const event = await newEvent('t_calls2');
    // The GetItem: the signing secrets, read fresh at signing time whatever the endpoint cache holds.
    expect(await dispatchCounting(event)).toEqual({ GetItem: 1, PutItem: 1, UpdateItem: 1 });
    expect(receiver.on('/calls2')).toHaveLength(2);
  });
});

describe('the list index (keys and type only)', () => {
  it('holds no delivery: a claim writes no index entry (nothing lists deliveries by endpoint), its event still lists it', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_index', url: `${receiver.base}/index` });
    const event = await newEvent('t_index');
    await dispatchCounting(event);
    const indexed = await documentClient().send(
      new QueryCommand({
        TableName: config.table(),
        IndexName: config.listIndex(),
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `EP#${endpoint.id}#DLV` },
      }),
    );
    expect(indexed.Items).toEqual([]);
    const [delivery] = await getDeliveries(event.id);
    expect(delivery).toMatchObject({
      eventId: event.id,
      endpointId: endpoint.id,
      state: 'delivered',
      attempts: 1,
    });
  });
});

describe("a receiver's answer on the record", () => {
  it('a delivered attempt keeps 256 bytes of a long 2xx answer (one write unit), a failed one 1024', async () => {
    const long = `${'x'.repeat(600)}${'y'.repeat(600)}`;
    const okEndpoint = await createEndpoint({ tenantId: 't_body', url: `${receiver.base}/body-ok` });
    receiver.reply('/body-ok', { status: 200, body: long });
    const delivered = await newEvent('t_body');
    await dispatchCounting(delivered);
    const [kept] = await getAttempts(delivered.id);
    expect(kept).toMatchObject({
      endpointId: okEndpoint.id,
      outcome: 'delivered',
      responseBody: long.slice(0, 256),
    });

    const badEndpoint = await createEndpoint({ tenantId: 't_body2', url: `${receiver.base}/body-bad` });
    receiver.reply('/body-bad', { status: 400, body: long });
    const refused = await newEvent('t_body2');
    await dispatchCounting(refused);
    const [whole] = await getAttempts(refused.id);
    expect(whole).toMatchObject({
      endpointId: badEndpoint.id,
      outcome: 'failed',
      responseBody: long.slice(0, 1024),
    });
  });
});

describe('the first attempt folded into the delivery item', () => {
  it('reads back exactly as an attempt item would, beside later attempts, in order', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_fold', url: `${receiver.base}/fold` });
    receiver.reply('/fold', { status: 503 });
    const event = await newEvent('t_fold');
    await dispatchCounting(event);
    // The retry workflow's second attempt is an item of its own.
    await recordAttempt({
      eventId: event.id,
      endpointId: endpoint.id,
      generation: 0,
      attempt: 2,
      at: new Date().toISOString(),
      durationMs: 3,
      statusCode: 204,
      outcome: 'delivered',
    });
    const attempts = await getAttempts(event.id);
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 503, 'retrying'],
      [2, 204, 'delivered'],
    ]);
    expect(attempts[0]).toMatchObject({ eventId: event.id, endpointId: endpoint.id, generation: 0 });
    expect(attempts[0]?.nextAttemptAt).toBeDefined();
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('keeps the first record when attempt 1 is recorded twice', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_twice', url: `${receiver.base}/twice` });
    const event = await newEvent('t_twice');
    await dispatchCounting(event);
    const first = (await getAttempts(event.id))[0];
    await recordAttempt({ ...(first as NonNullable<typeof first>), durationMs: 999_999, statusCode: 500 });
    expect(await getAttempts(event.id)).toEqual([first]);
    expect(endpoint.id).toBe(first?.endpointId);
  });

  it('pages folded and stored attempts in one order, one at a time, with cursors', async () => {
    const tenantId = 't_pages';
    const endpoints = await Promise.all(
      [1, 2, 3].map((n) => createEndpoint({ tenantId, url: `${receiver.base}/pages${n}` })),
    );
    receiver.reply(`/pages2`, { status: 503 });
    const event = await newEvent(tenantId);
    await dispatchCounting(event);
    const failing = endpoints[1] as (typeof endpoints)[number];
    for (const attempt of [2, 3]) {
      await recordAttempt({
        eventId: event.id,
        endpointId: failing.id,
        generation: 0,
        attempt,
        at: new Date().toISOString(),
        durationMs: 1,
        statusCode: 503,
        outcome: 'retrying',
      });
    }
    const all = await getAttempts(event.id);
    expect(all).toHaveLength(5);
    for (const limit of [1, 2, 3, 10]) {
      const paged = [];
      let startKey: StoreKey | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await listAttempts(event.id, { limit, ...(startKey ? { startKey } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        paged.push(...page.items);
        startKey = page.lastEvaluatedKey;
        if (startKey === undefined) break;
      }
      expect({ limit, paged }).toEqual({ limit, paged: all });
    }
  });

  it('a delivery claimed before folding (no firstAttempts map) records attempt 1 as an item', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_legacy', url: `${receiver.base}/legacy` });
    const event = await newEvent('t_legacy');
    const now = new Date().toISOString();
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: {
          pk: `EVT#${event.id}`,
          sk: `DLV#${endpoint.id}`,
          eventId: event.id,
          endpointId: endpoint.id,
          tenantId: 't_legacy',
          state: 'pending',
          generation: 0,
          attempts: 0,
          createdAt: now,
          updatedAt: now,
        },
      }),
    );
    const recorded = await recordAttempt({
      eventId: event.id,
      endpointId: endpoint.id,
      generation: 0,
      attempt: 1,
      at: now,
      durationMs: 2,
      statusCode: 204,
      outcome: 'delivered',
    });
    expect(recorded).toBe(true);
    expect((await getAttempts(event.id)).map((a) => [a.attempt, a.outcome])).toEqual([[1, 'delivered']]);
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 1 });
  });
});

describe('the endpoint-list cache (HERALD_ENDPOINT_CACHE_SECONDS, default 5)', () => {
  const ttlMs = () => config.endpointCacheMs();

  it('is 5 s by default', () => {
    expect(ttlMs()).toBe(5_000);
  });

  it('a disabled endpoint gets no delivery from an event dispatched 5 s or more after the PATCH', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.parse('2026-12-01T12:00:00.000Z');
    vi.setSystemTime(t0);
    const endpoint = await createEndpoint({ tenantId: 't_disable', url: `${receiver.base}/disable` });
    await dispatchCounting(await newEvent('t_disable'));
    expect(receiver.on('/disable')).toHaveLength(1);

    const current = await getEndpoint(endpoint.id);
    await updateEndpoint(endpoint.id, current?.updatedAt ?? '', { enabled: false }, new Date().toISOString());

    // Within the TTL the cached list still says enabled: the documented staleness, at most 5 s.
    vi.setSystemTime(t0 + ttlMs() - 1);
    await dispatchCounting(await newEvent('t_disable'));
    expect(receiver.on('/disable')).toHaveLength(2);

    vi.setSystemTime(t0 + ttlMs());
    const late = await newEvent('t_disable');
    await dispatchCounting(late);
    expect(receiver.on('/disable')).toHaveLength(2);
    expect(await getDelivery(late.id, endpoint.id)).toMatchObject({ state: 'skipped' });
  });

  it('an endpoint created after the list was cached receives events dispatched 5 s later', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.parse('2026-12-01T13:00:00.000Z');
    vi.setSystemTime(t0);
    await createEndpoint({ tenantId: 't_added', url: `${receiver.base}/added1` });
    await dispatchCounting(await newEvent('t_added'));
    await createEndpoint({ tenantId: 't_added', url: `${receiver.base}/added2` });
    vi.setSystemTime(t0 + ttlMs());
    await dispatchCounting(await newEvent('t_added'));
    expect([receiver.on('/added1').length, receiver.on('/added2').length]).toEqual([2, 1]);
  });

  it('a redelivery reads the endpoints fresh, ignoring the cache', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_fresh', url: `${receiver.base}/fresh` });
    const event = await newEvent('t_fresh');
    await dispatchCounting(event);
    const current = await getEndpoint(endpoint.id);
    await updateEndpoint(endpoint.id, current?.updatedAt ?? '', { enabled: false }, new Date().toISOString());
    const redeliver = { kind: 'herald.redeliver', eventId: event.id, reason: 'replay' };
    expect(await handler(sqsEvent([{ body: redeliver }]), lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    expect(receiver.on('/fresh')).toHaveLength(1);
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'skipped', generation: 1 });
  });
});
