/**
 * The retry workflow's task (docs/internals.md "Retry workflow"): one attempt (retry-step.ts). On
 * `failed` the state machine sends `$.dlqMessage` to the webhook DLQ itself.
 */
import { metrics } from '../shared/observability.js';
import { flushActivity } from './activity/recorder.js';
import { type AttemptOutput, parseInput, runAttempt } from './retry-step.js';

async function handler(input: unknown): Promise<AttemptOutput> {
  try {
    return await runAttempt(parseInput(input));
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    await flushActivity();
  }
}

export { handler };
