/**
 * The retry workflow's task against dynalite + a real loopback receiver. Each test first runs dispatch
 * with a 503 (so the delivery is `retrying`, as when the state machine calls the task), then plays the
 * state machine: calls the task with the execution's input.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { getDelivery } from '../../../lambdas/shared/store/deliveries.js';
import { getAttempts } from '../../../lambdas/shared/store/delivery-history.js';
import { updateEndpoint } from '../../../lambdas/shared/store/endpoints.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
import { handler as dispatch } from '../../../lambdas/webhooks/dispatch.handler.js';
import { handler as attempt } from '../../../lambdas/webhooks/retry-attempt.handler.js';
import type { RetryState } from '../../../lambdas/webhooks/retry-workflow.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import {
  createEndpoint,
  type DeliveryHarness,
  type FakeStepFunctions,
  type Receiver,
  startDeliveryHarness,
} from './support.js';

let receiver: Receiver;
let sfn: FakeStepFunctions;
let world: DeliveryHarness | undefined;

beforeAll(async () => {
  world = await startDeliveryHarness({
    HERALD_WEBHOOK_TIMEOUT_MS: '1000',
  });
  ({ receiver, sfn } = world);
});

beforeEach(() => {
  process.env.HERALD_RETRY_TIME_SCALE = '1';
});

afterAll(async () => {
  await world?.stop();
});

/** An event whose first (inline) attempt got a 503: answers the retry workflow's input. */
async function retryingDelivery(path: string, tenantId: string) {
  receiver.reply(path, { status: 503 });
  const endpoint = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });
  const event: HeraldEvent = {
    id: newId('evt'),
    type: 'order.placed',
    tenantId,
    createdAt: new Date().toISOString(),
    data: { n: 1 },
  };
  await putEvent(event, 'api');
  await dispatch(sqsEvent([{ body: event }]), lambdaContext());
  const started = sfn.started.find((e) => e.input.eventId === event.id);
  expect(started).toBeDefined();
  return { event, endpoint, input: started?.input as unknown as RetryState };
}

