/**
 * Operations (issue 5, point 1): DLQ list / peek / redrive with a count of what moved; single and bulk
 * replay; both safe to run twice; deliveries to a disabled endpoint recorded `skipped` and replayable
 * once it is enabled. The tests run in file order on one runtime: the webhook-DLQ test comes before the
 * bulk-replay test, whose failed deliveries also land on the webhook DLQ.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../../lambdas/webhooks/backoff.js';
import {
  createEndpoint,
  deliveriesOf,
  dlqs,
  isWebhookDlq,
  orderPlaced,
  type PublishedEvent,
  peekDlq,
  publishOk,
  tenantEvents,
  uniqueTenant,
} from '../support/fixtures.js';
import { depth, eventMessage, findQueue, injectBatch, total } from '../support/queues.js';
import { ok, status } from '../support/receiver.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable, requireLocal, skipReason } from '../support/target.js';
import { holdsFor, waitUntil } from '../support/wait.js';
import {
  bulkReplay,
  deliveryTo,
  dlqDepth,
  effects,
  invoicedOrders,
  perId,
  redriveDlq,
  replayEvent,
  setEnabled,
} from './ops.js';

// 0.0001: the ~28 h retry schedule takes ~10 s, so a delivery can end `failed` within the test.
const ctx = useHerald({ timeScale: 0.0001 });
const TIMEOUT_MS = 60_000;
/** Long enough for a stray extra delivery (a second workflow, a redelivered message) to show up. */
const QUIET_MS = 1_500;
const PING = 'ping.sent';

/** Resolves once this machine's clock is past `createdAt`, so the next event sorts strictly after it. */
async function clockPast(createdAt: string): Promise<void> {
  const after = Date.parse(createdAt) + 2;
  await waitUntil(
    () => Date.now(),
    (now) => now > after,
    { description: `the clock past ${createdAt}` },
  );
}

