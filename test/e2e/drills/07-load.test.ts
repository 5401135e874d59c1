/**
 * Drill 7 — load: N orders (HERALD_DRILL_LOAD_EVENTS; `npm run drills` defaults to 20,000, `npm test`
 * to 500) with 5% of first webhook attempts failing. Zero lost (every event accepted by the receiver),
 * zero double side effects (one invoice per order, one 2xx per webhook-id); attempts and latency
 * percentiles are reported.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createEndpoint,
  orderPlaced,
  publishOk,
  tally,
  tenantEvents,
  uniqueTenant,
} from '../support/fixtures.js';
import { status } from '../support/receiver.js';
import { percentile, record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { settle, waitUntil } from '../support/wait.js';

const ctx = useHerald();
const DRILL = '7 load';
const EVENTS = Number(process.env.HERALD_DRILL_LOAD_EVENTS ?? 500);
const CONCURRENCY = Number(process.env.HERALD_DRILL_LOAD_CONCURRENCY ?? 32);
/** One in twenty first attempts fails: 5%. */
const FAIL_ONE_IN = 20;
const NAME = 'load';
const skip = receiverUnreachable(DRILL);
const TIMEOUT_MS = 300_000 + EVENTS * 60;

/** Deterministic 5% choice by webhook-id, so the number of failures is known afterwards. */
const failsFirst = (id: string): boolean => createHash('sha256').update(id).digest()[0]! % FAIL_ONE_IN === 0;

async function inPool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

describe.skipIf(skip)(DRILL, () => {
  it(
    `${EVENTS} orders with 5% first-attempt failures: zero lost, zero double side effects`,
    async () => {
      console.info(
        `[drill 7] load run with ${EVENTS} events (HERALD_DRILL_LOAD_EVENTS), concurrency ${CONCURRENCY}`,
      );
      const tenantId = uniqueTenant('load');
      await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url(NAME), eventTypes: ['order.placed'] });
      ctx.receiver.respondWith(NAME, (id, seenBefore) =>
        id !== undefined && seenBefore === 0 && failsFirst(id) ? status(503) : undefined,
      );

      const started = Date.now();
      const published = await inPool(EVENTS, CONCURRENCY, async (i) => {
        const event = await publishOk(ctx.api, {
          type: 'order.placed',
          tenantId,
          data: orderPlaced(`L${i}`),
        });
        return { id: event.id, at: Date.now() };
      });
      const publishMs = Date.now() - started;
      const ids = new Set(published.map((p) => p.id));
      const publishedAt = new Map(published.map((p) => [p.id, p.at]));

      await waitUntil(
        () => new Set(ctx.receiver.accepted(NAME).map((r) => r.webhookId)).size,
        (n) => n === EVENTS,
        { timeoutMs: TIMEOUT_MS, intervalMs: 500, description: `${EVENTS} distinct webhooks accepted` },
      );
      const deliveredMs = Date.now() - started;
      const events = await settle(
        () => tenantEvents(ctx.api, tenantId),
        (all) => all.filter((e) => e.type === 'invoice.created').length >= EVENTS,
        TIMEOUT_MS / 4,
        1_000,
      );
      const received = ctx.receiver.received(NAME);
      const accepted = ctx.receiver.accepted(NAME);
      const acceptedTally = tally(accepted.map((r) => r.webhookId));
      const invoiceTally = tally(
        events.filter((e) => e.type === 'invoice.created').map((e) => String(e.data.orderId)),
      );
      const firstAccept = new Map<string, number>();
      for (const r of accepted) if (!firstAccept.has(r.webhookId!)) firstAccept.set(r.webhookId!, r.at);
      const latencies = [...firstAccept]
        .map(([id, at]) => at - (publishedAt.get(id) ?? at))
        .sort((a, b) => a - b);
      const attemptsPerEvent = tally(received.map((r) => r.webhookId));
      const expectedFailures = [...ids].filter(failsFirst).length;

      const counts = {
        events: EVENTS,
        distinctIds: ids.size,
        lost: [...ids].filter((id) => !acceptedTally.counts.has(id)).length,
        acceptedTwice: acceptedTally.repeated.length,
        invoices: invoiceTally.counts.size,
        invoicedTwice: invoiceTally.repeated.length,
        injectedFirstAttemptFailures: expectedFailures,
        totalAttempts: received.length,
        maxAttemptsForOneEvent: Math.max(...attemptsPerEvent.counts.values()),
        latencyP50Ms: percentile(latencies, 50),
        latencyP95Ms: percentile(latencies, 95),
        latencyP99Ms: percentile(latencies, 99),
        latencyMaxMs: latencies.at(-1) ?? Number.NaN,
        publishMs,
        deliveredMs,
        throughputPerSecond: Math.round((EVENTS / deliveredMs) * 1000),
      };
      record({
        drill: DRILL,
        case: `${EVENTS} orders with 5% first-attempt failures: zero lost, zero double side effects`,
        injected: `${EVENTS} order.placed events (concurrency ${CONCURRENCY}); the receiver answers 503 to the first attempt of ${expectedFailures} of them`,
        expected: `0 lost, 0 accepted twice, ${EVENTS} invoices, 0 invoiced twice, attempts = ${EVENTS + expectedFailures}`,
        observed: `${counts.lost} lost, ${counts.acceptedTwice} accepted twice, ${counts.invoices} invoices, ${counts.invoicedTwice} twice, ${counts.totalAttempts} attempts; latency p50 ${counts.latencyP50Ms} ms, p95 ${counts.latencyP95Ms} ms, p99 ${counts.latencyP99Ms} ms; ${counts.throughputPerSecond} events/s`,
        counts,
      });
      expect(counts).toMatchObject({
        distinctIds: EVENTS,
        lost: 0,
        acceptedTwice: 0,
        invoices: EVENTS,
        invoicedTwice: 0,
        totalAttempts: EVENTS + expectedFailures,
      });
    },
    TIMEOUT_MS + 60_000,
  );
});
