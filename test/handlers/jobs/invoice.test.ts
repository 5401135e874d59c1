/**
 * The job runner and the invoice job against dynalite (main + idempotency tables) and fauxqs (the
 * events topic with a raw-delivery subscriber queue, to see what the job publishes).
 */

import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedEventId } from '../../../lambdas/jobs/derived-id.js';
import { handler as invoiceHandler } from '../../../lambdas/jobs/invoice.handler.js';
import { getInvoice } from '../../../lambdas/jobs/invoice-store.js';
import { defineJob } from '../../../lambdas/jobs/runner.js';
import { TransientError } from '../../../lambdas/shared/errors.js';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { getEvent } from '../../../lambdas/shared/store/events.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/factories.js';
import { type Harness, MAIN_TABLE, receiveAll, startHarness } from '../../support/harness.js';
import { recordMessages } from '../api/pipeline.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

function orderEvent(tenantId: string, orderId: string, data: Record<string, unknown> = {}): HeraldEvent {
  return {
    id: newId('evt'),
    type: 'order.placed',
    tenantId,
    createdAt: new Date().toISOString(),
    data: { orderId, currency: 'EUR', lines: [{ sku: 'A', quantity: 2, unitPrice: 1250 }], ...data },
  };
}

async function invoiceCount(): Promise<number> {
  const result = await h.dynamo.send(
    new ScanCommand({
      TableName: MAIN_TABLE,
      FilterExpression: 'sk = :sk',
      ExpressionAttributeValues: { ':sk': { S: 'INVOICE' } },
    }),
  );
  return result.Count ?? 0;
}

/** Bodies published to SNS since the last call (the subscriber queue is drained and deleted from). */
async function published(): Promise<Record<string, unknown>[]> {
  const messages = await receiveAll(h.sqs, h.queues.subscriber, 30);
  return messages.map((m) => JSON.parse(m.Body ?? '{}'));
}

describe('invoice job', () => {
  it('stores the invoice and emits invoice.created with a deterministic id and the tenant', async () => {
    await published();
    const order = orderEvent('t_inv', '1001');

    const response = await invoiceHandler(sqsEvent([{ body: order }]), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await getInvoice('t_inv', '1001')).toMatchObject({
      eventId: order.id,
      subtotal: 2500,
      tax: 500,
      total: 3000,
      currency: 'EUR',
    });
    const expectedId = derivedEventId(order, 'invoice', 0);
    const messages = await receiveAll(h.sqs, h.queues.subscriber, 30);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.MessageAttributes?.source?.StringValue).toBe('job:invoice');
    const emitted = JSON.parse(messages[0]!.Body!);
    expect(emitted).toMatchObject({
      id: expectedId,
      type: 'invoice.created',
      tenantId: 't_inv',
      data: { orderId: '1001', total: 3000, eventId: order.id },
    });
    // Dispatch records the event from the message (publishing is the commit point).
    await recordMessages(messages);
    expect(await getEvent(expectedId)).toMatchObject({ source: 'job:invoice', type: 'invoice.created' });
  });

  it('a duplicate SQS message causes one invoice and one invoice.created', async () => {
    await published();
    const before = await invoiceCount();
    const order = orderEvent('t_dup', 'o-dup');
    const record = sqsRecord({ body: order });

    await invoiceHandler(sqsEvent([record]), lambdaContext());
    await invoiceHandler(
      sqsEvent([{ ...record, messageId: 'redelivered', receiptHandle: 'other' }]),
      lambdaContext(),
    );

    expect(await invoiceCount()).toBe(before + 1);
    expect((await published()).filter((e) => e.type === 'invoice.created')).toHaveLength(1);
  });

  it('the same order in a different event is not invoiced twice (and emits nothing)', async () => {
    await published();
    await invoiceHandler(sqsEvent([{ body: orderEvent('t_twice', 'o-1') }]), lambdaContext());
    const second = orderEvent('t_twice', 'o-1', { lines: [{ sku: 'Z', quantity: 9, unitPrice: 9 }] });
    await invoiceHandler(sqsEvent([{ body: second }]), lambdaContext());

    expect((await getInvoice('t_twice', 'o-1'))?.total).toBe(3000);
    expect(await published()).toHaveLength(1);
  });

  it('keeps two tenants’ orders with the same id apart', async () => {
    await invoiceHandler(
      sqsEvent([
        { body: orderEvent('t_x', 'shared-id') },
        { body: orderEvent('t_y', 'shared-id', { taxRate: 0 }) },
      ]),
      lambdaContext(),
    );
    expect((await getInvoice('t_x', 'shared-id'))?.total).toBe(3000);
    expect((await getInvoice('t_y', 'shared-id'))?.total).toBe(2500);
  });

  it('sends records that fail for good to the DLQ at once, reason attached; their batch-mate is invoiced', async () => {
    await receiveAll(h.sqs, h.queues.workDlq, 60);
    const good = sqsRecord({ body: orderEvent('t_batch', 'ok-1') });
    const notJson = sqsRecord({ body: '{"this is": not json' });
    // A valid order.placed (the shape is checked at publish) whose sum cannot be exact.
    const badOrder = sqsRecord({
      body: orderEvent('t_batch', 'bad-1', {
        lines: [{ sku: 'A', quantity: Number.MAX_SAFE_INTEGER, unitPrice: 2 }],
      }),
    });

    const response = await invoiceHandler(sqsEvent([notJson, good, badOrder]), lambdaContext());

    // Reported done, so SQS does not receive them again: they are on the DLQ already.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await getInvoice('t_batch', 'ok-1')).toBeDefined();
    expect(await getInvoice('t_batch', 'bad-1')).toBeUndefined();
    const dead = await receiveAll(h.sqs, h.queues.workDlq, 60);
    expect(dead.map((m) => m.Body).sort()).toEqual([notJson.body, badOrder.body].sort());
    const attributes = (body: string) => {
      const found = dead.find((m) => m.Body === body)?.MessageAttributes ?? {};
      return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, v.StringValue]));
    };
    expect(attributes(notJson.body)).toMatchObject({
      'herald-job': 'invoice',
      'herald-error-code': 'invalid_request',
      'herald-error': 'message body is not JSON',
      'herald-receive-count': '1',
    });
    expect(attributes(badOrder.body)).toMatchObject({
      'herald-error-code': 'invalid_request',
      'herald-error': 'order lines[0].amount is too large',
    });
  });

  it('a record received twice (its visibility ran out) lands on the DLQ once', async () => {
    await receiveAll(h.sqs, h.queues.workDlq, 60);
    const poison = sqsRecord({ body: 'never json' });
    const again = {
      ...poison,
      receiptHandle: 'second-receive',
      attributes: { ...poison.attributes, ApproximateReceiveCount: '2' },
    };

    const responses = await Promise.all([
      invoiceHandler(sqsEvent([poison]), lambdaContext()),
      invoiceHandler(sqsEvent([again]), lambdaContext()),
    ]);

    expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect((await receiveAll(h.sqs, h.queues.workDlq, 60)).map((m) => m.Body)).toEqual(['never json']);
  });

  it('when the DLQ cannot be reached, a permanent failure is left to SQS (reported failed)', async () => {
    const dlqUrl = process.env.HERALD_JOB_DLQ_URL;
    process.env.HERALD_JOB_DLQ_URL = `${h.queues.workDlq}-does-not-exist`;
    try {
      const notJson = sqsRecord({ body: 'still not json' });
      const good = sqsRecord({ body: orderEvent('t_nodlq', 'ok-2') });
      const response = await invoiceHandler(sqsEvent([notJson, good]), lambdaContext());
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: notJson.messageId }] });
    } finally {
      process.env.HERALD_JOB_DLQ_URL = dlqUrl;
    }
  });
});

