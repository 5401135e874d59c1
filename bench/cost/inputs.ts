/**
 * The model's inputs: memory and architecture from the synthesized template, the retry schedule's
 * length and the retry lane's share of it from lambdas/webhooks/backoff.ts, everything else a stated
 * assumption that measured figures (bench/results/lambda-durations.json) override.
 */

import {
  nextRetryDelaySeconds,
  RETRY_LANE_MAX_WAIT_SECONDS,
  RETRY_SCHEDULE_SECONDS,
} from '../../lambdas/webhooks/backoff.js';
import type { CountedPerEvent, FunctionName, FunctionProfile, ModelInputs } from './model.js';
import { memoryOf, type TemplateFacts } from './template.js';

/** Assumed billed milliseconds per message handled, excluding webhook POST time. */
const ASSUMED_DURATION_MS: Readonly<Record<FunctionName, number>> = {
  authorizer: 10, // one GetItem + hash compare
  ingest: 30, // idempotency put/complete, event put, SNS publish
  job: 50, // idempotency put/complete + the job's own write
  dispatch: 20, // endpoint query + delivery claim, per message in the batch
  attempt: 30, // reads + attempt log + state update around the POST
};

/**
 * Assumed CPU milliseconds per message at a full vCPU, where the benchmark did not measure them: the
 * SDK costs about 0.7 ms of CPU per call (bench/results/herald-*.json callCosts, callerMs), so a job
 * (idempotency put and update, the invoice, the follow-up's read and publish) is about 4, an attempt
 * (endpoint, delivery and health reads, attempt record, state update) about 4.
 */
const ASSUMED_CPU_MS: Readonly<Record<FunctionName, number>> = {
  authorizer: 0.2,
  ingest: 2,
  job: 4,
  dispatch: 2,
  attempt: 4,
};

/** Used when the template has no function of a role (e.g. before the stack synthesizes). */
const FALLBACK_MEMORY_MB = 256;

const ASSUMPTIONS = {
  webhookPostMs: 120, // a receiver that answers quickly; slow receivers scale the dispatch/attempt lines
  startExecutionMs: 25,
  jobsPerEvent: 1,
  deliveriesPerEvent: 1,
  sqsBatchSize: 10,
  retryAttempts: 7, // RETRY_SCHEDULE_SECONDS in lambdas/webhooks/backoff.ts: 5 s … 10 h
  retrySuccessRate: 0.5,
} as const;

/** SQS's longest DelaySeconds: a lane wait takes one hop per 15 min of it. */
const SQS_MAX_DELAY_SECONDS = 900;
/** Jitter draws averaged over (a uniform grid: the mean of the code's own waits, not a sample). */
const JITTER_DRAWS = 1_000;

/**
 * The retries the retry lane serves and their mean SQS hops, from the code's own schedule and jitter
 * (backoff.ts `nextRetryDelaySeconds`): retry k is in the lane when every jittered wait is at most
 * `maxWaitSeconds`; the lane ends at the first retry whose wait may be longer (it and the rest start
 * the workflow). A wait of w seconds takes ceil(w / 900) hops. No Retry-After is assumed: a long one
 * sends that retry to the workflow too.
 */
function retryLaneHops(maxWaitSeconds: number = RETRY_LANE_MAX_WAIT_SECONDS): number[] {
  const hops: number[] = [];
  for (let retry = 1; retry <= RETRY_SCHEDULE_SECONDS.length; retry++) {
    let sum = 0;
    for (let i = 0; i < JITTER_DRAWS; i++) {
      const wait = nextRetryDelaySeconds(retry, { random: () => (i + 0.5) / JITTER_DRAWS })!;
      if (wait > maxWaitSeconds) return hops;
      sum += Math.max(1, Math.ceil(wait / SQS_MAX_DELAY_SECONDS));
    }
    hops.push(sum / JITTER_DRAWS);
  }
  return hops;
}

/** Measured or known values that replace assumptions. */
interface InputOverrides {
  readonly durationsMs?: Partial<Record<FunctionName, number>>;
  /** CPU ms per message at a full vCPU, measured (bench/cost/counted.ts `cpuFrom`). */
  readonly cpuMs?: Partial<Record<FunctionName, number>>;
  readonly webhookPostMs?: number;
  readonly retryAttempts?: number;
  /** Requests per event counted by the benchmark (bench/cost/counted.ts). */
  readonly counted?: CountedPerEvent;
  /** The retry lane's retries and hops (retryLaneHops); absent: every retry in the workflow. */
  readonly retryLaneHops?: readonly number[];
}

interface ResolvedInputs {
  readonly inputs: ModelInputs;
  /** Roles whose memory came from the template (the rest use FALLBACK_MEMORY_MB). */
  readonly memoryFromTemplate: readonly FunctionName[];
  /** Roles whose duration was measured rather than assumed. */
  readonly measuredDurations: readonly FunctionName[];
}

const NAMES: readonly FunctionName[] = ['authorizer', 'ingest', 'job', 'dispatch', 'attempt'];

function resolveInputs(facts: TemplateFacts | undefined, overrides: InputOverrides = {}): ResolvedInputs {
  const memoryFromTemplate: FunctionName[] = [];
  const measuredDurations: FunctionName[] = [];
  const functions = {} as Record<FunctionName, FunctionProfile>;
  for (const name of NAMES) {
    const memory = facts
      ? memoryOf(facts, name, FALLBACK_MEMORY_MB)
      : { memoryMb: FALLBACK_MEMORY_MB, architecture: 'arm64' as const, fromTemplate: false };
    if (memory.fromTemplate) memoryFromTemplate.push(name);
    const measured = overrides.durationsMs?.[name];
    if (measured !== undefined) measuredDurations.push(name);
    const durationMs = measured ?? ASSUMED_DURATION_MS[name];
    functions[name] = {
      memoryMb: memory.memoryMb,
      architecture: memory.architecture,
      durationMs,
      // The CPU part is inside the wall time: never more than all of it.
      cpuMs: Math.min(durationMs, overrides.cpuMs?.[name] ?? ASSUMED_CPU_MS[name]),
    };
  }
  return {
    inputs: {
      ...ASSUMPTIONS,
      functions,
      webhookPostMs: overrides.webhookPostMs ?? ASSUMPTIONS.webhookPostMs,
      retryAttempts: overrides.retryAttempts ?? ASSUMPTIONS.retryAttempts,
      ...(overrides.counted !== undefined ? { counted: overrides.counted } : {}),
      ...(overrides.retryLaneHops !== undefined ? { retryLaneHops: overrides.retryLaneHops } : {}),
    },
    memoryFromTemplate,
    measuredDurations,
  };
}

export type { InputOverrides, ResolvedInputs };
export {
  ASSUMED_CPU_MS,
  ASSUMED_DURATION_MS,
  ASSUMPTIONS,
  FALLBACK_MEMORY_MB,
  resolveInputs,
  retryLaneHops,
  SQS_MAX_DELAY_SECONDS,
};
