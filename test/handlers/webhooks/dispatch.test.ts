/**
 * Dispatch against dynalite + fauxqs (in-process), a real loopback receiver, and a fake StartExecution
 * HTTP endpoint (AWS_ENDPOINT_URL_SFN) that enforces execution-name uniqueness like the real service.
 * Concurrent invocations load the handler module twice — two Lambda containers, each with its own
 * batch processor, as in production.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { config } from '../../../lambdas/shared/config.js';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { getDelivery } from '../../../lambdas/shared/store/deliveries.js';
import { getAttempts, getDeliveries } from '../../../lambdas/shared/store/delivery-history.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
import { handler } from '../../../lambdas/webhooks/dispatch.handler.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/factories.js';
import { type Harness, receiveAll } from '../../support/harness.js';
import {
  createEndpoint,
  type DeliveryHarness,
  type FakeStepFunctions,
  RETRY_STATE_MACHINE_ARN,
  type Receiver,
  startDeliveryHarness,
} from './support.js';

let h: Harness;
let receiver: Receiver;
let sfn: FakeStepFunctions;
let world: DeliveryHarness | undefined;

beforeAll(async () => {
  world = await startDeliveryHarness({
    HERALD_WEBHOOK_TIMEOUT_MS: '1000',
    HERALD_RETRY_TIME_SCALE: '1',
  });
  ({ h, receiver, sfn } = world);
});

afterAll(async () => {
  await world?.stop();
});

async function newEvent(tenantId: string, type = 'order.placed'): Promise<HeraldEvent> {
  const event: HeraldEvent = {
    id: newId('evt'),
    type,
    tenantId,
    createdAt: new Date().toISOString(),
    data: { orderId: 'o-1', amount: 42 },
  };
  await putEvent(event, 'api');
  return event;
}

async function dispatch(...bodies: unknown[]): Promise<SQSBatchResponse> {
  return handler(sqsEvent(bodies.map((body) => ({ body }))), lambdaContext());
}

type Handler = typeof handler;

/** A second, independent copy of the dispatch module: another Lambda container. */
async function otherContainer(): Promise<Handler> {
  vi.resetModules();
  const module = await import('../../../lambdas/webhooks/dispatch.handler.js');
  return module.handler;
}

/**
 * A receiver that answers 204 but holds POSTs open, from the `holdFrom`-th on, until `release()` — so
 * one invocation stays mid-attempt while the other runs.
 */
