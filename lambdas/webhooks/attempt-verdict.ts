/**
 * What one attempt's answer means for its delivery (pure, clock passed in): delivered, retry after a
 * wait (the schedule's step or the receiver's longer Retry-After), or failed — and the short,
 * secret-free `lastError` recorded with it. `delivery-attempt.ts` does the I/O around it.
 */
import type { WaitReason } from '../shared/model.js';
import { nextRetryDelay, parseRetryAfter } from './backoff.js';
import { classifyStatus, honoursRetryAfter } from './retry-policy.js';
import type { WebhookErrorClass } from './webhook-client.js';

type Outcome = 'delivered' | 'retry' | 'failed';

/**
 * An attempt's answer: the receiver's response or the reason there was none. `circuit_open` is an
 * attempt spent without a POST (the endpoint's breaker is open and another attempt holds its probe).
 */
interface AttemptAnswer {
  readonly statusCode?: number;
  /** The raw Retry-After header of the response. */
  readonly retryAfter?: string;
  readonly errorClass?: WebhookErrorClass | 'circuit_open';
}

interface AttemptVerdict {
  readonly outcome: Outcome;
  /** Seconds until the next attempt (only for `retry`), already scaled. */
  readonly waitSeconds?: number;
  readonly waitReason?: WaitReason;
  /** Short and secret-free: `HTTP 503`, `timeout`, `retries_exhausted: HTTP 503`. */
  readonly lastError?: string;
}

/** Subscriber-side errors no retry can fix: the target itself is refused. */
const PERMANENT_ERRORS: ReadonlySet<AttemptAnswer['errorClass']> = new Set([
  'forbidden_address',
  'invalid_url',
]);

function describeAnswer(answer: AttemptAnswer): string {
  return answer.statusCode !== undefined ? `HTTP ${answer.statusCode}` : (answer.errorClass ?? 'network');
}

/** The receiver's Retry-After in seconds, for the statuses that honour it. */
function retryAfterSeconds(answer: AttemptAnswer, now: Date): number | undefined {
  return answer.statusCode !== undefined && honoursRetryAfter(answer.statusCode)
    ? parseRetryAfter(answer.retryAfter, now)
    : undefined;
}

interface VerdictOptions {
  /** Shortens every wait (local demos and tests). @default 1 */
  readonly timeScale?: number;
  /** The schedule's jitter, uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The verdict on attempt number `attempt` (1-based) of a generation, answered at `finishedAt`. */
function attemptVerdict(
  answer: AttemptAnswer,
  attempt: number,
  finishedAt: Date,
  options: VerdictOptions = {},
): AttemptVerdict {
  const kind =
    answer.statusCode !== undefined
      ? classifyStatus(answer.statusCode)
      : PERMANENT_ERRORS.has(answer.errorClass)
        ? 'give_up'
        : 'retry';
  if (kind === 'delivered') return { outcome: 'delivered' };
  if (kind === 'give_up') return { outcome: 'failed', lastError: describeAnswer(answer) };
  const retryAfter = retryAfterSeconds(answer, finishedAt);
  const wait = nextRetryDelay(attempt, {
    ...options,
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
  });
  if (wait === undefined)
    return { outcome: 'failed', lastError: `retries_exhausted: ${describeAnswer(answer)}` };
  return {
    outcome: 'retry',
    waitSeconds: wait.seconds,
    waitReason: wait.reason,
    lastError: describeAnswer(answer),
  };
}

export type { AttemptAnswer, AttemptVerdict, Outcome };
export { attemptVerdict, retryAfterSeconds };