describe('defineJob', () => {
  it('runs the handler once per event id, counts a failed run as not done, and retries it', async () => {
    const runs: string[] = [];
    let failNext = true;
    const job = defineJob({
      name: 'flaky',
      handle: async (event) => {
        runs.push(event.id);
        if (failNext) {
          failNext = false;
          throw new TransientError('downstream busy');
        }
        return { result: { ok: true } };
      },
    });
    const event = orderEvent('t_job', 'j-1');
    const record: SQSRecord = sqsRecord({ body: event });
    const mate = sqsRecord({ body: orderEvent('t_job', 'j-2') });

    const first = await job(sqsEvent([record, mate]), lambdaContext());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);

    const second = await job(sqsEvent([record]), lambdaContext());
    expect(second).toEqual({ batchItemFailures: [] });
    const third = await job(sqsEvent([record, mate]), lambdaContext());
    expect(third).toEqual({ batchItemFailures: [] });

    expect(runs.filter((id) => id === event.id)).toHaveLength(2);
    expect(runs).toHaveLength(3);
  });

  it('retries a retryable failure (left on the queue, not on the DLQ); every record failing is a full batch failure', async () => {
    await receiveAll(h.sqs, h.queues.workDlq, 60);
    const job = defineJob({
      name: 'always-busy',
      handle: async () => {
        throw new TransientError('downstream busy');
      },
    });
    const unexpected = defineJob({
      name: 'buggy',
      handle: async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    const one = sqsRecord({ body: orderEvent('t_retry', 'r-1') });
    const two = sqsRecord({ body: orderEvent('t_retry', 'r-2') });

    await expect(job(sqsEvent([one, two]), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    // An error of no Herald class says nothing about retrying: it is retried too.
    await expect(unexpected(sqsEvent([one]), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(await receiveAll(h.sqs, h.queues.workDlq, 60)).toEqual([]);
  });

  it('keys idempotency on event id + job name: another job still runs the same event', async () => {
    let runs = 0;
    const handle = async () => {
      runs += 1;
      return {};
    };
    const event = orderEvent('t_names', 'n-1');
    await defineJob({ name: 'one', handle })(sqsEvent([{ body: event }]), lambdaContext());
    await defineJob({ name: 'two', handle })(sqsEvent([{ body: event }]), lambdaContext());
    await defineJob({ name: 'one', handle })(sqsEvent([{ body: event }]), lambdaContext());
    expect(runs).toBe(2);
  });
});
