/**
 * What the job runner does with a record whose job threw, and how it describes the error (runner.ts).
 * Pure, so the choice is a table: a Herald error that says it is not retryable goes to the DLQ now; any
 * other error is retried by SQS, except on the record's last receive (`maxReceiveCount`), where the
 * runner sends it to the DLQ itself so the message carries the last error, instead of letting SQS's
 * redrive policy move it on the next receive with nothing said about why.
 */
import { HeraldError } from '../shared/errors.js';

type FailureAction = 'dead_letter_now' | 'dead_letter_last_receive' | 'retry';

interface FailureDescription {
  /**
   * The error's class: a built-in's name (`TypeError`), a Herald error's code (`invalid_request`: class
   * names do not survive minification), `Error` for a throw of a non-Error.
   */
  readonly errorClass: string;
  readonly message: string;
  /** A Herald error's stable code. */
  readonly code?: string;
  readonly retryable: boolean;
  /** The first frames: with source maps (lib/herald-function.ts) they point into the job's own file. */
  readonly stack?: string;
}

/** Frames kept in a log line: enough to reach the job's own code from the runner. */
const STACK_FRAMES = 12;

function describeFailure(error: unknown): FailureDescription {
  if (!(error instanceof Error)) {
    return { errorClass: 'Error', message: String(error), retryable: true };
  }
  const stack = error.stack
    ?.split('\n')
    .slice(0, STACK_FRAMES + 1)
    .join('\n');
  const herald = error instanceof HeraldError;
  return {
    // A Herald error's code, not its class name: bundles are minified, so `name` reads "lt" there.
    errorClass: herald ? error.code : error.name || 'Error',
    message: error.message,
    ...(herald ? { code: error.code } : {}),
    retryable: herald ? error.retryable : true,
    ...(stack !== undefined ? { stack } : {}),
  };
}

/**
 * `receiveCount` is the record's ApproximateReceiveCount; `maxReceiveCount` the queue's redrive
 * setting (undefined when the function was not told: then SQS decides, as before).
 */
function failureAction(
  error: unknown,
  receiveCount: number,
  maxReceiveCount: number | undefined,
): FailureAction {
  if (error instanceof HeraldError && !error.retryable) return 'dead_letter_now';
  if (maxReceiveCount !== undefined && Number.isFinite(receiveCount) && receiveCount >= maxReceiveCount) {
    return 'dead_letter_last_receive';
  }
  return 'retry';
}

export type { FailureAction, FailureDescription };
export { describeFailure, failureAction, STACK_FRAMES };
