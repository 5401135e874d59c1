/**
 * What the retry watch does when a retry-workflow execution ends (issue 9.6: a delivery can never
 * vanish). A pure decision of (the execution's end, the delivery as stored) → action; the handler
 * (retry-watch.ts) does the reads and writes around it.
 *
 * - FAILED with `WebhookDeliveryFailed`: the workflow's own `Exhausted` end, reached only after
 *   `SendToWebhookDlq` succeeded. The delivery is on the DLQ; if it still shows `pending`/`retrying`
 *   (the platform-failure Catch path sends without recording), close it as `failed`.
 * - TIMED_OUT, ABORTED, or FAILED with anything else (the DLQ send itself failed after its retries, a
 *   runtime error): nothing reached the DLQ. Close the delivery and dead-letter it — or, when it is
 *   already `failed` but never reached the DLQ (the execution ended between the attempt recording
 *   `failed` and the send), dead-letter it only.
 * - Anything else — SUCCEEDED, a newer generation (replay), a `delivered`/`skipped` delivery, one
 *   already dead-lettered — is left alone.
 */

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

interface ExecutionEnd {
  readonly status: string;
  /** The execution's error name (FAILED only), e.g. `WebhookDeliveryFailed`, `States.TaskFailed`. */
  readonly error?: string;
  /** The generation the execution was started for (its input; also the `-g<n>` of its name). */
  readonly generation: number;
}

interface StoredDelivery {
  readonly generation: number;
  readonly state: string;
  readonly deadLetteredAt?: string;
}

type Settlement =
  | { readonly action: 'none'; readonly why: string }
  /** Mark the delivery `failed` (it is already on the DLQ). */
  | { readonly action: 'close'; readonly lastError: string }
  /** Mark it `failed`, send it to the webhook DLQ, note the send. */
  | { readonly action: 'close_and_dead_letter'; readonly lastError: string }
  /** It is `failed` already: send it to the webhook DLQ, note the send. */
  | { readonly action: 'dead_letter'; readonly lastError: string };

/** The Fail state the workflow ends in after it sent the delivery to the webhook DLQ (lib/webhooks.ts). */
const DEAD_LETTERED_ERROR = 'WebhookDeliveryFailed';

const OPEN_STATES: ReadonlySet<string> = new Set(['pending', 'retrying']);

/** The `lastError` a delivery gets when its workflow ended without finishing it. */
function endError(end: ExecutionEnd): string {
  if (end.status === 'TIMED_OUT') return 'workflow_timed_out';
  if (end.status === 'ABORTED') return 'workflow_aborted';
  return `workflow_failed: ${end.error ?? 'unknown'}`;
}

function settle(end: ExecutionEnd, delivery: StoredDelivery | undefined): Settlement {
  if (end.status !== 'FAILED' && end.status !== 'TIMED_OUT' && end.status !== 'ABORTED') {
    return { action: 'none', why: `execution ${end.status}` };
  }
  if (delivery === undefined) return { action: 'none', why: 'delivery gone' };
  if (delivery.generation !== end.generation) return { action: 'none', why: 'superseded' };
  const open = OPEN_STATES.has(delivery.state);
  if (end.status === 'FAILED' && end.error === DEAD_LETTERED_ERROR) {
    return open ? { action: 'close', lastError: 'platform_error' } : { action: 'none', why: 'dead-lettered' };
  }
  if (open) return { action: 'close_and_dead_letter', lastError: endError(end) };
  if (delivery.state === 'failed' && delivery.deadLetteredAt === undefined) {
    return { action: 'dead_letter', lastError: endError(end) };
  }
  return { action: 'none', why: `delivery ${delivery.state}` };
}

export type { ExecutionEnd, ExecutionStatus, Settlement, StoredDelivery };
export { DEAD_LETTERED_ERROR, settle };
