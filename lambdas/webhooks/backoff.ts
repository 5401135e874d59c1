/**
 * When to try a failed webhook again. The schedule is data; `nextRetryDelaySeconds` is the one
 * function that reads it (jitter, Retry-After, time scale).
 */
import type { WaitReason } from '../shared/model.js';

/**
 * Wait before retry n (index n-1), after the inline first attempt fails:
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — about 27.6 h in all, so a receiver that is down for a
 * day still gets every event. Each wait is jittered ±20% so retries after an outage do not stampede.
 */
const RETRY_SCHEDULE_SECONDS: readonly number[] = Object.freeze([
  5,
  5 * 60,
  30 * 60,
  2 * 60 * 60,
  5 * 60 * 60,
  10 * 60 * 60,
  10 * 60 * 60,
]);

/** One inline attempt by dispatch, then one per scheduled retry. */
const MAX_ATTEMPTS = 1 + RETRY_SCHEDULE_SECONDS.length;

/** ±20% around the scheduled wait. */
const JITTER_RATIO = 0.2;

/**
 * The retry workflow's execution timeout (lib/webhooks.ts reads it, scaled like the waits). An
 * execution that reaches it ends TIMED_OUT; the retry watch (lib/retry-watch.ts) then fails the
 * delivery onto the webhook DLQ, but the schedule is sized so that never happens on its own.
 */
const RETRY_WORKFLOW_TIMEOUT_SECONDS = 3 * 24 * 60 * 60;

/**
 * Worst-case time one attempt can take inside the workflow, platform retries included: the attempt
 * function's timeout (30 s) over its Retry policies (lib/webhooks.ts: up to 6 Lambda-service retries
 * at ≤ 5 min, 4 platform-error retries at ≤ 1 min) comes to about 13 min; 15 min rounds it up.
 */
const ATTEMPT_ALLOWANCE_SECONDS = 15 * 60;

/**
 * A retry due within this long runs on the retry lane (SQS, adrs/0013) rather than in a workflow: at
 * most three hops of SQS's longest delay (15 min), so retries 1–3 (5 s, 5 min, 30 min, jitter
 * included) cost no Step Functions transition. Longer waits are the workflow's, where waiting is free.
 */
const RETRY_LANE_MAX_WAIT_SECONDS = 45 * 60;

/** SQS's longest DelaySeconds: a longer lane wait is made of several hops. */
const SQS_MAX_DELAY_SECONDS = 15 * 60;

/**
 * A receiver's Retry-After is honoured up to 6 h. A larger one (say, a day on every 503) would push
 * the schedule past the workflow's timeout and the delivery would end TIMED_OUT in a Wait; with this
 * cap the worst case (worstCaseScheduleSeconds: every wait at max(+20% jitter, 6 h), every attempt at
 * its allowance) is about 56 h, inside the 72 h timeout.
 */
const MAX_RETRY_AFTER_SECONDS = 6 * 60 * 60;

interface BackoffOptions {
  /** The receiver's Retry-After, in seconds; the wait is never shorter (capped at MAX_RETRY_AFTER_SECONDS). */
  readonly retryAfterSeconds?: number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Multiplies the wait (tests run with 0.001). @default 1 */
  readonly timeScale?: number;
}

/**
 * Whole seconds to wait after attempt `failedAttempt` (1-based) failed, or undefined when no attempt
 * is left. Whole seconds because a Step Functions Wait state's SecondsPath takes an integer.
 */
function nextRetryDelaySeconds(failedAttempt: number, options: BackoffOptions = {}): number | undefined {
  return nextRetryDelay(failedAttempt, options)?.seconds;
}

/** nextRetryDelaySeconds, and which of the two set it (recorded on the attempt as `waitReason`). */
function nextRetryDelay(
  failedAttempt: number,
  options: BackoffOptions = {},
): { readonly seconds: number; readonly reason: WaitReason } | undefined {
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1) {
    throw new RangeError(`failedAttempt must be a positive integer, got ${failedAttempt}`);
  }
  const scheduled = RETRY_SCHEDULE_SECONDS[failedAttempt - 1];
  if (scheduled === undefined) return undefined;
  const random = options.random ?? Math.random;
  const jittered = scheduled * (1 - JITTER_RATIO + 2 * JITTER_RATIO * random());
  const retryAfter = Math.min(Math.max(options.retryAfterSeconds ?? 0, 0), MAX_RETRY_AFTER_SECONDS);
  // Whole seconds at scale 1; scaled (tests, demos) keeps millisecond precision so short waits still grow.
  const seconds = Math.ceil(Math.max(jittered, retryAfter));
  return {
    seconds: Math.round(seconds * (options.timeScale ?? 1) * 1000) / 1000,
    reason: retryAfter > jittered ? 'retry_after' : 'schedule',
  };
}

/**
 * The longest a workflow can run, at time scale 1: every wait at its largest (jitter at +20%, or the
 * Retry-After cap when larger) plus every attempt at its allowance. Must stay below
 * RETRY_WORKFLOW_TIMEOUT_SECONDS (a unit test and the Webhooks construct check it).
 */
function worstCaseScheduleSeconds(): number {
  const waits = RETRY_SCHEDULE_SECONDS.reduce(
    (sum, scheduled) => sum + Math.max(Math.ceil(scheduled * (1 + JITTER_RATIO)), MAX_RETRY_AFTER_SECONDS),
    0,
  );
  return waits + MAX_ATTEMPTS * ATTEMPT_ALLOWANCE_SECONDS;
}

/**
 * A Retry-After header in seconds from `now`: delta-seconds (`120`) or an HTTP-date; a date in the
 * past is 0; anything unparseable is undefined.
 */
function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // HTTP-dates always name a weekday and GMT; requiring letters keeps Date.parse from taking "-5" or "1.5".
  if (!/^[A-Za-z]{3},? /.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

export type { BackoffOptions };
export {
  ATTEMPT_ALLOWANCE_SECONDS,
  MAX_ATTEMPTS,
  MAX_RETRY_AFTER_SECONDS,
  nextRetryDelay,
  nextRetryDelaySeconds,
  parseRetryAfter,
  RETRY_LANE_MAX_WAIT_SECONDS,
  RETRY_SCHEDULE_SECONDS,
  RETRY_WORKFLOW_TIMEOUT_SECONDS,
  SQS_MAX_DELAY_SECONDS,
  worstCaseScheduleSeconds,
};
