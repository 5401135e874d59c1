/**
 * Drill 6 — receiver gone for good: every attempt is refused until the schedule is exhausted; each
 * delivery ends `failed` with one webhook-DLQ message; when the receiver returns, a DLQ redrive
 * delivers every one of them once, and an explicit replay delivers again under the same webhook-id.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../../lambdas/webhooks/backoff.js';
import {
  createEndpoint,
  deliveriesOf,
  dlqs,
  expectStatus,
  isWebhookDlq,
  peekDlq,
  publishOk,
  uniqueTenant,
} from '../support/fixtures.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { settle, waitUntil } from '../support/wait.js';

// The whole ~28 h schedule in ~10 s.
const ctx = useHerald({ timeScale: 0.0001 });
const DRILL = '6 receiver gone for good';
const skip = receiverUnreachable(DRILL);
const EVENTS = 3;
const NAME = 'gone';

describe.skipIf(skip)(DRILL, () => {
  it('exhausted → failed + webhook DLQ; after it returns, redrive delivers each once and replay again', async () => {
    const tenantId = uniqueTenant('gone');
    const endpoint = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url(NAME),
      eventTypes: ['ping.sent'],
    });
    await ctx.receiver.stop();

    const events = await Promise.all(
      Array.from({ length: EVENTS }, (_, n) =>
        publishOk(ctx.api, { type: 'ping.sent', tenantId, data: { n } }),
      ),
    );
    const ids = events.map((e) => e.id);
    const failed = await waitUntil(
      () => Promise.all(ids.map((id) => deliveriesOf(ctx.api, id))),
      (all) => all.every((h) => h.deliveries[0]?.state === 'failed'),
      { timeoutMs: 180_000, intervalMs: 250, description: 'every delivery failed' },
    );
    const dlq = await waitUntil(
      async () => (await dlqs(ctx.api)).find(isWebhookDlq),
      (q) => q !== undefined && q.depth === EVENTS,
      { timeoutMs: 30_000, description: `${EVENTS} messages on the webhook DLQ` },
    );
    const peeked = await peekDlq(ctx.api, dlq!.name);
    const dlqEventIds = peeked.map((m) => (m.body as { eventId?: string }).eventId).sort();

    await ctx.receiver.start();
    const redriven = expectStatus(
      'redrive',
      await ctx.api.post<{ moved: number; failed: number }>(
        `/v1/dlq/${encodeURIComponent(dlq!.name)}/redrive`,
        {},
      ),
      200,
    );
    await waitUntil(
      () => new Set(ctx.receiver.accepted(NAME).map((r) => r.webhookId)).size,
      (n) => n === EVENTS,
      { timeoutMs: 60_000, description: 'every event delivered after the redrive' },
    );
    const replay = expectStatus(
      'replay',
      await ctx.api.post<{ replayed: number }>(`/v1/events/${ids[0]}/replay`, { endpointId: endpoint.id }),
      202,
    );
    await waitUntil(
      () => ctx.receiver.accepted(NAME).length,
      (n) => n === EVENTS + 1,
      {
        timeoutMs: 60_000,
        description: 'the replayed delivery',
      },
    );
    const accepted = await settle(
      () => ctx.receiver.accepted(NAME),
      (a) => a.length > EVENTS + 1,
      1_500,
    );
    const acceptedPerId = ids.map((id) => accepted.filter((r) => r.webhookId === id).length);
    const dlqAfter = (await dlqs(ctx.api)).find(isWebhookDlq)?.depth ?? -1;
    const finalStates = await Promise.all(
      ids.map(async (id) => (await deliveriesOf(ctx.api, id)).deliveries[0]),
    );

    const counts = {
      events: EVENTS,
      failed: failed.filter((h) => h.deliveries[0]?.state === 'failed').length,
      attemptsEach: failed.map((h) => h.attempts.length).join('/'),
      maxAttempts: MAX_ATTEMPTS,
      dlqMessages: peeked.length,
      redriveMoved: redriven.moved,
      replayed: replay.replayed,
      acceptedPerEvent: acceptedPerId.join('/'),
      dlqDepthAfter: dlqAfter,
      deliveredAfter: finalStates.filter((d) => d?.state === 'delivered').length,
    };
    record({
      drill: DRILL,
      case: 'exhausted → failed + webhook DLQ; after it returns, redrive delivers each once and replay again',
      injected: `${EVENTS} events to a receiver that refuses connections through the whole schedule; then it returns, the webhook DLQ is redriven and event 1 replayed`,
      expected: `${EVENTS} failed after ${MAX_ATTEMPTS} attempts each; ${EVENTS} DLQ messages; moved ${EVENTS}; accepted 2/1/1 (replay repeats the webhook-id); DLQ empty`,
      observed: `${counts.failed} failed after ${counts.attemptsEach} attempts; ${counts.dlqMessages} DLQ messages; moved ${counts.redriveMoved}; accepted ${counts.acceptedPerEvent}; DLQ depth after ${dlqAfter}`,
      counts,
    });
    expect(counts).toEqual({
      events: EVENTS,
      failed: EVENTS,
      attemptsEach: Array(EVENTS).fill(MAX_ATTEMPTS).join('/'),
      maxAttempts: MAX_ATTEMPTS,
      dlqMessages: EVENTS,
      redriveMoved: EVENTS,
      replayed: 1,
      acceptedPerEvent: '2/1/1',
      dlqDepthAfter: 0,
      deliveredAfter: EVENTS,
    });
    expect(dlqEventIds).toEqual([...ids].sort());
  });
});
