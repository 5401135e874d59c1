/**
 * The black-box pipeline (issue 3, point 5): publish → job → signed webhook; idempotent publish;
 * retries with growing intervals; exhausted retries → `failed` + webhook DLQ; a poison job message →
 * job DLQ while other messages flow. Runs against HERALD_E2E_TARGET (local by default).
 */
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../lambdas/webhooks/backoff.js';
import {
  createEndpoint,
  deliveriesOf,
  dlqs,
  isWebhookDlq,
  orderPlaced,
  peekDlq,
  publishOk,
  scheduledWaitMs,
  tenantEvents,
  uniqueTenant,
  verifyWithLibrary,
} from './support/fixtures.js';
import { findQueue, inject } from './support/queues.js';
import { status } from './support/receiver.js';
import { useHerald } from './support/suite.js';
import { receiverUnreachable, requireLocal, skipReason } from './support/target.js';
import { holdsFor, waitUntil } from './support/wait.js';

// 0.0001: the whole ~28 h schedule takes ~10 s, and each step still grows (0.5 ms, 30 ms, 180 ms, ...).
const ctx = useHerald({ timeScale: 0.0001 });
const DELIVERY_TIMEOUT_MS = 60_000;
/** Long enough for a stray duplicate (a redelivered SQS message, a second workflow) to show up. */
const QUIET_MS = 1_500;

