/**
 * Drill 12 — a delivery can never vanish (issue 9.6). Two receivers push the retry workflow towards its
 * timeout (3 days, scaled like every wait):
 * - one answers 503 with `Retry-After: 864000` (10 days) every time. Before the cap a 24 h Retry-After
 *   per wait outlived the workflow; now each wait is capped (6 h) so the whole schedule fits: the
 *   delivery ends `failed` by exhaustion, on the webhook DLQ, and no execution times out.
 * - one hangs on every POST, so each attempt takes the full webhook timeout in real time while the
 *   workflow's timeout is scaled: the execution really ends TIMED_OUT, mid-attempt. The retry watch
 *   (EventBridge rule → queue → function, played locally from the template) fails the delivery onto
 *   the webhook DLQ, and the attempt still running when time ran out cannot reopen it.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_ATTEMPTS,
  MAX_RETRY_AFTER_SECONDS,
  RETRY_WORKFLOW_TIMEOUT_SECONDS,
} from '../../../lambdas/webhooks/backoff.js';
import {
  createEndpoint,
  deliveriesOf,
  dlqs,
  isWebhookDlq,
  peekDlq,
  publishOk,
  scheduledWaitMs,
  uniqueTenant,
} from '../support/fixtures.js';
import { hang, status } from '../support/receiver.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { waitUntil } from '../support/wait.js';

// 2e-4: the workflow times out after 51.8 s. The capped schedule needs at most 38.9 s of waits (five
// 6 h caps, two 10 h + 20 % slots) plus its fast attempts; the hanging receiver's attempts take the
// webhook timeout (15 s) each, unscaled, so its execution runs out of time mid-attempt (its fourth).
const TIME_SCALE = 0.0002;
const ctx = useHerald({ timeScale: TIME_SCALE });
const DRILL = '12 workflow out of time';
const skip = receiverUnreachable(DRILL);
const RETRY_AFTER_SECONDS = 10 * 86_400;

interface DlqBody {
  readonly eventId?: string;
  readonly lastError?: string;
  readonly attempts?: number;
}

async function dlqMessageOf(eventId: string): Promise<DlqBody | undefined> {
  const dlq = (await dlqs(ctx.api)).find(isWebhookDlq);
  if (dlq === undefined) return undefined;
  return (await peekDlq(ctx.api, dlq.name)).map((m) => m.body as DlqBody).find((b) => b.eventId === eventId);
}

describe.skipIf(skip)(DRILL, () => {
  it('a capped Retry-After ends failed by exhaustion; a workflow that runs out of time ends failed on the webhook DLQ', {
    timeout: 300_000,
  }, async () => {
    const tenantId = uniqueTenant('out-of-time');
    const timeoutMs = RETRY_WORKFLOW_TIMEOUT_SECONDS * TIME_SCALE * 1000;
    ctx.receiver.setDefault('retry-after', status(503, String(RETRY_AFTER_SECONDS)));
    ctx.receiver.setDefault('hang', hang());
    await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('retry-after'),
      eventTypes: ['ping.capped'],
    });
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url('hang'), eventTypes: ['ping.hang'] });

    const started = Date.now();
    const [capped, hung] = await Promise.all([
      publishOk(ctx.api, { type: 'ping.capped', tenantId, data: {} }),
      publishOk(ctx.api, { type: 'ping.hang', tenantId, data: {} }),
    ]);
    const failed = (id: string, description: string) =>
      waitUntil(
        () => deliveriesOf(ctx.api, id),
        (h) => h.deliveries[0]?.state === 'failed',
        { timeoutMs: 200_000, intervalMs: 250, description },
      );
    const [cappedHistory, hungFailed] = await Promise.all([
      failed(capped.id, 'the Retry-After delivery failed'),
      failed(hung.id, 'the hanging delivery failed'),
    ]);
    const hungFailedAfterMs = Date.now() - started;
    const [cappedDlq, hungDlq] = await Promise.all(
      [capped.id, hung.id].map((id) =>
        waitUntil(
          () => dlqMessageOf(id),
          (m) => m !== undefined,
          { timeoutMs: 30_000, intervalMs: 250, description: `${id} on the webhook DLQ` },
        ),
      ),
    );
    // The attempt running when time ran out finishes later (the webhook timeout); once every POST the
    // receiver saw is recorded as an attempt, it has had its chance to reopen the delivery.
    const hungPosts = () => ctx.receiver.received('hang').filter((r) => r.webhookId === hung.id).length;
    const hungSettled = await waitUntil(
      () => deliveriesOf(ctx.api, hung.id),
      (h) => h.attempts.length >= hungPosts(),
      { timeoutMs: 60_000, intervalMs: 500, description: 'the orphaned attempt recorded' },
    );

    const cappedWaits = cappedHistory.attempts
      .map(scheduledWaitMs)
      .filter((w): w is number => w !== undefined);
    const capMs = MAX_RETRY_AFTER_SECONDS * TIME_SCALE * 1000;
    const counts = {
      timeScale: TIME_SCALE,
      workflowTimeoutMs: timeoutMs,
      cappedState: cappedHistory.deliveries[0]?.state ?? '?',
      cappedAttempts: cappedHistory.attempts.length,
      cappedLastError: cappedHistory.deliveries[0]?.lastError ?? '?',
      cappedDlqLastError: cappedDlq?.lastError ?? '?',
      cappedLongestWaitMs: Math.max(...cappedWaits),
      cappedTotalWaitMs: cappedWaits.reduce((a, b) => a + b, 0),
      retryAfterCapMs: capMs,
      hungState: hungSettled.deliveries[0]?.state ?? '?',
      hungLastError: hungSettled.deliveries[0]?.lastError ?? '?',
      hungDlqLastError: hungDlq?.lastError ?? '?',
      hungPosts: hungPosts(),
      hungAttemptsRecorded: hungSettled.attempts.length,
      hungFailedAfterMs,
      hungStateWhenFirstFailed: hungFailed.deliveries[0]?.state ?? '?',
    };
    record({
      drill: DRILL,
      case: 'a capped Retry-After ends failed by exhaustion; a workflow that runs out of time ends failed on the webhook DLQ',
      injected: `time scale ${TIME_SCALE} (workflow timeout ${timeoutMs} ms); receiver A: 503 Retry-After ${RETRY_AFTER_SECONDS} s on every POST; receiver B: hangs on every POST (webhook timeout, unscaled)`,
      expected: `A: ${MAX_ATTEMPTS} attempts, waits ≤ max(cap ${capMs} ms, schedule), failed "retries_exhausted: HTTP 503" on the DLQ; B: TIMED_OUT → failed "workflow_timed_out" on the DLQ, still failed after its last attempt finished`,
      observed: `A: ${counts.cappedAttempts} attempts, longest wait ${counts.cappedLongestWaitMs} ms, total ${counts.cappedTotalWaitMs} ms, ${counts.cappedState} "${counts.cappedDlqLastError}"; B: ${counts.hungState} "${counts.hungDlqLastError}" after ${hungFailedAfterMs} ms, ${counts.hungPosts} POSTs, ${counts.hungAttemptsRecorded} attempts recorded`,
      counts,
    });

    expect(counts).toMatchObject({
      cappedState: 'failed',
      cappedAttempts: MAX_ATTEMPTS,
      cappedLastError: 'retries_exhausted: HTTP 503',
      cappedDlqLastError: 'retries_exhausted: HTTP 503',
      hungState: 'failed',
      hungLastError: 'workflow_timed_out',
      hungDlqLastError: 'workflow_timed_out',
    });
    // Every wait honoured the (capped) Retry-After, none beyond the cap or the schedule's own +20 %.
    for (const wait of cappedWaits) {
      expect(wait).toBeGreaterThanOrEqual(capMs - 5);
      expect(wait).toBeLessThanOrEqual(Math.max(capMs, 36_000 * 1.2 * TIME_SCALE * 1000) + 5);
    }
    expect(counts.cappedTotalWaitMs).toBeLessThan(timeoutMs);
    // It ran out of time: it failed after the workflow's timeout, not by exhausting its schedule.
    expect(hungFailedAfterMs).toBeGreaterThanOrEqual(timeoutMs);
    expect(counts.hungAttemptsRecorded).toBeLessThan(MAX_ATTEMPTS);
  });
});
