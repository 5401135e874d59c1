/**
 * The model's inputs: memory from the synthesized template, everything else a stated assumption
 * (overridable with measured figures once bench results exist).
 */

import type { FunctionName, ModelInputs } from './model.js';
import { memoryOf, type TemplateFacts } from './template.js';

/** Assumed billed milliseconds per message handled, excluding webhook POST time. */
const ASSUMED_DURATION_MS: Readonly<Record<FunctionName, number>> = {
  authorizer: 10, // one GetItem + hash compare
  ingest: 30, // idempotency put/complete, event put, SNS publish
  job: 50, // idempotency put/complete + the job's own write
  dispatch: 20, // endpoint query + delivery claim, per message in the batch
  attempt: 30, // reads + attempt log + state update around the POST
};

/** Used when the template has no function of a role (e.g. before the stack synthesizes). */
const FALLBACK_MEMORY_MB = 256;

const ASSUMPTIONS = {
  webhookPostMs: 120, // a receiver that answers quickly; slow receivers scale the dispatch/attempt lines
  startExecutionMs: 25,
  jobsPerEvent: 1,
  deliveriesPerEvent: 1,
  sqsBatchSize: 10,
  retryAttempts: 7, // RETRY_SCHEDULE_SECONDS in lambdas/shared/backoff.ts: 5 s … 10 h
  retrySuccessRate: 0.5,
} as const;

interface ResolvedInputs {
  readonly inputs: ModelInputs;
  /** Roles whose memory came from the template (the rest use FALLBACK_MEMORY_MB). */
  readonly memoryFromTemplate: readonly FunctionName[];
}

function resolveInputs(facts: TemplateFacts | undefined): ResolvedInputs {
  const names: FunctionName[] = ['authorizer', 'ingest', 'job', 'dispatch', 'attempt'];
  const fromTemplate: FunctionName[] = [];
  const functions = Object.fromEntries(
    names.map((name) => {
      const memory = facts
        ? memoryOf(facts, name, FALLBACK_MEMORY_MB)
        : { memoryMb: FALLBACK_MEMORY_MB, fromTemplate: false };
      if (memory.fromTemplate) fromTemplate.push(name);
      return [name, { memoryMb: memory.memoryMb, durationMs: ASSUMED_DURATION_MS[name] }];
    }),
  ) as Record<FunctionName, { memoryMb: number; durationMs: number }>;
  const jobs = facts?.functions.filter((f) => f.role === 'job').length ?? 0;
  return {
    inputs: { ...ASSUMPTIONS, functions, jobsPerEvent: jobs > 0 ? ASSUMPTIONS.jobsPerEvent : 1 },
    memoryFromTemplate: fromTemplate,
  };
}

export type { ResolvedInputs };
export { ASSUMED_DURATION_MS, ASSUMPTIONS, FALLBACK_MEMORY_MB, resolveInputs };