describe.skipIf(receiverUnreachable('pipeline'))('pipeline', () => {
  it('order.placed runs the invoice job, whose invoice.created webhook arrives signed and verifiable', async () => {
    const tenantId = uniqueTenant('pipe');
    const endpoint = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('pipe-invoice'),
      eventTypes: ['invoice.created'],
    });

    const order = await publishOk(ctx.api, { type: 'order.placed', tenantId, data: orderPlaced('1001') });
    expect(order.id).toMatch(/^evt_[0-9A-Z]{26}$/);

    const [webhook] = await waitUntil(
      () => ctx.receiver.accepted('pipe-invoice'),
      (r) => r.length >= 1,
      { timeoutMs: DELIVERY_TIMEOUT_MS, description: 'the invoice.created webhook' },
    );
    const payload = verifyWithLibrary(endpoint.secret, webhook!) as Record<string, unknown>;
    expect(payload).toMatchObject({ type: 'invoice.created', tenantId });
    expect(payload.data).toMatchObject({ orderId: '1001' });
    expect(webhook!.webhookId).toBe(payload.id);
    // The receiver verified it on arrival with standardwebhooks, as every webhook of the suite.
    expect(webhook!.verified).toBe(true);
    expect(() => verifyWithLibrary(`whsec_${Buffer.alloc(24).toString('base64')}`, webhook!)).toThrow();

    const later = await holdsFor(
      () => ctx.receiver.received('pipe-invoice'),
      (r) => r.length > 1,
      QUIET_MS,
    );
    expect(later).toHaveLength(1);
    const events = await tenantEvents(ctx.api, tenantId);
    expect(events.map((e) => e.type).sort()).toEqual(['invoice.created', 'order.placed']);
  });

  it('the same Idempotency-Key twice gives one event, one job run and one webhook per endpoint', async () => {
    const tenantId = uniqueTenant('idem');
    await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('idem-orders'),
      eventTypes: ['order.placed'],
    });
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url('idem-all'), eventTypes: ['*'] });
    const event = { type: 'order.placed', tenantId, data: orderPlaced('2002') };

    const first = await publishOk(ctx.api, event, 'idem-key-1');
    const second = await publishOk(ctx.api, event, 'idem-key-1');
    expect(second.id).toBe(first.id);

    // order.placed to both endpoints, invoice.created to the "*" one.
    await waitUntil(
      () => [ctx.receiver.accepted('idem-orders').length, ctx.receiver.accepted('idem-all').length],
      ([orders, all]) => orders === 1 && all === 2,
      {
        timeoutMs: DELIVERY_TIMEOUT_MS,
        description: 'one order.placed per endpoint and one invoice.created',
      },
    );
    await holdsFor(
      () => ctx.receiver.received('idem-all').length,
      (n) => n > 2,
      QUIET_MS,
    );
    expect(ctx.receiver.received('idem-orders')).toHaveLength(1);
    expect(ctx.receiver.received('idem-all')).toHaveLength(2);
    const events = await tenantEvents(ctx.api, tenantId);
    expect(events.filter((e) => e.type === 'order.placed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'invoice.created')).toHaveLength(1);
  });

  it('a receiver that fails twice then succeeds gets the event, with attempts at growing intervals', async () => {
    const tenantId = uniqueTenant('retry');
    const endpoint = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('retry-twice'),
      eventTypes: ['ping.sent'],
    });
    ctx.receiver.script('retry-twice', [status(500), status(502)]);

    const event = await publishOk(ctx.api, { type: 'ping.sent', tenantId, data: { n: 1 } });
    const history = await waitUntil(
      () => deliveriesOf(ctx.api, event.id),
      (h) => h.deliveries[0]?.state === 'delivered' && h.attempts.length === 3,
      { timeoutMs: DELIVERY_TIMEOUT_MS, description: 'a delivered delivery with 3 attempts' },
    );

    expect(history.deliveries).toHaveLength(1);
    expect(history.deliveries[0]).toMatchObject({ endpointId: endpoint.id, state: 'delivered', attempts: 3 });
    expect(history.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retrying'],
      [2, 502, 'retrying'],
      [3, 200, 'delivered'],
    ]);
    const received = ctx.receiver.received('retry-twice');
    expect(received.map((r) => r.answered)).toEqual(['500', '502', '200']);
    expect(new Set(received.map((r) => r.webhookId))).toEqual(new Set([event.id]));
    // Growing intervals: the scheduled waits (5 s then 5 min, ±20%, × time scale) grow, and the
    // receiver never saw an attempt before its scheduled time.
    const waits = history.attempts.slice(0, 2).map((a) => scheduledWaitMs(a)!);
    expect(waits[1]).toBeGreaterThan(waits[0]!);
    const gaps = [received[1]!.at - received[0]!.at, received[2]!.at - received[1]!.at];
    // Both clocks are this machine's, read at slightly different moments: allow 5 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(waits[0]! - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(waits[1]! - 5);
  });

  it('a receiver that always fails ends `failed`, with every attempt recorded and the message on the webhook DLQ', async () => {
    const tenantId = uniqueTenant('dead');
    const endpoint = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('always-500'),
      eventTypes: ['ping.sent'],
    });
    ctx.receiver.setDefault('always-500', status(500));

    const event = await publishOk(ctx.api, { type: 'ping.sent', tenantId, data: { n: 2 } });
    const history = await waitUntil(
      () => deliveriesOf(ctx.api, event.id),
      (h) => h.deliveries[0]?.state === 'failed',
      { timeoutMs: 120_000, intervalMs: 250, description: 'the delivery to end failed' },
    );
    expect(history.deliveries[0]).toMatchObject({
      endpointId: endpoint.id,
      state: 'failed',
      attempts: MAX_ATTEMPTS,
    });
    expect(history.attempts).toHaveLength(MAX_ATTEMPTS);
    expect(history.attempts.at(-1)?.outcome).toBe('failed');
    expect(ctx.receiver.received('always-500')).toHaveLength(MAX_ATTEMPTS);
    // The schedule grows step by step until its last two (equal, 10 h) steps.
    const waits = history.attempts.map(scheduledWaitMs).filter((w): w is number => w !== undefined);
    expect(waits).toHaveLength(MAX_ATTEMPTS - 1);
    for (let i = 1; i < waits.length - 1; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]!);

    const webhookDlq = await waitUntil(
      async () => (await dlqs(ctx.api)).find(isWebhookDlq),
      (q) => q !== undefined && q.depth >= 1,
      { description: 'the webhook DLQ to hold the failed delivery' },
    );
    const messages = await peekDlq(ctx.api, webhookDlq!.name);
    const ours = messages.filter((m) => (m.body as { eventId?: string }).eventId === event.id);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toMatchObject({
      kind: 'herald.redeliver',
      eventId: event.id,
      endpointId: endpoint.id,
      reason: 'redrive',
      attempts: MAX_ATTEMPTS,
    });
  });

  it.skipIf(skipReason('poison job message', 'direct SQS access to inject a message') !== undefined)(
    'a poison job message lands on the job DLQ at once (not retryable) while other orders flow',
    async () => {
      const local = requireLocal(ctx.target);
      const tenantId = uniqueTenant('poison');
      const invoiceQueue = findQueue(local.runtime.queues, /invoice/i, false);
      await inject(local.sqs, invoiceQueue, '{"this is": not json', { type: 'order.placed', tenantId });
      const orders = await Promise.all(
        ['p1', 'p2', 'p3'].map((id) =>
          publishOk(ctx.api, { type: 'order.placed', tenantId, data: orderPlaced(id) }),
        ),
      );

      await waitUntil(
        async () =>
          (await tenantEvents(ctx.api, tenantId)).filter((e) => e.type === 'invoice.created').length,
        (n) => n === orders.length,
        { timeoutMs: DELIVERY_TIMEOUT_MS, description: 'every valid order invoiced' },
      );
      const jobDlq = await waitUntil(
        async () => (await dlqs(ctx.api)).find((q) => /invoice/i.test(q.sourceQueue)),
        (q) => q !== undefined && q.depth === 1,
        { timeoutMs: 180_000, intervalMs: 500, description: 'the poison message on the invoice DLQ' },
      );
      const [poison] = await peekDlq(ctx.api, jobDlq!.name);
      expect(poison?.body).toBe('{"this is": not json');
      // The reason travels with it, so a peek shows why it is there.
      expect(poison?.attributes).toMatchObject({
        'herald-job': 'invoice',
        'herald-error-code': 'invalid_request',
        'herald-error': 'message body is not JSON',
      });
      const invoices = (await tenantEvents(ctx.api, tenantId)).filter((e) => e.type === 'invoice.created');
      expect(invoices).toHaveLength(3);
    },
  );
});
