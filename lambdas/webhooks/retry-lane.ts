/**
 * Where a scheduled retry waits (adrs/0013): a retry due within RETRY_LANE_MAX_WAIT_SECONDS (scaled)
 * is a message on the retry lane, an SQS queue with per-message delays, which costs a send, a receive,
 * a delete and a share of an invocation per 15 min hop; a longer wait is a Standard workflow's Wait,
 * free however long but 3 transitions a retry (USD 75 per million). The pure parts (`laneRoute`,
 * `laneDelaySeconds`) are table-tested; `scheduleRetry` is what dispatch, the lane and a drain call.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import type { DeliveryRecord } from '../shared/model.js';
import { RETRY_LANE_MAX_WAIT_SECONDS, SQS_MAX_DELAY_SECONDS } from './backoff.js';
import { dueTime, type RetryState, startRetry } from './retry-workflow.js';

type RetryRoute = 'lane' | 'workflow';

/** The lane when it exists and the wait fits it (the bound scales with the schedule, as in tests). */
function laneRoute(waitMs: number, timeScale: number, laneConfigured: boolean): RetryRoute {
  return laneConfigured && waitMs <= RETRY_LANE_MAX_WAIT_SECONDS * timeScale * 1000 ? 'lane' : 'workflow';
}

/**
 * The DelaySeconds of the next hop: whole seconds, at most SQS's 15 min. Under a second it is 0 and the
 * consumer waits out the rest itself (scaled schedules in tests have millisecond waits).
 */
function laneDelaySeconds(waitMs: number): number {
  if (waitMs < 1000) return 0;
  return Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(waitMs / 1000));
}

/** How long past its due time a next attempt may be missing before the lane presumes it lost. */
const LANE_GRACE_SECONDS = 60;

type AfterDuplicate =
  | { readonly action: 'drop' }
  /** The attempt failed the delivery for good but its DLQ send never happened. */
  | { readonly action: 'dead_letter' }
  /** The next attempt is overdue and nobody made it: schedule it now. */
  | { readonly action: 'resume'; readonly attempt: number }
  /** Look again when the next attempt is surely overdue (`at`); usually it will have been made. */
  | { readonly action: 'watch'; readonly at: string };

/**
 * A lane message whose attempt is already recorded: an SQS duplicate, or a redelivery after a crash
 * between recording the attempt and scheduling the next one. Only the latter needs anything done, and
 * the two look alike until the next attempt's due time has passed by a grace.
 */
function afterDuplicate(
  stored: Pick<DeliveryRecord, 'state' | 'attempts' | 'nextAttemptAt' | 'parkedAt' | 'deadLetteredAt'>,
  attempt: number,
  now: number,
  graceMs: number,
): AfterDuplicate {
  if (stored.attempts !== attempt) return { action: 'drop' };
  if (stored.state === 'failed') {
    return stored.deadLetteredAt === undefined ? { action: 'dead_letter' } : { action: 'drop' };
  }
  if (stored.state !== 'retrying' || stored.parkedAt !== undefined || stored.nextAttemptAt === undefined) {
    return { action: 'drop' };
  }
  const overdueAt = Date.parse(stored.nextAttemptAt) + graceMs;
  return now >= overdueAt
    ? { action: 'resume', attempt: attempt + 1 }
    : { action: 'watch', at: new Date(overdueAt).toISOString() };
}

/** Puts `state` on the lane, to be received when it is due or after the longest delay, whichever is first. */
async function sendToLane(state: RetryState & { readonly waitUntil: string }, now = Date.now()) {
  const queueUrl = config.retryLaneUrl();
  if (queueUrl === undefined) throw new Error('HERALD_RETRY_LANE_URL is not set');
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(state),
      DelaySeconds: laneDelaySeconds(Date.parse(state.waitUntil) - now),
    }),
  );
}

/**
 * Schedules the retry `state` describes: on the lane or in the retry workflow. A workflow start is
 * idempotent by name; a lane message is not, so the lane's consumer drops an attempt already made.
 */
async function scheduleRetry(state: RetryState, now = Date.now()): Promise<RetryRoute> {
  const waitUntil = dueTime(state, now);
  const route = laneRoute(
    Date.parse(waitUntil) - now,
    config.retryTimeScale(),
    config.retryLaneUrl() !== undefined,
  );
  if (route === 'lane') await sendToLane({ ...state, waitUntil }, now);
  else await startRetry({ ...state, waitUntil });
  return route;
}

export type { AfterDuplicate, RetryRoute };
export { afterDuplicate, LANE_GRACE_SECONDS, laneDelaySeconds, laneRoute, scheduleRetry, sendToLane };
