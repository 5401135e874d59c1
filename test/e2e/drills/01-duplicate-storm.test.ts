/**
 * Drill 1 — duplicate storm: 50 concurrent publishes with one Idempotency-Key. Clients retry a 409
 * (first request still in flight) as the API asks. Expect one event, one job run, one webhook per
 * endpoint; the same key with another body → 422 and nothing new.
 */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../support/api.js';
import { createEndpoint, orderPlaced, publish, tenantEvents, uniqueTenant } from '../support/fixtures.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { holdsFor, pause, waitUntil } from '../support/wait.js';

const ctx = useHerald();
const DRILL = '1 duplicate storm';
const CONCURRENCY = 50;

describe.skipIf(receiverUnreachable(DRILL))(DRILL, () => {
  it('50 concurrent publishes with one key: one event, one job run, one webhook per endpoint', async () => {
    const tenantId = uniqueTenant('storm');
    await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('storm-orders'),
      eventTypes: ['order.placed'],
    });
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url('storm-all'), eventTypes: ['*'] });
    const event = { type: 'order.placed', tenantId, data: orderPlaced('storm-1') };

    const statuses: number[] = [];
    const ids = await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const response = await publish(ctx.api, event, 'storm-key');
          statuses.push(response.status);
          if (response.status === 202) return response.body.id;
          if (response.status !== 409) return `HTTP ${response.status}`;
          await pause(20 * (attempt + 1)); // client back-off on "in flight"
        }
        return 'gave up';
      }),
    );
    await waitUntil(
      () => [ctx.receiver.accepted('storm-orders').length, ctx.receiver.accepted('storm-all').length],
      ([orders, all]) => orders === 1 && all === 2,
      { timeoutMs: 60_000, description: 'order.placed to both endpoints and invoice.created to one' },
    );
    await holdsFor(
      () => ctx.receiver.received().length,
      (n) => n > 3,
      1_500,
    );
    const events = await tenantEvents(ctx.api, tenantId);
    const counts = {
      publishes: CONCURRENCY,
      accepted202: statuses.filter((s) => s === 202).length,
      inFlight409: statuses.filter((s) => s === 409).length,
      other: statuses.filter((s) => s !== 202 && s !== 409).length,
      distinctEventIds: new Set(ids).size,
      orderEvents: events.filter((e) => e.type === 'order.placed').length,
      jobRuns: events.filter((e) => e.type === 'invoice.created').length,
      webhooksOrdersEndpoint: ctx.receiver.received('storm-orders').length,
      webhooksAllEndpoint: ctx.receiver.received('storm-all').length,
    };
    record({
      drill: DRILL,
      case: '50 concurrent publishes with one key: one event, one job run, one webhook per endpoint',
      injected: `${CONCURRENCY} concurrent POST /v1/events, same key and body; 409s retried`,
      expected:
        '1 event id, 1 order.placed, 1 invoice.created, 1 webhook to the order endpoint, 2 to the "*" one',
      observed: `${counts.distinctEventIds} id(s), ${counts.orderEvents} order.placed, ${counts.jobRuns} invoice.created, webhooks ${counts.webhooksOrdersEndpoint} + ${counts.webhooksAllEndpoint}`,
      counts,
    });
    expect(counts).toMatchObject({
      accepted202: CONCURRENCY,
      other: 0,
      distinctEventIds: 1,
      orderEvents: 1,
      jobRuns: 1,
      webhooksOrdersEndpoint: 1,
      webhooksAllEndpoint: 2,
    });
  });

  it('the same key with another body → 422 idempotency_key_reused, nothing new', async () => {
    const tenantId = uniqueTenant('storm2');
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url('storm2'), eventTypes: ['*'] });
    const first = await publish(
      ctx.api,
      { type: 'order.placed', tenantId, data: orderPlaced('a') },
      'reuse-key',
    );
    expect(first.status).toBe(202);
    await waitUntil(
      () => ctx.receiver.accepted('storm2').length,
      (n) => n === 2,
      { timeoutMs: 60_000 },
    );

    const reuse = await Promise.all(
      ['b', 'c', 'd'].map((orderId) =>
        ctx.api.post<Problem>(
          '/v1/events',
          { type: 'order.placed', tenantId, data: orderPlaced(orderId) },
          { headers: { 'idempotency-key': 'reuse-key' } },
        ),
      ),
    );
    await holdsFor(
      () => ctx.receiver.received('storm2').length,
      (n) => n > 2,
      1_500,
    );
    const events = await tenantEvents(ctx.api, tenantId);
    const counts = {
      reusedRequests: reuse.length,
      answered422: reuse.filter((r) => r.status === 422 && r.body.code === 'idempotency_key_reused').length,
      events: events.length,
      webhooks: ctx.receiver.received('storm2').length,
    };
    record({
      drill: DRILL,
      case: 'the same key with another body → 422 idempotency_key_reused, nothing new',
      injected: '3 publishes reusing a settled key with different bodies',
      expected: '3 × 422 idempotency_key_reused; still 2 events (order + invoice) and 2 webhooks',
      observed: `${counts.answered422} × 422; ${counts.events} events; ${counts.webhooks} webhooks`,
      counts,
    });
    expect(counts).toEqual({ reusedRequests: 3, answered422: 3, events: 2, webhooks: 2 });
  });
});