interface HeldReceiver {
  readonly url: string;
  readonly count: () => number;
  /** Resolves when the first held POST arrives. */
  readonly heldArrived: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

async function startHeldReceiver(holdFrom = 1): Promise<HeldReceiver> {
  let count = 0;
  let released = false;
  const waiting: (() => void)[] = [];
  let arrived: () => void = () => {};
  const heldArrived = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      const answer = () => res.writeHead(204).end();
      if (released || count < holdFrom) return answer();
      waiting.push(answer);
      arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/held`,
    count: () => count,
    heldArrived,
    release: () => {
      released = true;
      for (const answer of waiting.splice(0)) answer();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * `record` plus a batch-mate that succeeds (an event no endpoint subscribes to): with every record
 * failed, Powertools throws instead of answering batchItemFailures (SQS then retries the whole batch).
 */
async function batchOf(record: SQSRecord): Promise<SQSEvent> {
  return sqsEvent([record, sqsRecord({ body: await newEvent('t_nobody') })]);
}

/** Resolves with what settles first, or `'timeout'` after `ms`. */
function firstOf<T>(promises: Promise<T>[], ms: number): Promise<T | 'timeout'> {
  return Promise.race([
    ...promises,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref()),
  ]);
}

/** Runs the same record through two containers at once, the POST held until one invocation returns. */
async function dispatchTwiceAtOnce(held: HeldReceiver, record: SQSRecord): Promise<SQSBatchResponse[]> {
  const second = await otherContainer();
  const [one, two] = [await batchOf(record), await batchOf(record)];
  const runs = [handler(one, lambdaContext()), second(two, lambdaContext())];
  // Bounded: if neither run reaches the receiver, the assertions below report it rather than a hang.
  await Promise.race([held.heldArrived, Promise.allSettled(runs)]);
  // Under the webhook timeout (1 s): the deferred run must settle while the other is still mid-POST.
  const settled = await firstOf(runs, 700);
  held.release();
  const responses = await Promise.all(runs);
  expect(settled).not.toBe('timeout');
  return responses;
}

function failuresOf(responses: SQSBatchResponse[]): string[] {
  return responses.flatMap((r) => r.batchItemFailures.map((f) => f.itemIdentifier));
}

describe('dispatch', () => {
  it('delivers a signed POST that standardwebhooks verifies, and records it', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_sign', url: `${receiver.base}/sign` });
    const event = await newEvent('t_sign');

    expect(await dispatch(event)).toEqual({ batchItemFailures: [] });

    const [request] = receiver.on('/sign');
    expect(request).toBeDefined();
    const headers = request?.headers as Record<string, string>;
    const payload = new Webhook(endpoint.secret).verify(request?.body ?? '', headers);
    expect(payload).toEqual(event);
    expect(headers['webhook-id']).toBe(event.id);
    const [delivery] = await getDeliveries(event.id);
    expect(delivery).toMatchObject({
      endpointId: endpoint.id,
      state: 'delivered',
      generation: 0,
      attempts: 1,
    });
    expect(delivery?.deliveredAt).toBeDefined();
    expect(await getAttempts(event.id)).toMatchObject([
      { attempt: 1, statusCode: 204, outcome: 'delivered' },
    ]);
  });

  it('sends one POST when the same SQS message is processed twice', async () => {
    await createEndpoint({ tenantId: 't_dup', url: `${receiver.base}/dup` });
    const event = await newEvent('t_dup');
    const record = sqsRecord({ body: event });

    await handler(sqsEvent([record]), lambdaContext());
    await handler(sqsEvent([record]), lambdaContext());

    expect(receiver.on('/dup')).toHaveLength(1);
    expect(await getAttempts(event.id)).toHaveLength(1);
  });

  it('delivers only to matching endpoints, and records a disabled one as skipped without a POST', async () => {
    const invoices = await createEndpoint({
      tenantId: 't_match',
      url: `${receiver.base}/inv`,
      eventTypes: ['invoice.*'],
    });
    const orders = await createEndpoint({
      tenantId: 't_match',
      url: `${receiver.base}/ord`,
      eventTypes: ['order.*'],
    });
    const off = await createEndpoint({ tenantId: 't_match', url: `${receiver.base}/off`, enabled: false });
    const event = await newEvent('t_match');

    await dispatch(event);

    expect(receiver.on('/ord')).toHaveLength(1);
    expect(receiver.on('/inv')).toHaveLength(0);
    expect(receiver.on('/off')).toHaveLength(0);
    expect(await getDelivery(event.id, invoices.id)).toBeUndefined();
    expect(await getDelivery(event.id, orders.id)).toMatchObject({ state: 'delivered' });
    expect(await getDelivery(event.id, off.id)).toMatchObject({ state: 'skipped' });
  });

  it('on 503 starts exactly one retry execution, even when the message is processed twice', async () => {
    receiver.reply('/busy', { status: 503 });
    const endpoint = await createEndpoint({ tenantId: 't_busy', url: `${receiver.base}/busy` });
    const event = await newEvent('t_busy');
    const record = sqsRecord({ body: event });
    const startsBefore = sfn.started.length;

    expect(await handler(sqsEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await handler(sqsEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [] });

    expect(receiver.on('/busy')).toHaveLength(1);
    const started = sfn.started.slice(startsBefore);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      stateMachineArn: RETRY_STATE_MACHINE_ARN,
      name: `${event.id}-${endpoint.id}-g0`,
      input: { eventId: event.id, endpointId: endpoint.id, generation: 0, attempt: 2 },
    });
    // 5 s ± 20 % for the first retry.
    const wait = started[0]?.input.waitSeconds as number;
    expect(wait).toBeGreaterThanOrEqual(4);
    expect(wait).toBeLessThanOrEqual(6);
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({
      state: 'retrying',
      attempts: 1,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
    });
  });

  it('on 410 marks the delivery failed and sends a redeliver message to the webhook DLQ', async () => {
    receiver.reply('/gone', { status: 410 });
    const endpoint = await createEndpoint({ tenantId: 't_gone', url: `${receiver.base}/gone` });
    const event = await newEvent('t_gone');
    const startsBefore = sfn.calls;

    await dispatch(event);

    expect(sfn.calls).toBe(startsBefore);
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'failed', lastStatusCode: 410 });
    const messages = (await receiveAll(h.sqs, h.queues.webhookDlq)).map((m) => JSON.parse(m.Body ?? '{}'));
    expect(messages).toContainEqual(
      expect.objectContaining({
        kind: 'herald.redeliver',
        eventId: event.id,
        endpointId: endpoint.id,
        reason: 'redrive',
        attempts: 1,
        lastError: 'HTTP 410',
      }),
    );
  });

  it('a failed DLQ send fails the record; the retry dead-letters it once, later duplicates do not', async () => {
    receiver.reply('/gone-dlq', { status: 410 });
    const endpoint = await createEndpoint({ tenantId: 't_gone_dlq', url: `${receiver.base}/gone-dlq` });
    const event = await newEvent('t_gone_dlq');
    const record = sqsRecord({ body: event });
    await receiveAll(h.sqs, h.queues.webhookDlq, 60);
    const dlqUrl = process.env.HERALD_WEBHOOK_DLQ_URL;
    process.env.HERALD_WEBHOOK_DLQ_URL = `${dlqUrl}-missing`;
    try {
      await expect(handler(sqsEvent([record]), lambdaContext())).rejects.toThrow();
    } finally {
      process.env.HERALD_WEBHOOK_DLQ_URL = dlqUrl;
    }
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'failed' });

    await handler(sqsEvent([record]), lambdaContext());
    await handler(sqsEvent([record]), lambdaContext());

    expect(receiver.on('/gone-dlq')).toHaveLength(1);
    const messages = (await receiveAll(h.sqs, h.queues.webhookDlq, 60)).map((m) =>
      JSON.parse(m.Body ?? '{}'),
    );
    expect(messages.filter((m) => m.eventId === event.id)).toHaveLength(1);
    expect((await getDelivery(event.id, endpoint.id))?.deadLetteredAt).toBeDefined();
  });

  it('reports only the malformed record in batchItemFailures; its batch-mate is delivered', async () => {
    await createEndpoint({ tenantId: 't_batch', url: `${receiver.base}/batch` });
    const event = await newEvent('t_batch');
    const good = sqsRecord({ body: event });
    const poison = sqsRecord({ body: '{"this is": not json' });
    const missingField = sqsRecord({ body: { id: 'evt_x', type: 'a.b' } });

    const response = await handler(sqsEvent([poison, good, missingField]), lambdaContext());

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [poison.messageId, missingField.messageId].sort(),
    );
    expect(receiver.on('/batch')).toHaveLength(1);
  });

  it('a redelivery request bumps the generation and delivers again with the same webhook-id', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_replay', url: `${receiver.base}/replay` });
    const event = await newEvent('t_replay');
    await dispatch(event);

    await dispatch({
      kind: 'herald.redeliver',
      eventId: event.id,
      endpointId: endpoint.id,
      reason: 'replay',
    });

    const requests = receiver.on('/replay');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers['webhook-id']).toBe(event.id);
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({
      state: 'delivered',
      generation: 1,
      attempts: 1,
    });
    expect((await getAttempts(event.id)).map((a) => [a.generation, a.attempt])).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });

  it('ignores a redelivery of an unknown event without failing the record', async () => {
    const response = await dispatch({
      kind: 'herald.redeliver',
      eventId: 'evt_01JUNKNOWN0000000000000000',
      reason: 'replay',
    });
    expect(response).toEqual({ batchItemFailures: [] });
  });

  describe('concurrent duplicates (claim lease)', () => {
    it('two invocations of the same event at once POST once; the other record is deferred, not dropped', async () => {
      const held = await startHeldReceiver();
      try {
        const endpoint = await createEndpoint({ tenantId: 't_race', url: held.url });
        const event = await newEvent('t_race');
        const record = sqsRecord({ body: event });

        const responses = await dispatchTwiceAtOnce(held, record);

        expect(held.count()).toBe(1);
        expect(failuresOf(responses)).toEqual([record.messageId]);
        expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 1 });
        expect((await getDelivery(event.id, endpoint.id))?.claimedUntil).toBeUndefined();

        // SQS hands the deferred record back after its visibility timeout: a duplicate now.
        expect(await handler(sqsEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [] });
        expect(held.count()).toBe(1);
        expect(await getAttempts(event.id)).toHaveLength(1);
      } finally {
        await held.close();
      }
    });

    it('a pending claim whose lease expired (crashed claimer) is taken over and delivered once', async () => {
      const endpoint = (await createEndpoint({ tenantId: 't_crashed', url: `${receiver.base}/crashed` })).id;
      const event = await newEvent('t_crashed');
      await writePendingClaim(event, endpoint, new Date(Date.now() - 60_000).toISOString());

      expect(await dispatch(event)).toEqual({ batchItemFailures: [] });
      expect(await dispatch(event)).toEqual({ batchItemFailures: [] });

      expect(receiver.on('/crashed')).toHaveLength(1);
      expect(await getDelivery(event.id, endpoint)).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(await getAttempts(event.id)).toHaveLength(1);
    });

    it('two takeovers of the same expired claim at once: one wins, one POST', async () => {
      const held = await startHeldReceiver();
      try {
        const endpoint = await createEndpoint({ tenantId: 't_takeover', url: held.url });
        const event = await newEvent('t_takeover');
        const expired = new Date(Date.now() - 1_000).toISOString();
        await writePendingClaim(event, endpoint.id, expired);
        const record = sqsRecord({ body: event });

        const responses = await dispatchTwiceAtOnce(held, record);

        expect(held.count()).toBe(1);
        expect(failuresOf(responses)).toEqual([record.messageId]);
        expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 1 });
      } finally {
        await held.close();
      }
    });

    it('a pending claim still under lease is neither delivered nor dropped', async () => {
      const endpoint = (await createEndpoint({ tenantId: 't_leased', url: `${receiver.base}/leased` })).id;
      const event = await newEvent('t_leased');
      const until = new Date(Date.now() + 60_000).toISOString();
      await writePendingClaim(event, endpoint, until);
      const record = sqsRecord({ body: event });

      const response = await handler(await batchOf(record), lambdaContext());

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
      expect(receiver.on('/leased')).toHaveLength(0);
      expect(await getDelivery(event.id, endpoint)).toMatchObject({ state: 'pending', claimedUntil: until });
    });

    it('a redelivery leases its new generation: a duplicate dispatch meanwhile does not POST again', async () => {
      // The first POST (generation 0) is answered at once; the replay's (generation 1) is held.
      const held = await startHeldReceiver(2);
      try {
        const endpoint = await createEndpoint({ tenantId: 't_regen', url: held.url });
        const event = await newEvent('t_regen');
        expect(await dispatch(event)).toEqual({ batchItemFailures: [] });
        const redeliver = sqsRecord({
          body: { kind: 'herald.redeliver', eventId: event.id, endpointId: endpoint.id, reason: 'replay' },
        });
        const second = await otherContainer();

        const replay = handler(sqsEvent([redeliver]), lambdaContext());
        await held.heldArrived;
        const duplicate = sqsRecord({ body: event });
        const deferred = await second(await batchOf(duplicate), lambdaContext());
        held.release();

        expect(await replay).toEqual({ batchItemFailures: [] });
        expect(deferred.batchItemFailures).toEqual([{ itemIdentifier: duplicate.messageId }]);
        expect(held.count()).toBe(2);
        expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', generation: 1 });
      } finally {
        await held.close();
      }
    });
  });

  describe('the claim in the event record (adrs/0014)', () => {
    /** An event as it arrives in a message, not recorded yet: the dispatch that records it claims its deliveries. */
    function unrecorded(tenantId: string): HeraldEvent {
      return {
        id: newId('evt'),
        type: 'order.placed',
        tenantId,
        createdAt: new Date().toISOString(),
        data: { orderId: 'o-2' },
      };
    }

    it('the run that records a new event delivers on its claim: no pending item is written, a duplicate meanwhile is handed back', async () => {
      const held = await startHeldReceiver();
      try {
        const endpoint = await createEndpoint({ tenantId: 't_rec_claim', url: held.url });
        const event = unrecorded('t_rec_claim');
        const record = sqsRecord({ body: event });

        const first = handler(await batchOf(record), lambdaContext());
        await held.heldArrived;
        // Mid-attempt: the record holds the claim, and there is no delivery item to read yet.
        expect(await getDelivery(event.id, endpoint.id)).toBeUndefined();
        const duplicate = await (await otherContainer())(await batchOf(record), lambdaContext());
        held.release();

        expect(await first).toEqual({ batchItemFailures: [] });
        expect(duplicate.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
        expect(held.count()).toBe(1);
        expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 1 });

        // SQS hands the duplicate back later: it finds the delivery done.
        expect(await handler(sqsEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [] });
        expect(held.count()).toBe(1);
      } finally {
        await held.close();
      }
    });

    it('a replay while the recording run is mid-attempt waits for it too', async () => {
      const endpoint = await createEndpoint({ tenantId: 't_rec_replay', url: `${receiver.base}/rec-replay` });
      const event = unrecorded('t_rec_replay');
      // What a recording run leaves before its attempt is recorded: the record and its claim.
      await putEvent(event, 'api', '', {
        endpointIds: [endpoint.id],
        until: new Date(Date.now() + 60_000).toISOString(),
      });
      const redeliver = sqsRecord({
        body: { kind: 'herald.redeliver', eventId: event.id, endpointId: endpoint.id, reason: 'replay' },
      });

      const response = await handler(await batchOf(redeliver), lambdaContext());

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: redeliver.messageId }]);
      expect(receiver.on('/rec-replay')).toHaveLength(0);
      expect(await getDelivery(event.id, endpoint.id)).toBeUndefined();
    });

    it('a recording run that crashed (its claim ran out, nothing written): a duplicate claims the delivery and POSTs once', async () => {
      const endpoint = await createEndpoint({ tenantId: 't_rec_crash', url: `${receiver.base}/rec-crash` });
      const other = await createEndpoint({ tenantId: 't_rec_crash', url: `${receiver.base}/rec-crash-2` });
      const event = unrecorded('t_rec_crash');
      await putEvent(event, 'api', '', {
        endpointIds: [endpoint.id, other.id],
        until: new Date(Date.now() - 1_000).toISOString(),
      });

      expect(await dispatch(event)).toEqual({ batchItemFailures: [] });
      expect(await dispatch(event)).toEqual({ batchItemFailures: [] });

      expect(receiver.on('/rec-crash')).toHaveLength(1);
      expect(receiver.on('/rec-crash-2')).toHaveLength(1);
      expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(await getAttempts(event.id)).toHaveLength(2);
    });

    it('an endpoint the record does not claim (it subscribed later) is claimed at once by a redelivery', async () => {
      const claimed = await createEndpoint({ tenantId: 't_rec_later', url: `${receiver.base}/rec-claimed` });
      const later = await createEndpoint({ tenantId: 't_rec_later', url: `${receiver.base}/rec-later` });
      const event = unrecorded('t_rec_later');
      await putEvent(event, 'api', '', {
        endpointIds: [claimed.id],
        until: new Date(Date.now() + 60_000).toISOString(),
      });
      const redeliver = sqsRecord({
        body: { kind: 'herald.redeliver', eventId: event.id, endpointId: later.id, reason: 'replay' },
      });

      expect(await handler(await batchOf(redeliver), lambdaContext())).toEqual({ batchItemFailures: [] });

      expect(receiver.on('/rec-later')).toHaveLength(1);
      expect(await getDelivery(event.id, later.id)).toMatchObject({ state: 'delivered' });
    });
  });
});

/** A delivery left `pending` by a claimer that never recorded its attempt, leased until `claimedUntil`. */
async function writePendingClaim(event: HeraldEvent, endpointId: string, claimedUntil: string) {
  const createdAt = new Date(Date.now() - 120_000).toISOString();
  await documentClient().send(
    new PutCommand({
      TableName: config.table(),
      Item: {
        pk: `EVT#${event.id}`,
        sk: `DLV#${endpointId}`,
        eventId: event.id,
        endpointId,
        tenantId: event.tenantId,
        state: 'pending',
        generation: 0,
        attempts: 0,
        claimedUntil,
        createdAt,
        updatedAt: createdAt,
      },
    }),
  );
}