describe('attempt task', () => {
  it('2xx → delivered, the delivery and the attempt recorded', async () => {
    const { event, endpoint, input } = await retryingDelivery('/later-ok', 't_a1');
    receiver.reply('/later-ok', { status: 200 });

    const output = await attempt(input);

    expect(output).toMatchObject({
      eventId: event.id,
      endpointId: endpoint.id,
      generation: 0,
      outcome: 'delivered',
    });
    expect(output.dlqMessage).toBeUndefined();
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect((await getAttempts(event.id)).map((a) => a.outcome)).toEqual(['retrying', 'delivered']);
  });

  it('503 with Retry-After → retry, waiting at least Retry-After, next attempt numbered', async () => {
    const { input, event, endpoint } = await retryingDelivery('/still-busy', 't_a2');
    receiver.reply('/still-busy', { status: 503, headers: { 'retry-after': '900' } });

    const output = await attempt(input);

    // The second retry is scheduled at 5 min ± 20 % (≤ 360 s); Retry-After 900 wins.
    expect(output).toMatchObject({ outcome: 'retry', attempt: 3, generation: 0, statusCode: 503 });
    expect(output.waitSeconds).toBeGreaterThanOrEqual(900);
    expect(output.waitSeconds).toBeLessThan(1000);
    const delivery = await getDelivery(event.id, endpoint.id);
    expect(delivery).toMatchObject({ state: 'retrying', attempts: 2 });
    const next = Date.parse(delivery?.nextAttemptAt ?? '') - Date.now();
    expect(next).toBeGreaterThan(890_000);
    // The inline 503 had no Retry-After: the schedule set its wait; this one's was set by the receiver.
    expect((await getAttempts(event.id)).map((a) => a.waitReason)).toEqual(['schedule', 'retry_after']);
  });

  it('a Retry-After shorter than the schedule step leaves the wait to the schedule', async () => {
    const { input, event } = await retryingDelivery('/briefly-busy', 't_a2b');
    receiver.reply('/briefly-busy', { status: 503, headers: { 'retry-after': '10' } });

    const output = await attempt(input);

    // The second retry is 5 min ± 20 % (≥ 240 s): longer than the 10 s asked for.
    expect(output.waitSeconds).toBeGreaterThanOrEqual(240);
    expect((await getAttempts(event.id)).map((a) => a.waitReason)).toEqual(['schedule', 'schedule']);
  });

  it('scales the wait by HERALD_RETRY_TIME_SCALE', async () => {
    const { input } = await retryingDelivery('/scaled', 't_a3');
    process.env.HERALD_RETRY_TIME_SCALE = '0.001';
    const output = await attempt(input);
    expect(output.outcome).toBe('retry');
    expect(output.waitSeconds).toBeLessThanOrEqual(1);
  });

  it('410 → failed with the webhook DLQ message under dlqMessage', async () => {
    const { input, event, endpoint } = await retryingDelivery('/gone-later', 't_a4');
    receiver.reply('/gone-later', { status: 410 });

    const output = await attempt(input);

    expect(output.outcome).toBe('failed');
    expect(output.dlqMessage).toMatchObject({
      kind: 'herald.redeliver',
      eventId: event.id,
      endpointId: endpoint.id,
      reason: 'redrive',
      attempts: 2,
      lastError: 'HTTP 410',
    });
    expect(Date.parse(output.dlqMessage?.failedAt ?? '')).not.toBeNaN();
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'failed', lastStatusCode: 410 });
  });

  it('a 3xx → retry, not followed: the attempt records its Location, the target gets nothing', async () => {
    const { input, event, endpoint } = await retryingDelivery('/moved-away', 't_a9');
    receiver.reply('/moved-away', { status: 301, headers: { location: '/new-home' } });

    const output = await attempt(input);

    expect(output).toMatchObject({ outcome: 'retry', statusCode: 301, attempt: 3 });
    expect(receiver.on('/new-home')).toHaveLength(0);
    const attempts = await getAttempts(event.id);
    expect(attempts.at(-1)).toMatchObject({ statusCode: 301, location: '/new-home', outcome: 'retrying' });
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({
      state: 'retrying',
      lastStatusCode: 301,
      lastError: 'HTTP 301',
    });
  });

  it('the last scheduled attempt failing → failed (retries exhausted)', async () => {
    const { input } = await retryingDelivery('/always-busy', 't_a5');
    const output = await attempt({ ...input, attempt: 8 });
    expect(output.outcome).toBe('failed');
    expect(output.dlqMessage?.lastError).toBe('retries_exhausted: HTTP 503');
  });

  it('a timeout is a retry with errorClass timeout', async () => {
    const { input, event, endpoint } = await retryingDelivery('/slow', 't_a6');
    receiver.reply('/slow', { status: 200, hang: true });
    process.env.HERALD_WEBHOOK_TIMEOUT_MS = '200';
    try {
      const output = await attempt(input);
      expect(output).toMatchObject({ outcome: 'retry', errorClass: 'timeout' });
      expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ lastError: 'timeout' });
    } finally {
      process.env.HERALD_WEBHOOK_TIMEOUT_MS = '1000';
    }
  });

  it('a superseded generation stops without POSTing', async () => {
    const { input, event } = await retryingDelivery('/replayed', 't_a7');
    receiver.reply('/replayed', { status: 200 });
    await dispatch(
      sqsEvent([{ body: { kind: 'herald.redeliver', eventId: event.id, reason: 'replay' } }]),
      lambdaContext(),
    );
    const posts = receiver.on('/replayed').length;

    const output = await attempt(input);

    expect(output).toMatchObject({ outcome: 'delivered', stopped: 'superseded' });
    expect(receiver.on('/replayed')).toHaveLength(posts);
  });

  it('an endpoint disabled meanwhile → skipped, no POST, no DLQ message', async () => {
    const { input, event, endpoint } = await retryingDelivery('/disabled-later', 't_a8');
    await updateEndpoint(endpoint.id, endpoint.updatedAt, { enabled: false }, new Date().toISOString());
    const posts = receiver.on('/disabled-later').length;

    const output = await attempt(input);

    expect(output).toMatchObject({ outcome: 'delivered', stopped: 'endpoint_disabled' });
    expect(output.dlqMessage).toBeUndefined();
    expect(receiver.on('/disabled-later')).toHaveLength(posts);
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'skipped' });
  });

  it('rejects malformed input (a platform error for the state machine to catch)', async () => {
    await expect(attempt({ eventId: 'evt_x' })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
