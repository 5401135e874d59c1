/**
 * The retry watch against dynalite + fauxqs: EventBridge status-change events of retry-workflow
 * executions that ended without finishing their delivery leave it `failed` and on the webhook DLQ,
 * once, whatever the order of a late attempt and the event (issue 9.6).
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../lambdas/shared/ids.js';
import {
  claimDelivery,
  getDelivery,
  markDeadLettered,
  recordAttempt,
} from '../../../lambdas/shared/store/deliveries.js';
import { activityHours } from '../../../lambdas/shared/store/endpoint-activity.js';
import { flushActivity } from '../../../lambdas/webhooks/activity/recorder.js';
import { handler as watch } from '../../../lambdas/webhooks/retry-watch.handler.js';
import { executionName } from '../../../lambdas/webhooks/retry-workflow.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import { type Harness, receiveAll, startHarness } from '../../support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

interface Ids {
  readonly eventId: string;
  readonly endpointId: string;
}

/** A delivery whose inline attempt failed with a 503 and whose workflow is on attempt `attempts + 1`. */
async function retryingDelivery(attempts = 2): Promise<Ids> {
  const ids = { eventId: newId('evt'), endpointId: newId('ep') };
  const now = new Date().toISOString();
  await claimDelivery({ ...ids, tenantId: 't_watch', now, claimedUntil: now });
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await recordAttempt({
      ...ids,
      generation: 0,
      attempt,
      at: new Date().toISOString(),
      durationMs: 3,
      outcome: 'retrying',
      statusCode: 503,
      nextAttemptAt: new Date(Date.now() + 60_000).toISOString(),
      lastError: 'HTTP 503',
    });
  }
  return ids;
}

/** The EventBridge event AWS emits when an execution ends, as the watch queue receives it. */
function statusChange(ids: Ids, status: string, error?: string, generation = 0) {
  const name = executionName({ ...ids, generation });
  return {
    version: '0',
    id: newId('evt'),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:states:us-east-1:000000000000:execution:herald-retry:${name}`],
    detail: {
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:herald-retry:${name}`,
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:herald-retry',
      name,
      status,
      startDate: Date.now() - 1000,
      stopDate: Date.now(),
      input: JSON.stringify({ ...ids, generation, attempt: 3, waitSeconds: 0 }),
      output: null,
      error: error ?? null,
      cause: null,
    },
  };
}

async function deliver(...bodies: unknown[]): Promise<SQSBatchResponse> {
  return watch(sqsEvent(bodies.map((body) => ({ body }))), lambdaContext());
}

/** The webhook DLQ messages of one delivery (each test's ids are unique; received ones stay hidden). */
async function dlqFor(ids: Ids): Promise<Record<string, unknown>[]> {
  const messages = await receiveAll(h.sqs, h.queues.webhookDlq, 120);
  return messages
    .map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>)
    .filter((b) => b.eventId === ids.eventId && b.endpointId === ids.endpointId);
}

