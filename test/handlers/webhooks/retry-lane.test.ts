/**
 * The retry lane (adrs/0013) against dynalite, fauxqs and a real loopback receiver: dispatch puts a
 * short retry on the lane (no workflow), the lane's consumer attempts it and schedules what follows —
 * the lane again, the workflow for a long wait, the webhook DLQ — and an attempt it already made is
 * not made twice. Schedules run scaled (HERALD_RETRY_TIME_SCALE) so every lane wait is under a second.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { getDelivery } from '../../../lambdas/shared/store/deliveries.js';
import { getAttempts } from '../../../lambdas/shared/store/delivery-history.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
import { handler as dispatch } from '../../../lambdas/webhooks/dispatch.handler.js';
import { handler as lane } from '../../../lambdas/webhooks/retry-lane.handler.js';
import { runAttempt } from '../../../lambdas/webhooks/retry-step.js';
import type { RetryState } from '../../../lambdas/webhooks/retry-workflow.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import { receiveAll } from '../../support/harness.js';
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
let laneUrl: string;

beforeAll(async () => {
  world = await startDeliveryHarness({ HERALD_WEBHOOK_TIMEOUT_MS: '1000' });
  ({ receiver, sfn } = world);
  laneUrl = world.h.fauxqs.createQueue('retry-lane').queueUrl;
  process.env.HERALD_RETRY_LANE_URL = laneUrl;
});

beforeEach(async () => {
  // 30 min → 0.9 s: retries 1–3 on the lane, each under a second; retry 4 (2 h → 3.6 s) past it.
  process.env.HERALD_RETRY_TIME_SCALE = '0.0005';
  await takeLane();
});

afterAll(async () => {
  delete process.env.HERALD_RETRY_LANE_URL;
  await world?.stop();
});

/** Every message on the lane now (delayed ones are not yet visible), taken off it. */
async function takeLane(): Promise<RetryState[]> {
  await new Promise((r) => setTimeout(r, 1100));
  const messages = await receiveAll(world!.h.sqs, laneUrl, 30);
  return messages.map((m) => JSON.parse(m.Body ?? '{}') as RetryState);
}

async function runLane(states: readonly RetryState[]) {
  return lane(sqsEvent(states.map((body) => ({ body }))), lambdaContext());
}

async function publish(path: string, tenantId: string, reply: number) {
  receiver.reply(path, { status: reply });
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
  return { event, endpoint };
}

