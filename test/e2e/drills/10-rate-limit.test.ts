/**
 * Drill 10 — a rate-limited endpoint: 100 events at once to an endpoint with `rateLimit` 5. The
 * receiver counts deliveries per one-second window, by the second Herald signed each POST
 * (`webhook-timestamp`, Herald's clock): none over the limit beyond a tolerance of 1 (the slot is
 * taken a moment before signing, which can fall in the next second); windows by arrival (the
 * receiver's clock, network and load delays included) are reported. All 100 are delivered — none
 * dropped or dead-lettered for the limit; a repeat only follows a POST the sender gave up on.
 */
import { describe, expect, it } from 'vitest';
import { deliveriesOf, publishOk, uniqueTenant } from '../support/fixtures.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { waitUntil } from '../support/wait.js';

const ctx = useHerald({ timeScale: 0.001 });
const DRILL = '10 rate-limited endpoint';
const skip = receiverUnreachable(DRILL);
const EVENTS = 100;
const RATE_LIMIT = 5;
const TOLERANCE = 1;
const NAME = 'limited';

describe.skipIf(skip)(DRILL, () => {
  it(`${EVENTS} events at rateLimit ${RATE_LIMIT}: no one-second window over the limit (+${TOLERANCE}), all delivered`, {
    timeout: 300_000,
  }, async () => {
    const tenantId = uniqueTenant('rate');
    const created = await ctx.api.post<{ id: string }>('/v1/endpoints', {
      tenantId,
      url: ctx.receiver.url(NAME),
      eventTypes: ['ping.sent'],
      rateLimit: RATE_LIMIT,
    });
    expect(created.status).toBe(201);
    const started = Date.now();
    const events = await Promise.all(
      Array.from({ length: EVENTS }, (_, n) =>
        publishOk(ctx.api, { type: 'ping.sent', tenantId, data: { n } }),
      ),
    );
    const published = Date.now();
    await waitUntil(
      () => new Set(ctx.receiver.accepted(NAME).map((r) => r.webhookId)).size,
      (n) => n === EVENTS,
      { timeoutMs: 240_000, intervalMs: 200, description: `all ${EVENTS} accepted` },
    );
    const received = ctx.receiver.received(NAME);
    const countBy = (key: (r: (typeof received)[number]) => number) => {
      const per = new Map<number, number>();
      for (const r of received) per.set(key(r), (per.get(key(r)) ?? 0) + 1);
      return [...per.values()];
    };
    // Herald's own clock: webhook-timestamp is the second the POST was signed, just after its slot was taken.
    const sendWindows = countBy((r) => Number(r.headers['webhook-timestamp']));
    // The receiver's clock: when each request finished arriving (includes network and load delays).
    const windows = countBy((r) => Math.floor(r.at / 1000));
    const maxPerWindow = Math.max(...windows);
    const maxPerSendWindow = Math.max(...sendWindows);
    const overLimit = windows.filter((n) => n > RATE_LIMIT).length;
    const spanMs = Math.max(...received.map((r) => r.at)) - Math.min(...received.map((r) => r.at));
    const histories = await Promise.all(events.map((e) => deliveriesOf(ctx.api, e.id)));
    const delivered = histories.filter((h) => h.deliveries[0]?.state === 'delivered').length;
    const ids = received.map((r) => r.webhookId);
    const duplicates = ids.length - new Set(ids).size;
    // At-least-once: a POST Herald gave up on (timeout) may still have reached the receiver.
    const timedOutAttempts = histories
      .flatMap((h) => h.attempts)
      .filter((a) => a.errorClass === 'timeout').length;
    const counts = {
      events: EVENTS,
      rateLimit: RATE_LIMIT,
      delivered,
      received: received.length,
      duplicates,
      windows: windows.length,
      maxPerWindow,
      maxPerSendWindow,
      timedOutAttempts,
      windowsOverLimit: overLimit,
      spanMs,
      publishMs: published - started,
      minimumSpanMs: (Math.ceil(EVENTS / RATE_LIMIT) - 1) * 1000,
    };
    console.info(`[drill 10] ${JSON.stringify(counts)}`);
    const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    for (const id of repeated) {
      const history = histories[events.findIndex((e) => e.id === id)];
      console.info(
        `[drill 10] received twice: ${id} at ${received
          .filter((r) => r.webhookId === id)
          .map((r) => new Date(r.at).toISOString())
          .join(', ')}; attempts ${JSON.stringify(history?.attempts)}`,
      );
    }
    record({
      drill: DRILL,
      case: `${EVENTS} events at rateLimit ${RATE_LIMIT}: no one-second window over the limit (+${TOLERANCE}), all delivered`,
      injected: `${EVENTS} events published at once to one endpoint with rateLimit ${RATE_LIMIT}/s`,
      expected: `every one-second sending window (webhook-timestamp) ≤ ${RATE_LIMIT} (+${TOLERANCE}); arrival windows at the receiver reported; ${EVENTS} delivered; a repeat only after a sender-side timeout; spread over ≥ ${counts.minimumSpanMs} ms`,
      observed: `${delivered} delivered; max ${maxPerSendWindow} per sending window; at the receiver ${windows.length} windows, max ${maxPerWindow}, ${overLimit} over ${RATE_LIMIT}; ${duplicates} repeats after ${timedOutAttempts} timed-out attempts; spread over ${spanMs} ms`,
      counts,
    });

    expect(delivered).toBe(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
    expect(duplicates).toBeLessThanOrEqual(timedOutAttempts);
    expect(maxPerSendWindow).toBeLessThanOrEqual(RATE_LIMIT + TOLERANCE);
    // Nothing can beat the limit over the whole run: 100 at 5/s need at least 19 more windows.
    expect(windows.length).toBeGreaterThanOrEqual(Math.ceil(EVENTS / RATE_LIMIT));
  });
});
