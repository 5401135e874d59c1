/**
 * The pure decisions of an endpoint's recovery (adrs/0011), clock passed in: when to probe again, which
 * parked deliveries have outlived their lifetime, how fast to drain, and what one drain step's answers
 * mean. recovery.handler.ts does the reads, POSTs and writes around them.
 */
import type { BacklogEntry, BacklogHead } from '../../shared/store/backlog.js';
import { MAX_RETRY_AFTER_SECONDS, RETRY_SCHEDULE_SECONDS } from '../backoff.js';

interface DrainPolicy {
  /** Deliveries per second a drain starts at when the endpoint has no `rateLimit`. */
  readonly initialRate: number;
  /** The most a ramp reaches (deliveries per second). */
  readonly maxRate: number;
  /** POSTs in flight at once while draining; a slow receiver gets the slow lane's width instead. */
  readonly concurrency: number;
  /** A 2xx slower than this counts as slow (the inline timeout): the ramp backs off. */
  readonly slowMs: number;
}

/** What one drain step (one second's sends) got back. */
interface StepAnswers {
  readonly sent: number;
  readonly delivered: number;
  /** 2xx, but slower than `slowMs`. */
  readonly slow: number;
  /** 429 or 503. */
  readonly throttled: number;
  /** Any other failure that may pass later (5xx, timeout, network). */
  readonly failed: number;
  /** The longest `Retry-After` among the answers (seconds), if any. */
  readonly retryAfterSeconds?: number;
}

type StepVerdict =
  /** Go on draining at `rate`. */
  | { readonly next: 'drain'; readonly rate: number }
  /** The receiver asked for time: hold the drain until `seconds` from now, then resume at `rate`. */
  | { readonly next: 'hold'; readonly rate: number; readonly seconds: number }
  /** Nothing got through: the endpoint is down again; go back to probing. */
  | { readonly next: 'probe' };

/** Deliveries to send in the next second: the endpoint's `rateLimit` when it has one, else the ramp's. */
function stepSize(rate: number, rateLimit: number | undefined): number {
  return Math.max(1, Math.floor(rateLimit ?? rate));
}

/**
 * The ramp (AIMD, like TCP's): double while every answer is a fast 2xx, halve on any 429/503, slow
 * answer or failure, never below 1 nor above the policy's ceiling. A `rateLimit` is a ceiling too.
 */
function judgeStep(rate: number, answers: StepAnswers, policy: DrainPolicy, rateLimit?: number): StepVerdict {
  const ceiling = Math.min(policy.maxRate, rateLimit ?? Number.POSITIVE_INFINITY);
  if (answers.sent > 0 && answers.delivered === 0 && answers.failed + answers.throttled === answers.sent) {
    if (answers.retryAfterSeconds !== undefined) {
      const halved = Math.max(1, Math.min(ceiling, Math.floor(rate / 2)));
      return { next: 'hold', rate: halved, seconds: capRetryAfter(answers.retryAfterSeconds) };
    }
    return { next: 'probe' };
  }
  const troubled = answers.throttled + answers.slow + answers.failed > 0;
  const full = answers.sent >= Math.floor(rate);
  const wanted = troubled ? Math.floor(rate / 2) : full ? rate * 2 : rate;
  const nextRate = Math.max(1, Math.min(ceiling, wanted));
  if (answers.retryAfterSeconds !== undefined) {
    return { next: 'hold', rate: nextRate, seconds: capRetryAfter(answers.retryAfterSeconds) };
  }
  return { next: 'drain', rate: nextRate };
}

function capRetryAfter(seconds: number): number {
  return Math.min(Math.max(0, seconds), MAX_RETRY_AFTER_SECONDS);
}

/**
 * Seconds until the next probe after `failedProbes` probes failed: the retry schedule's steps, then
 * its last step, never more than `maxSeconds`, never less than a `Retry-After`; scaled like every wait.
 */
function probeDelaySeconds(
  failedProbes: number,
  options: { readonly timeScale: number; readonly maxSeconds: number; readonly retryAfterSeconds?: number },
): number {
  const index = Math.min(Math.max(failedProbes, 1), RETRY_SCHEDULE_SECONDS.length) - 1;
  const step = Math.min(RETRY_SCHEDULE_SECONDS[index]!, options.maxSeconds);
  const wait = Math.max(step, capRetryAfter(options.retryAfterSeconds ?? 0));
  return wait * options.timeScale;
}

/** Whether a parked delivery has outlived its lifetime at `now`. */
function hasExpired(entry: Pick<BacklogEntry, 'parkedAt'>, now: Date, lifetimeSeconds: number): boolean {
  return now.getTime() - Date.parse(entry.parkedAt) >= lifetimeSeconds * 1000;
}

/** The oldest-first queue split at the first delivery still within its lifetime. */
function splitExpired<T extends Pick<BacklogEntry, 'parkedAt'>>(
  entries: readonly T[],
  now: Date,
  lifetimeSeconds: number,
): { readonly expired: T[]; readonly live: T[] } {
  const cut = entries.findIndex((e) => !hasExpired(e, now, lifetimeSeconds));
  return cut === -1
    ? { expired: [...entries], live: [] }
    : { expired: entries.slice(0, cut), live: entries.slice(cut) };
}

/** The endpoint representation's `backlog` (API.md): count, oldest, draining; and how many expired. */
interface BacklogView {
  readonly count: number;
  readonly oldestAt?: string;
  readonly draining: boolean;
  readonly expired: number;
}

function backlogView(head: BacklogHead): BacklogView {
  return {
    count: head.count,
    ...(head.count > 0 && head.oldestAt !== undefined ? { oldestAt: head.oldestAt } : {}),
    draining: head.count > 0 && head.draining,
    expired: head.expired,
  };
}

export type { BacklogView, DrainPolicy, StepAnswers, StepVerdict };
export { backlogView, judgeStep, probeDelaySeconds, splitExpired, stepSize };