describe('retry lane', () => {
  it('a failed first attempt waits on the lane, not in a workflow, and the lane delivers it', async () => {
    const { event, endpoint } = await publish('/lane-ok', 't_lane1', 503);
    expect(sfn.started.filter((e) => e.input.eventId === event.id)).toEqual([]);
    const onLane = await takeLane();
    expect(onLane).toHaveLength(1);
    expect(onLane[0]).toMatchObject({
      eventId: event.id,
      endpointId: endpoint.id,
      generation: 0,
      attempt: 2,
    });

    receiver.reply('/lane-ok', { status: 200 });
    expect(await runLane(onLane)).toEqual({ batchItemFailures: [] });

    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(receiver.on('/lane-ok')).toHaveLength(2);
    expect(await takeLane()).toEqual([]);
    expect(sfn.started.filter((e) => e.input.eventId === event.id)).toEqual([]);
  });

  it('retries 1–3 run on the lane; the wait before attempt 5 is long, so it starts the workflow', async () => {
    const { event, endpoint } = await publish('/lane-down', 't_lane2', 503);
    const attemptsOnLane: number[] = [];
    for (let hop = 0; hop < 3; hop++) {
      const onLane = await takeLane();
      expect(onLane).toHaveLength(1);
      attemptsOnLane.push(onLane[0]!.attempt);
      await runLane(onLane);
    }
    expect(attemptsOnLane).toEqual([2, 3, 4]);
    expect(await takeLane()).toEqual([]);
    const started = sfn.started.filter((e) => e.input.eventId === event.id);
    expect(started).toHaveLength(1);
    expect(started[0]!.input).toMatchObject({ endpointId: endpoint.id, attempt: 5 });
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'retrying', attempts: 4 });
    expect(receiver.on('/lane-down')).toHaveLength(4);
  });

  it('a message not yet due goes back on the lane for another hop, with SQS longest delay', async () => {
    const { event, endpoint } = await publish('/lane-later', 't_lane3', 503);
    expect(await takeLane()).toHaveLength(1);
    const sent = receiver.on('/lane-later').length;
    const delayed = async () =>
      (
        await world!.h.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: laneUrl,
            AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
          }),
        )
      ).Attributes?.ApproximateNumberOfMessagesDelayed;
    expect(await delayed()).toBe('0');
    // A retry 40 min ahead (a Retry-After, say): received early, it is one more hop of 15 min.
    const ahead: RetryState = {
      eventId: event.id,
      endpointId: endpoint.id,
      generation: 0,
      attempt: 2,
      waitSeconds: 2400,
      waitUntil: new Date(Date.now() + 40 * 60_000).toISOString(),
    };
    await runLane([ahead]);
    expect(receiver.on('/lane-later')).toHaveLength(sent);
    expect(await delayed()).toBe('1');
  });

  it('an attempt already made is not made again; a lost next attempt is scheduled once overdue', async () => {
    const { event, endpoint } = await publish('/lane-dup', 't_lane4', 503);
    const [message] = await takeLane();
    expect(message).toBeDefined();
    // A run that recorded attempt 2 and crashed before scheduling attempt 3.
    const made = await runAttempt(message!, { once: true });
    expect(made).toMatchObject({ outcome: 'retry', attempt: 3 });
    expect(receiver.on('/lane-dup')).toHaveLength(2);

    // SQS hands the message back after the crash: no second POST. Until attempt 3 is overdue by the
    // grace the lane looks again later (the same attempt 2, one more hop); then it schedules attempt 3.
    // (How many looks depends on how fast this machine runs: at least none, at most a few.)
    await runLane([message!]);
    let resumed: RetryState[] = [];
    for (let look = 0; look < 5 && resumed.length === 0; look++) {
      const onLane = await takeLane();
      expect(onLane).toHaveLength(1);
      expect(receiver.on('/lane-dup')).toHaveLength(2);
      if (onLane[0]!.attempt === 3) resumed = onLane;
      else {
        expect(onLane[0]).toMatchObject({ attempt: 2 });
        await runLane(onLane);
      }
    }
    expect(resumed[0]).toMatchObject({ eventId: event.id, endpointId: endpoint.id, attempt: 3 });

    receiver.reply('/lane-dup', { status: 200 });
    // The resumed attempt, and an SQS duplicate of it after it: one POST. (Two copies in flight at once
    // may both POST: at-least-once, and the receiver dedupes by webhook-id.)
    await runLane(resumed);
    await runLane(resumed);
    expect(receiver.on('/lane-dup')).toHaveLength(3);
    expect(await getDelivery(event.id, endpoint.id)).toMatchObject({ state: 'delivered', attempts: 3 });
    expect((await getAttempts(event.id)).map((a) => a.attempt)).toEqual([1, 2, 3]);
    // The duplicate of a delivered attempt asks for nothing more.
    expect(await takeLane()).toEqual([]);
  });

  it('a platform failure is tried again in seconds, not after the visibility timeout', async () => {
    await world!.h.sqs.send(
      new SendMessageCommand({
        QueueUrl: laneUrl,
        MessageBody: JSON.stringify({ eventId: 'evt_x', attempt: 0 }),
      }),
    );
    const [received] = await receiveAll(world!.h.sqs, laneUrl, 30);
    expect(received).toBeDefined();
    const record = {
      messageId: received!.MessageId!,
      receiptHandle: received!.ReceiptHandle!,
      body: received!.Body!,
      attributes: { ApproximateReceiveCount: '1' },
    };
    // Its only record failed: the whole batch is handed back (Powertools' full batch failure).
    await expect(lane({ Records: [record] } as unknown as SQSEvent, lambdaContext())).rejects.toThrow(
      /All records failed/,
    );
    // Held for 2 s (2^1) instead of the 30 s it was received with.
    const back = await takeLane();
    await new Promise((r) => setTimeout(r, 1_500));
    const later = back.length > 0 ? back : await takeLane();
    expect(later).toEqual([{ eventId: 'evt_x', attempt: 0 }]);
  });

  it('a permanent refusal on the lane dead-letters the delivery once', async () => {
    const { event, endpoint } = await publish('/lane-gone', 't_lane5', 503);
    const onLane = await takeLane();
    receiver.reply('/lane-gone', { status: 410 });
    await runLane(onLane);
    await runLane(onLane);
    const dlq = (await receiveAll(world!.h.sqs, world!.h.queues.webhookDlq, 30)).map((m) =>
      JSON.parse(m.Body ?? '{}'),
    );
    expect(dlq.filter((m) => m.eventId === event.id)).toEqual([
      expect.objectContaining({ kind: 'herald.redeliver', endpointId: endpoint.id, attempts: 2 }),
    ]);
    const delivery = await getDelivery(event.id, endpoint.id);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 2 });
    expect(delivery?.deadLetteredAt).toBeDefined();
    expect(receiver.on('/lane-gone')).toHaveLength(2);
  });
});
