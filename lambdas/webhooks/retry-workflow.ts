/**
 * Starts the retry workflow for one delivery generation. The execution name is deterministic
 * (`<eventId>-<endpointId>-g<generation>`, docs/internals.md), so a redelivered SQS message cannot
 * start a second workflow: ExecutionAlreadyExists means the first one is running, which is success.
 */
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';

/** The workflow's input, and the attempt function's input and output (docs/internals.md). */
interface RetryState {
  readonly eventId: string;
  readonly endpointId: string;
  readonly generation: number;
  /** Number of the next attempt. */
  readonly attempt: number;
  readonly waitSeconds: number;
  /** When the next attempt is due (ISO-8601); the workflow's Wait state waits until then. */
  readonly waitUntil?: string;
  /** A rate-limit window (epoch second) already counted for this delivery (adrs/0007). */
  readonly reservedSlot?: number;
  /** Since when this attempt waits for another attempt's probe of the open endpoint (ISO). */
  readonly heldSince?: string;
}

/** The due time of the next attempt: the one given, or now + waitSeconds. */
function dueTime(state: RetryState, now = Date.now()): string {
  return state.waitUntil ?? new Date(now + state.waitSeconds * 1000).toISOString();
}

function executionName(state: Pick<RetryState, 'eventId' | 'endpointId' | 'generation'>): string {
  return `${state.eventId}-${state.endpointId}-g${state.generation}`;
}

/** Answers true when this call started the execution, false when it already existed. */
function startRetry(state: RetryState): Promise<boolean> {
  return startExecution(
    config.retryStateMachineArn(),
    executionName(state),
    JSON.stringify({ ...state, waitUntil: dueTime(state) }),
  );
}

/**
 * Starts an execution by its deterministic name: true when this call started it, false when one of
 * that name exists (a duplicate start is success). Anything else (a quota, a throttle) throws.
 */
async function startExecution(stateMachineArn: string, name: string, input: string): Promise<boolean> {
  try {
    await sfnClient().send(new StartExecutionCommand({ stateMachineArn, name, input }));
    return true;
  } catch (error) {
    if (
      error instanceof ExecutionAlreadyExists ||
      (error as { name?: unknown }).name === 'ExecutionAlreadyExists'
    ) {
      return false;
    }
    throw error;
  }
}

export type { RetryState };
export { dueTime, executionName, startExecution, startRetry };