describe('retry watch', () => {
  it.each([
    ['TIMED_OUT', undefined, 'workflow_timed_out'],
    ['ABORTED', undefined, 'workflow_aborted'],
    ['FAILED', 'States.TaskFailed', 'workflow_failed: States.TaskFailed'],
  ])('%s (%s) → the retrying delivery is failed and on the webhook DLQ', async (status, error, lastError) => {
    const ids = await retryingDelivery();

    const response = await deliver(statusChange(ids, status, error));

    expect(response.batchItemFailures).toEqual([]);
    const delivery = await getDelivery(ids.eventId, ids.endpointId);
    expect(delivery).toMatchObject({ state: 'failed', lastError, attempts: 2 });
    expect(delivery?.deadLetteredAt).toBeDefined();
    expect(delivery?.nextAttemptAt).toBeUndefined();
    expect(await dlqFor(ids)).toEqual([
      expect.objectContaining({ kind: 'herald.redeliver', reason: 'redrive', attempts: 2, lastError }),
    ]);
  });

  it("a delivery it closes counts as failed in its endpoint's activity", async () => {
    const ids = await retryingDelivery();

    expect((await deliver(statusChange(ids, 'TIMED_OUT'))).batchItemFailures).toEqual([]);
    // A container flushes its tally at most once a minute: a flush a minute on writes what is left.
    await flushActivity(new Date(Date.now() + 61_000));

    const hour = Math.floor(Date.now() / 3_600_000);
    const hours = await activityHours(ids.endpointId, hour - 1, hour + 1);
    expect(hours.reduce((n, h) => n + h.failed, 0)).toBe(1);
    expect(hours.reduce((n, h) => n + h.delivered, 0)).toBe(0);
  });

  it('the same event twice (SQS redelivery) dead-letters once', async () => {
    const ids = await retryingDelivery();
    const event = statusChange(ids, 'TIMED_OUT');
    await deliver(event);
    await deliver(event);
    expect(await dlqFor(ids)).toHaveLength(1);
  });

  it('FAILED by the workflow’s own Exhausted end (already on the DLQ): closes a still-open delivery, sends nothing', async () => {
    const ids = await retryingDelivery();
    await deliver(statusChange(ids, 'FAILED', 'WebhookDeliveryFailed'));
    expect(await getDelivery(ids.eventId, ids.endpointId)).toMatchObject({
      state: 'failed',
      lastError: 'platform_error',
    });
    expect(await dlqFor(ids)).toHaveLength(0);
  });

  it('failed by its last attempt but timed out before the DLQ send: sends it, keeping the attempt’s error', async () => {
    const ids = await retryingDelivery();
    await recordAttempt({
      ...ids,
      generation: 0,
      attempt: 3,
      at: new Date().toISOString(),
      durationMs: 3,
      outcome: 'failed',
      statusCode: 410,
      lastError: 'HTTP 410',
    });
    await deliver(statusChange(ids, 'TIMED_OUT'));
    expect(await dlqFor(ids)).toEqual([expect.objectContaining({ lastError: 'HTTP 410', attempts: 3 })]);
    expect(await getDelivery(ids.eventId, ids.endpointId)).toMatchObject({ state: 'failed' });
  });

  it('leaves alone: a delivered delivery, a dead-lettered one, a replayed (newer) generation, SUCCEEDED', async () => {
    const delivered = await retryingDelivery(1);
    await recordAttempt({
      ...delivered,
      generation: 0,
      attempt: 2,
      at: new Date().toISOString(),
      durationMs: 3,
      outcome: 'delivered',
      statusCode: 200,
    });
    const deadLettered = await retryingDelivery(1);
    await recordAttempt({
      ...deadLettered,
      generation: 0,
      attempt: 2,
      at: new Date().toISOString(),
      durationMs: 3,
      outcome: 'failed',
      statusCode: 410,
      lastError: 'HTTP 410',
    });
    await markDeadLettered(deadLettered.eventId, deadLettered.endpointId, 0, new Date().toISOString());
    const replayed = await retryingDelivery();
    const succeeded = await retryingDelivery();

    await deliver(
      statusChange(delivered, 'TIMED_OUT'),
      statusChange(deadLettered, 'ABORTED'),
      statusChange(replayed, 'TIMED_OUT', undefined, 7),
      statusChange(succeeded, 'SUCCEEDED'),
    );

    expect(await getDelivery(delivered.eventId, delivered.endpointId)).toMatchObject({ state: 'delivered' });
    expect(await getDelivery(replayed.eventId, replayed.endpointId)).toMatchObject({ state: 'retrying' });
    expect(await getDelivery(succeeded.eventId, succeeded.endpointId)).toMatchObject({ state: 'retrying' });
    for (const ids of [delivered, deadLettered, replayed, succeeded])
      expect(await dlqFor(ids)).toHaveLength(0);
  });

  it('an attempt still running when its workflow timed out cannot reopen the closed delivery', async () => {
    const ids = await retryingDelivery();
    await deliver(statusChange(ids, 'TIMED_OUT'));

    // The orphaned attempt 3 finishes after the watch closed the delivery.
    const recorded = await recordAttempt({
      ...ids,
      generation: 0,
      attempt: 3,
      at: new Date().toISOString(),
      durationMs: 15_000,
      outcome: 'retrying',
      errorClass: 'timeout',
      nextAttemptAt: new Date(Date.now() + 60_000).toISOString(),
      lastError: 'timeout',
    });

    expect(recorded).toBe(false);
    expect(await getDelivery(ids.eventId, ids.endpointId)).toMatchObject({
      state: 'failed',
      lastError: 'workflow_timed_out',
    });
  });

  it('drops a body that is not a retry-workflow status change, without failing the batch', async () => {
    const response = await deliver(
      { hello: 'world' },
      { detail: { name: 'not-an-execution', status: 'FAILED' } },
    );
    expect(response.batchItemFailures).toEqual([]);
  });
});
