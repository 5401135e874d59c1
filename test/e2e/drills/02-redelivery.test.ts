/**
 * Drill 2 — redelivery: SQS delivers at least once. The same message twice into the job queue, a whole
 * batch again after a partial failure, the same event twice into the dispatch queue: every side effect
 * (invoice job run, webhook) happens once. Needs direct queue access: local target only.
 */
import { describe, expect, it } from 'vitest';
import {
  createEndpoint,
  orderPlaced,
  type StoredEvent,
  tenantEvents,
  uniqueTenant,
} from '../support/fixtures.js';
import { eventMessage, findQueue, inject, injectBatch } from '../support/queues.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { requireLocal, skipReason } from '../support/target.js';
import { holdsFor, waitUntil } from '../support/wait.js';

const ctx = useHerald();
const DRILL = '2 redelivery';
const skip = skipReason(DRILL, 'direct SQS access to inject messages') !== undefined;
const QUIET_MS = 2_000;

function invoicesByOrder(events: readonly StoredEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'invoice.created') continue;
    const orderId = String(e.data.orderId);
    counts.set(orderId, (counts.get(orderId) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(skip)(DRILL, () => {
  it('the same job message injected twice runs the job once', async () => {
    const local = requireLocal(ctx.target);
    const tenantId = uniqueTenant('redeliver');
    await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('redeliver-a'),
      eventTypes: ['invoice.created'],
    });
    const queue = findQueue(local.runtime.queues, /invoice/i, false);
    const message = eventMessage('order.placed', tenantId, orderPlaced('twice-1'));

    await inject(local.sqs, queue, message.body, message.attributes);
    await inject(local.sqs, queue, message.body, message.attributes);
    await waitUntil(
      () => ctx.receiver.accepted('redeliver-a').length,
      (n) => n >= 1,
      { timeoutMs: 60_000 },
    );
    await holdsFor(
      () => ctx.receiver.received('redeliver-a').length,
      (n) => n > 1,
      QUIET_MS,
    );
    const invoices = invoicesByOrder(await tenantEvents(ctx.api, tenantId));
    const counts = {
      injected: 2,
      jobRuns: invoices.get('twice-1') ?? 0,
      webhooks: ctx.receiver.received('redeliver-a').length,
    };
    record({
      drill: DRILL,
      case: 'the same job message injected twice runs the job once',
      injected: 'one order.placed message sent twice to the invoice queue',
      expected: '1 invoice.created, 1 webhook',
      observed: `${counts.jobRuns} invoice.created, ${counts.webhooks} webhook(s)`,
      counts,
    });
    expect(counts).toEqual({ injected: 2, jobRuns: 1, webhooks: 1 });
  });

  it('a batch redelivered whole after a partial failure runs each good message once', async () => {
    const local = requireLocal(ctx.target);
    const tenantId = uniqueTenant('batch');
    const queue = findQueue(local.runtime.queues, /invoice/i, false);
    const good = ['b1', 'b2', 'b3', 'b4'].map((id) =>
      eventMessage('order.placed', tenantId, orderPlaced(id)),
    );
    const batch = [...good, { body: '{"poison": ', attributes: { type: 'order.placed', tenantId } }];

    await injectBatch(local.sqs, queue, batch);
    await waitUntil(
      async () => invoicesByOrder(await tenantEvents(ctx.api, tenantId)).size,
      (n) => n === good.length,
      { timeoutMs: 60_000, description: 'the 4 good orders invoiced' },
    );
    // The partial-batch response was "lost": SQS hands the whole batch out again.
    await injectBatch(local.sqs, queue, batch);
    const invoices = await holdsFor(
      async () => invoicesByOrder(await tenantEvents(ctx.api, tenantId)),
      (m) => [...m.values()].some((n) => n > 1),
      QUIET_MS * 2,
    );
    const counts = {
      goodMessages: good.length,
      deliveriesOfBatch: 2,
      ordersInvoiced: invoices.size,
      doubleRuns: [...invoices.values()].filter((n) => n > 1).length,
    };
    record({
      drill: DRILL,
      case: 'a batch redelivered whole after a partial failure runs each good message once',
      injected: '4 good + 1 poison message as one batch, then the same batch again',
      expected: '4 orders invoiced, 0 invoiced twice',
      observed: `${counts.ordersInvoiced} invoiced, ${counts.doubleRuns} twice`,
      counts,
    });
    expect(counts).toEqual({ goodMessages: 4, deliveriesOfBatch: 2, ordersInvoiced: 4, doubleRuns: 0 });
  });

  it('the same event injected twice into the dispatch queue is delivered once per endpoint', async () => {
    const local = requireLocal(ctx.target);
    const tenantId = uniqueTenant('dispatch');
    await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('dispatch-1'),
      eventTypes: ['ping.sent'],
    });
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url('dispatch-2'), eventTypes: ['ping.*'] });
    const queue = findQueue(local.runtime.queues, /dispatch/i, false);
    const message = eventMessage('ping.sent', tenantId, { n: 1 });

    await Promise.all([
      inject(local.sqs, queue, message.body, message.attributes),
      inject(local.sqs, queue, message.body, message.attributes),
    ]);
    await waitUntil(
      () => [ctx.receiver.accepted('dispatch-1').length, ctx.receiver.accepted('dispatch-2').length],
      ([a, b]) => a! >= 1 && b! >= 1,
      { timeoutMs: 60_000, description: 'a webhook at each endpoint' },
    );
    const [one, two] = await holdsFor(
      () => [ctx.receiver.received('dispatch-1'), ctx.receiver.received('dispatch-2')],
      ([a, b]) => a!.length > 1 || b!.length > 1,
      QUIET_MS,
    );
    const counts = { injected: 2, endpoint1: one!.length, endpoint2: two!.length };
    record({
      drill: DRILL,
      case: 'the same event injected twice into the dispatch queue is delivered once per endpoint',
      injected: 'one event message sent twice, concurrently, to the dispatch queue (2 matching endpoints)',
      expected: '1 webhook per endpoint, webhook-id = event id',
      observed: `${counts.endpoint1} + ${counts.endpoint2} webhooks`,
      counts,
    });
    expect(counts).toEqual({ injected: 2, endpoint1: 1, endpoint2: 1 });
    expect(one![0]!.webhookId).toBe(message.id);
  });
});