describe.skipIf(receiverUnreachable('operations: replay and redrive'))(
  'operations: replay and redrive',
  () => {
    it('a disabled endpoint’s delivery is `skipped` and nothing arrives; enabled and replayed, it arrives once', async () => {
      const tenantId = uniqueTenant('skip');
      const endpoint = await createEndpoint(ctx.api, {
        tenantId,
        url: ctx.receiver.url('skip'),
        eventTypes: [PING],
      });
      await setEnabled(ctx.api, endpoint.id, false);

      const event = await publishOk(ctx.api, { type: PING, tenantId, data: { n: 1 } });
      const skipped = await waitUntil(
        () => deliveryTo(ctx.api, event.id, endpoint.id),
        (d) => d?.state === 'skipped',
        { timeoutMs: TIMEOUT_MS, description: 'the delivery recorded skipped' },
      );
      expect(skipped).toMatchObject({ state: 'skipped', generation: 0, attempts: 0 });
      expect((await deliveriesOf(ctx.api, event.id)).attempts).toEqual([]);
      const whileDisabled = await holdsFor(
        () => ctx.receiver.received('skip').length,
        (n) => n > 0,
        QUIET_MS,
      );
      expect(whileDisabled).toBe(0);
      // Replay goes to the endpoints that match now: a disabled one does not.
      expect(await replayEvent(ctx.api, event.id)).toEqual({ replayed: 0, failed: 0 });

      await setEnabled(ctx.api, endpoint.id, true);
      expect(await replayEvent(ctx.api, event.id)).toEqual({ replayed: 1, failed: 0 });
      const delivered = await waitUntil(
        () => deliveryTo(ctx.api, event.id, endpoint.id),
        (d) => d?.state === 'delivered',
        { timeoutMs: TIMEOUT_MS, description: 'the replayed delivery delivered' },
      );
      expect(delivered).toMatchObject({ state: 'delivered', generation: 1, attempts: 1 });
      const received = await holdsFor(
        () => ctx.receiver.received('skip'),
        (r) => r.length > 1,
        QUIET_MS,
      );
      expect(received.map((r) => [r.webhookId, r.answered])).toEqual([[event.id, '200']]);
      const { attempts } = await deliveriesOf(ctx.api, event.id);
      expect(attempts.map((a) => [a.generation, a.attempt, a.outcome])).toEqual([[1, 1, 'delivered']]);
    });

    it('replaying twice re-sends the same webhook-id each time (one effect after dedupe), a new generation each, no new events', async () => {
      const tenantId = uniqueTenant('twice');
      const endpoint = await createEndpoint(ctx.api, {
        tenantId,
        url: ctx.receiver.url('twice'),
        eventTypes: [PING],
      });
      const event = await publishOk(ctx.api, { type: PING, tenantId, data: { n: 2 } });
      const deliveredAs = (generation: number) =>
        waitUntil(
          () => deliveryTo(ctx.api, event.id, endpoint.id),
          (d) => d?.state === 'delivered' && d.generation === generation,
          { timeoutMs: TIMEOUT_MS, description: `generation ${generation} delivered` },
        );
      await deliveredAs(0);
      const eventsBefore = (await tenantEvents(ctx.api, tenantId)).length;

      expect(await replayEvent(ctx.api, event.id)).toEqual({ replayed: 1, failed: 0 });
      await deliveredAs(1);
      expect(await replayEvent(ctx.api, event.id, endpoint.id)).toEqual({ replayed: 1, failed: 0 });
      await deliveredAs(2);

      const received = await holdsFor(
        () => ctx.receiver.accepted('twice'),
        (r) => r.length > 3,
        QUIET_MS,
      );
      // At least once: the original and both replays arrive, all under the event's id, same payload.
      expect(received.map((r) => r.webhookId)).toEqual([event.id, event.id, event.id]);
      expect(new Set(received.map((r) => r.body)).size).toBe(1);
      expect([...effects(received)]).toEqual([event.id]);
      const history = await deliveriesOf(ctx.api, event.id);
      expect(history.deliveries).toHaveLength(1);
      expect(history.deliveries[0]).toMatchObject({ state: 'delivered', generation: 2, attempts: 1 });
      expect(history.attempts.map((a) => [a.generation, a.attempt, a.outcome])).toEqual([
        [0, 1, 'delivered'],
        [1, 1, 'delivered'],
        [2, 1, 'delivered'],
      ]);
      expect(eventsBefore).toBe(1);
      expect(await tenantEvents(ctx.api, tenantId)).toHaveLength(eventsBefore);
    });

    it.skipIf(
      skipReason('job DLQ redrive', 'direct SQS access to put messages on the job DLQ') !== undefined,
    )(
      'job DLQ: peek keeps messages; redrive moves n and each order is invoiced once; a second redrive moves 0; redriven duplicates change nothing',
      async () => {
        const local = requireLocal(ctx.target);
        const tenantId = uniqueTenant('jobdlq');
        await createEndpoint(ctx.api, {
          tenantId,
          url: ctx.receiver.url('jobdlq-invoices'),
          eventTypes: ['invoice.created'],
        });
        const sourceUrl = findQueue(local.runtime.queues, /invoice/i, false);
        const dlqUrl = findQueue(local.runtime.queues, /invoice/i, true);
        const dlq = (await dlqs(ctx.api)).find((q) => /invoice/i.test(q.sourceQueue));
        expect(dlq, 'GET /v1/dlq lists the invoice job DLQ').toBeDefined();
        const name = dlq!.name;
        expect(await dlqDepth(ctx.api, name)).toBe(0);

        // Good orders that were dead-lettered while, say, a dependency was down.
        const orderIds = ['dlq-1', 'dlq-2', 'dlq-3'];
        const messages = orderIds.map((id) => eventMessage('order.placed', tenantId, orderPlaced(id)));
        await injectBatch(local.sqs, dlqUrl, messages);
        await waitUntil(
          () => dlqDepth(ctx.api, name),
          (n) => n === messages.length,
          { description: `${messages.length} messages on the job DLQ` },
        );

        const peekIds = async () =>
          (await peekDlq(ctx.api, name)).map((m) => (m.body as { id?: string }).id ?? '').sort();
        const ids = messages.map((m) => m.id).sort();
        expect(await peekIds()).toEqual(ids);
        expect(await peekIds()).toEqual(ids);
        expect(await dlqDepth(ctx.api, name)).toBe(messages.length);

        const first = await redriveDlq(ctx.api, name);
        expect(first).toMatchObject({ moved: messages.length, failed: 0 });
        await waitUntil(
          async () => [
            invoicedOrders(await tenantEvents(ctx.api, tenantId)).join(','),
            ctx.receiver.accepted('jobdlq-invoices').length,
          ],
          ([orders, webhooks]) => orders === orderIds.join(',') && webhooks === orderIds.length,
          { timeoutMs: TIMEOUT_MS, description: 'every redriven order invoiced and its webhook delivered' },
        );

        const second = await redriveDlq(ctx.api, name);
        expect(second).toMatchObject({ moved: 0, failed: 0 });
        expect(await dlqDepth(ctx.api, name)).toBe(0);

        // The same messages dead-lettered again (e.g. processed, but the delete was lost) and redriven:
        // the job's idempotency answers them from its table, so nothing is invoiced or sent twice.
        await injectBatch(local.sqs, dlqUrl, messages);
        await waitUntil(
          () => dlqDepth(ctx.api, name),
          (n) => n === messages.length,
          { description: 'the duplicates on the job DLQ' },
        );
        expect(await redriveDlq(ctx.api, name)).toMatchObject({ moved: messages.length, failed: 0 });
        await waitUntil(
          async () => total(await depth(local.sqs, sourceUrl)) + total(await depth(local.sqs, dlqUrl)),
          (n) => n === 0,
          { timeoutMs: TIMEOUT_MS, description: 'the redriven duplicates consumed' },
        );
        const webhooks = await holdsFor(
          () => ctx.receiver.received('jobdlq-invoices'),
          (r) => r.length > orderIds.length,
          QUIET_MS,
        );
        expect(webhooks).toHaveLength(orderIds.length);
        expect(effects(webhooks).size).toBe(orderIds.length);
        expect(invoicedOrders(await tenantEvents(ctx.api, tenantId))).toEqual(orderIds);
        expect(await dlqDepth(ctx.api, name)).toBe(0);
      },
    );

    it('webhook DLQ: a `failed` delivery is redriven once the receiver recovers and arrives once; a second redrive moves 0', async () => {
      const tenantId = uniqueTenant('whdlq');
      const endpoint = await createEndpoint(ctx.api, {
        tenantId,
        url: ctx.receiver.url('whdlq'),
        eventTypes: [PING],
      });
      ctx.receiver.setDefault('whdlq', status(503));

      const event = await publishOk(ctx.api, { type: PING, tenantId, data: { n: 5 } });
      const failed = await waitUntil(
        () => deliveryTo(ctx.api, event.id, endpoint.id),
        (d) => d?.state === 'failed',
        { timeoutMs: 120_000, intervalMs: 250, description: 'the delivery to end failed' },
      );
      expect(failed).toMatchObject({ generation: 0, attempts: MAX_ATTEMPTS });
      const webhookDlq = await waitUntil(
        async () => (await dlqs(ctx.api)).find(isWebhookDlq),
        (q) => q !== undefined && q.depth === 1,
        { description: 'the failed delivery on the webhook DLQ' },
      );
      const name = webhookDlq!.name;
      const peeked = await peekDlq(ctx.api, name);
      expect(peeked.map((m) => m.body)).toMatchObject([
        { kind: 'herald.redeliver', eventId: event.id, endpointId: endpoint.id, reason: 'redrive' },
      ]);
      expect(await dlqDepth(ctx.api, name)).toBe(1);
      expect(ctx.receiver.accepted('whdlq')).toHaveLength(0);

      ctx.receiver.setDefault('whdlq', ok);
      expect(await redriveDlq(ctx.api, name)).toMatchObject({ moved: 1, failed: 0 });
      const delivered = await waitUntil(
        () => deliveryTo(ctx.api, event.id, endpoint.id),
        (d) => d?.state === 'delivered',
        { timeoutMs: TIMEOUT_MS, description: 'the redriven delivery delivered' },
      );
      expect(delivered).toMatchObject({ generation: 1, attempts: 1 });

      expect(await redriveDlq(ctx.api, name)).toMatchObject({ moved: 0, failed: 0 });
      expect(await dlqDepth(ctx.api, name)).toBe(0);
      const accepted = await holdsFor(
        () => ctx.receiver.accepted('whdlq'),
        (r) => r.length > 1,
        QUIET_MS,
      );
      expect(accepted.map((r) => r.webhookId)).toEqual([event.id]);
      expect(ctx.receiver.received('whdlq')).toHaveLength(MAX_ATTEMPTS + 1);
      expect((await deliveryTo(ctx.api, event.id, endpoint.id))?.generation).toBe(1);
    });

    it('bulk replay by tenant + window (+ endpoint, + status=failed) replays exactly the events in the window', async () => {
      const tenantId = uniqueTenant('bulk');
      const a = await createEndpoint(ctx.api, {
        tenantId,
        url: ctx.receiver.url('bulk-a'),
        eventTypes: [PING],
      });
      const b = await createEndpoint(ctx.api, {
        tenantId,
        url: ctx.receiver.url('bulk-b'),
        eventTypes: [PING],
      });
      // 410 is permanent: B's deliveries end `failed` on the first attempt.
      ctx.receiver.setDefault('bulk-b', status(410));

      // before | e1 e2 e3 (the window: since inclusive, until exclusive) | after
      const send = (n: number) => publishOk(ctx.api, { type: PING, tenantId, data: { n } });
      const before = await send(0);
      await clockPast(before.createdAt);
      const inWindow: PublishedEvent[] = [];
      for (const n of [1, 2, 3]) inWindow.push(await send(n));
      await clockPast(inWindow[2]!.createdAt);
      const after = await send(4);
      const all = [before, ...inWindow, after];
      const ids = all.map((e) => e.id);
      expect(before.createdAt < inWindow[0]!.createdAt && inWindow[2]!.createdAt < after.createdAt).toBe(
        true,
      );
      const window = { tenantId, since: inWindow[0]!.createdAt, until: after.createdAt };

      /** Waits until event i's delivery to `endpointId` is `expected[i]`: "state@generation". */
      const settled = (endpointId: string, expected: readonly string[]) =>
        waitUntil(
          () => Promise.all(ids.map((id) => deliveryTo(ctx.api, id, endpointId))),
          (ds) => ds.every((d, i) => `${d?.state}@${d?.generation}` === expected[i]),
          { timeoutMs: TIMEOUT_MS, description: `deliveries to ${endpointId}: ${expected.join(' ')}` },
        );
      const states = (state: string, generations: readonly number[]) =>
        generations.map((g) => `${state}@${g}`);
      /** Per-event counts [A accepted, B received] stay `expected` for a quiet period (fails early on excess). */
      const expectCounts = async (expected: readonly (readonly number[])[]) => {
        const seen = await holdsFor(
          () => [perId(ctx.receiver.accepted('bulk-a'), ids), perId(ctx.receiver.received('bulk-b'), ids)],
          (counts) => counts.some((row, r) => row.some((n, i) => n > expected[r]![i]!)),
          QUIET_MS,
        );
        expect(seen).toEqual(expected);
      };
      await settled(a.id, states('delivered', [0, 0, 0, 0, 0]));
      await settled(b.id, states('failed', [0, 0, 0, 0, 0]));
      expect(perId(ctx.receiver.accepted('bulk-a'), ids)).toEqual([1, 1, 1, 1, 1]);

      // Every matching endpoint, in the window only.
      expect(await bulkReplay(ctx.api, window)).toEqual({
        replayed: 6,
        failed: 0,
        events: 3,
        // Read: the window's events, Herald's operational events for B's failures among them (they
        // match no endpoint here, so they are not counted in `events`; counting them made this flaky).
        examined: expect.any(Number),
        truncated: false,
      });
      await settled(a.id, states('delivered', [0, 1, 1, 1, 0]));
      await settled(b.id, states('failed', [0, 1, 1, 1, 0]));
      await expectCounts([
        [1, 2, 2, 2, 1],
        [1, 2, 2, 2, 1],
      ]);

      // One endpoint.
      expect(await bulkReplay(ctx.api, { ...window, endpointId: a.id })).toEqual({
        replayed: 3,
        failed: 0,
        events: 3,
        // Read: the window's events, Herald's operational events for B's failures among them (they
        // match no endpoint here, so they are not counted in `events`; counting them made this flaky).
        examined: expect.any(Number),
        truncated: false,
      });
      await settled(a.id, states('delivered', [0, 2, 2, 2, 0]));
      await expectCounts([
        [1, 3, 3, 3, 1],
        [1, 2, 2, 2, 1],
      ]);

      // Only the failed deliveries (B's), after B recovers; B's failures outside the window stay failed.
      ctx.receiver.setDefault('bulk-b', ok);
      // A's deliveries are not failed: the filter keeps no event.
      expect(await bulkReplay(ctx.api, { ...window, endpointId: a.id, status: 'failed' })).toMatchObject({
        replayed: 0,
        events: 0,
      });
      expect(await bulkReplay(ctx.api, { ...window, status: 'failed' })).toEqual({
        replayed: 3,
        failed: 0,
        events: 3,
        // Read: the window's events, Herald's operational events for B's failures among them (they
        // match no endpoint here, so they are not counted in `events`; counting them made this flaky).
        examined: expect.any(Number),
        truncated: false,
      });
      await settled(b.id, ['failed@0', 'delivered@2', 'delivered@2', 'delivered@2', 'failed@0']);
      // Run again: nothing is failed in the window any more, so nothing is replayed.
      expect(await bulkReplay(ctx.api, { ...window, status: 'failed' })).toMatchObject({
        replayed: 0,
        events: 0,
      });
      await expectCounts([
        [1, 3, 3, 3, 1],
        [1, 3, 3, 3, 1],
      ]);
      expect(perId(ctx.receiver.accepted('bulk-b'), ids)).toEqual([0, 1, 1, 1, 0]);
      const outside = await Promise.all([before, after].map((e) => deliveryTo(ctx.api, e.id, b.id)));
      expect(outside.map((d) => [d?.state, d?.generation])).toEqual([
        ['failed', 0],
        ['failed', 0],
      ]);
      // No new events of the producer's: replays re-deliver, they do not publish. B's failures did make
      // Herald publish operational events (herald.endpoint.failing, herald.delivery.exhausted) to the tenant.
      const published = await tenantEvents(ctx.api, tenantId);
      expect(published.filter((e) => !e.type.startsWith('herald.'))).toHaveLength(all.length);
    });
  },
);
