/**
 * Payload filters end to end (issue 22, adrs/0010): two endpoints of one tenant, both subscribed to
 * order.placed, with different filters; 1,000 events published, 16 at a time. Each endpoint receives
 * exactly the events its filter lets through — no more, no fewer (by webhook-id) — and on the local
 * runtime the dispatcher's EventsFilteredOut metric counts every event turned away.
 */
import { describe, expect, it } from 'vitest';
import { createEndpoint, publishOk, uniqueTenant } from './support/fixtures.js';
import { useHerald } from './support/suite.js';
import { receiverUnreachable } from './support/target.js';
import { waitUntil } from './support/wait.js';

const ctx = useHerald();
const NAME = 'payload filters';
const EVENTS = 1000;
/** Publishers at once. */
const CONCURRENCY = 16;
const skip = receiverUnreachable(NAME);

/** Order i: EUR for every third, one line priced (i % 10) × 1,000 minor units. */
function order(i: number) {
  return {
    orderId: `F${i}`,
    currency: i % 3 === 0 ? 'EUR' : 'USD',
    lines: [{ sku: 'A', quantity: 1, unitPrice: (i % 10) * 1000 }],
  };
}

describe.skipIf(skip)(NAME, () => {
  it(`two endpoints with different filters each receive exactly their share of ${EVENTS} events`, async () => {
    const tenantId = uniqueTenant('filters');
    await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('filter-eur'),
      eventTypes: ['order.placed'],
      filter: { data: { currency: ['EUR'] } },
    });
    await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('filter-large'),
      eventTypes: ['order.*'],
      filter: { type: ['order.placed'], data: { lines: { unitPrice: [{ numeric: ['>=', 5000] }] } } },
    });

    const idByOrder = new Map<string, string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < EVENTS) {
          const i = next++;
          const event = await publishOk(ctx.api, { type: 'order.placed', tenantId, data: order(i) });
          idByOrder.set(`F${i}`, event.id);
        }
      }),
    );
    const ids = (predicate: (i: number) => boolean) =>
      new Set(
        Array.from({ length: EVENTS }, (_, i) => i)
          .filter(predicate)
          .map((i) => idByOrder.get(`F${i}`)!),
      );
    const wantEur = ids((i) => i % 3 === 0);
    const wantLarge = ids((i) => i % 10 >= 5);
    expect(wantEur.size).toBe(334);
    expect(wantLarge.size).toBe(500);

    const received = (name: string) => ctx.receiver.accepted(name).map((r) => r.webhookId!);
    await waitUntil(
      () => new Set(received('filter-eur')).size + new Set(received('filter-large')).size,
      (n) => n >= wantEur.size + wantLarge.size,
      { timeoutMs: 600_000, intervalMs: 500, description: 'both shares delivered' },
    );
    // Nothing more arrives after the expected count: polled for a quiet period of 3 s.
    let last = -1;
    let changedAt = Date.now();
    await waitUntil(
      () => {
        const n = received('filter-eur').length + received('filter-large').length;
        if (n !== last) [last, changedAt] = [n, Date.now()];
        return Date.now() - changedAt;
      },
      (quietMs) => quietMs >= 3000,
      { timeoutMs: 60_000, intervalMs: 250, description: 'no further webhook for 3 s' },
    );

    for (const [name, want] of [
      ['filter-eur', wantEur],
      ['filter-large', wantLarge],
    ] as const) {
      const got = received(name);
      // Delivery is at-least-once (docs/patterns/delivery-semantics.md): a receiver dedupes by
      // webhook-id, so the share is the set of distinct ids; repeats are reported, not a filter matter.
      const repeats = got.length - new Set(got).size;
      if (repeats > 0) console.info(`[filters e2e] ${name}: ${repeats} repeated POST(s) of ${got.length}`);
      expect(new Set(got), `${name}: exactly its share`).toEqual(want);
    }

    const local = ctx.target.local;
    if (local?.runtime.metricsUrl !== undefined) {
      const filteredOut = EVENTS - wantEur.size + (EVENTS - wantLarge.size);
      await waitUntil(
        async () => {
          const doc = (await (await fetch(local.runtime.metricsUrl!)).json()) as {
            metrics?: Record<string, number>;
          };
          return doc.metrics?.EventsFilteredOut ?? 0;
        },
        (n) => n === filteredOut,
        { timeoutMs: 30_000, intervalMs: 500, description: `EventsFilteredOut = ${filteredOut}` },
      );
    }
  }, 900_000);
});
