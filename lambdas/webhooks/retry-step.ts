/**
 * One scheduled retry (docs/internals.md "Retry workflow", "Retry lane"): one attempt for
 * `{ eventId, endpointId, generation, attempt, waitSeconds }`, answering the same shape with `outcome`
 * and the next `attempt` / `waitSeconds`. Run by the retry workflow's task and by the retry lane's
 * consumer alike; on `failed` the caller sends `dlqMessage` to the webhook DLQ. Platform errors throw,
 * so the workflow's Retry/Catch or the lane's SQS redelivery handles them.
 *
 * The workflow's Choice state knows three outcomes, so a retry that has nothing left to do — its
 * generation was superseded by a replay, or the endpoint was disabled or deleted meanwhile — ends as
 * `delivered` with `stopped` saying why (the delivery item holds the real state).
 */

import { config } from '../shared/config.js';
import { InvalidRequestError } from '../shared/errors.js';
import type { WebhookDlqMessage } from '../shared/messages.js';
import type { DeliveryRecord } from '../shared/model.js';
import { getDelivery, markFailed, markSkipped } from '../shared/store/deliveries.js';
import { releaseProbe } from '../shared/store/endpoint-health.js';
import { getEndpoint } from '../shared/store/endpoints.js';
import { getEvent } from '../shared/store/events.js';
import { nextRetryDelaySeconds } from './backoff.js';
import { attemptDelivery, type Outcome } from './delivery-attempt.js';
import { probeFor, probeLeaseMs, workflowWait } from './health/gate.js';
import { emitOpEvent, isOperational, OP_EVENT_TYPES } from './health/op-events.js';
import { dueTime, type RetryState } from './retry-workflow.js';
import { webhookDlqMessage } from './webhook-dlq.js';

type StopReason = 'superseded' | 'endpoint_disabled' | 'endpoint_deleted' | 'event_not_found' | 'duplicate';

interface AttemptOutput extends RetryState {
  readonly outcome: Outcome;
  readonly stopped?: StopReason;
  /** With `stopped: 'duplicate'`: the delivery as stored, for the lane to finish what a crash left. */
  readonly stored?: DeliveryRecord;
  readonly statusCode?: number;
  readonly errorClass?: string;
  /** Present when `outcome` is `failed`: the webhook DLQ body. */
  readonly dlqMessage?: WebhookDlqMessage;
}

function parseInput(input: unknown): RetryState {
  const value = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const { eventId, endpointId, generation, attempt, waitSeconds, waitUntil, reservedSlot, heldSince } = value;
  if (typeof eventId !== 'string' || typeof endpointId !== 'string') {
    throw new InvalidRequestError('attempt input needs eventId and endpointId');
  }
  if (!Number.isInteger(generation) || !Number.isInteger(attempt) || (attempt as number) < 1) {
    throw new InvalidRequestError('attempt input needs integer generation and attempt');
  }
  return {
    eventId,
    endpointId,
    generation: generation as number,
    attempt: attempt as number,
    waitSeconds: typeof waitSeconds === 'number' ? waitSeconds : 0,
    ...(typeof waitUntil === 'string' ? { waitUntil } : {}),
    ...(Number.isInteger(reservedSlot) ? { reservedSlot: reservedSlot as number } : {}),
    ...(typeof heldSince === 'string' ? { heldSince } : {}),
  };
}

/**
 * How long an attempt that finds another attempt probing waits for that probe's verdict: until the
 * probe's lease has surely ended (attempt timeout + margin), and never longer than the wait the
 * schedule puts before the next attempt (so waiting does not stretch the schedule by more than one
 * step; scaled like it in tests). One wait, not a poll: a look costs an invocation and two state
 * transitions, and a hanging endpoint can have thousands of attempts waiting (adrs/0007).
 */
function probeWaitMs(attempt: number): number {
  const nextWait =
    nextRetryDelaySeconds(attempt, { random: () => 0.5, timeScale: config.retryTimeScale() }) ?? 0;
  return Math.min(probeLeaseMs(), nextWait * 1000);
}

/** The same attempt again at `notBefore`, not spent (a hold, the rate limit, a probe in flight). */
function postponed(
  state: RetryState,
  notBefore: Date,
  carry: { reservedSlot?: number; heldSince?: string },
): AttemptOutput {
  const { reservedSlot: _slot, heldSince: _held, ...rest } = state;
  return {
    ...rest,
    outcome: 'retry',
    waitSeconds: Math.max(0, (notBefore.getTime() - Date.now()) / 1000),
    waitUntil: notBefore.toISOString(),
    ...carry,
  };
}

function stop(state: RetryState, stopped: StopReason): AttemptOutput {
  return { ...state, waitSeconds: 0, outcome: 'delivered', stopped };
}

interface RunOptions {
  /**
   * An attempt already recorded is not made again (`stopped: 'duplicate'`): the retry lane's messages
   * may come twice. Not for the workflow, whose platform Retry re-runs an attempt it saw recorded.
   */
  readonly once?: boolean;
}

async function runAttempt(state: RetryState, options: RunOptions = {}): Promise<AttemptOutput> {
  const [delivery, event, endpoint] = await Promise.all([
    getDelivery(state.eventId, state.endpointId),
    getEvent(state.eventId),
    getEndpoint(state.endpointId),
  ]);
  // Checked before the POST, so a replayed delivery is not sent by the old workflow as well.
  if (delivery === undefined || delivery.generation !== state.generation) return stop(state, 'superseded');
  if (options.once === true && delivery.attempts >= state.attempt) {
    return { ...stop(state, 'duplicate'), stored: delivery };
  }
  const now = new Date().toISOString();
  if (event === undefined) {
    await markFailed(state.eventId, state.endpointId, state.generation, now, 'event_not_found');
    return stop(state, 'event_not_found');
  }
  if (endpoint === undefined) {
    await markFailed(state.eventId, state.endpointId, state.generation, now, 'endpoint_deleted');
    return stop(state, 'endpoint_deleted');
  }
  if (!endpoint.enabled) {
    await markSkipped(state.eventId, state.endpointId, state.generation, now);
    return stop(state, 'endpoint_disabled');
  }

  // Held by a Retry-After or over the rate limit: wait, without spending the attempt (adrs/0007).
  const postpone = await workflowWait(endpoint, state.reservedSlot, new Date());
  if (postpone !== undefined) {
    return postponed(state, postpone.notBefore, {
      ...(postpone.reservedSlot !== undefined ? { reservedSlot: postpone.reservedSlot } : {}),
    });
  }
  // Breaker open and another attempt probing: wait once for its verdict (probeWaitMs). Still open and
  // busy after that: spend this attempt without a POST (`circuit_open`), so the schedule ends on time.
  const probeAt = new Date();
  const probe = await probeFor(endpoint.id, probeAt);
  if (probe.kind === 'busy' && state.heldSince === undefined) {
    const waitMs = probeWaitMs(state.attempt);
    if (waitMs > 0) {
      return postponed(state, new Date(probeAt.getTime() + waitMs), { heldSince: probeAt.toISOString() });
    }
  }

  const result = await attemptDelivery({
    event,
    endpoint,
    generation: state.generation,
    attempt: state.attempt,
    ...(probe.kind === 'busy' ? { skipPost: 'circuit_open' as const } : {}),
  });
  if (probe.kind === 'probe') await releaseProbe(endpoint.id, probe.until, probe.slot);
  if (result.superseded) return stop(state, 'superseded');
  // An operational event's own exhaustion is not announced: no loop between two failing endpoints.
  if (result.outcome === 'failed' && !isOperational(event.type)) {
    await emitOpEvent(event.tenantId, OP_EVENT_TYPES.exhausted, {
      endpointId: endpoint.id,
      eventId: event.id,
      eventType: event.type,
      attempts: state.attempt,
      lastError: result.lastError ?? 'unknown',
    });
  }
  const base = {
    eventId: state.eventId,
    endpointId: state.endpointId,
    generation: state.generation,
    outcome: result.outcome,
    ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
    ...(result.errorClass !== undefined ? { errorClass: result.errorClass } : {}),
  };
  if (result.outcome === 'retry') {
    const next = { ...base, attempt: state.attempt + 1, waitSeconds: result.waitSeconds ?? 0 };
    return { ...next, waitUntil: result.nextAttemptAt ?? dueTime(next) };
  }
  if (result.outcome === 'failed') {
    return {
      ...base,
      attempt: state.attempt,
      waitSeconds: 0,
      dlqMessage: webhookDlqMessage({
        eventId: state.eventId,
        endpointId: state.endpointId,
        failedAt: new Date().toISOString(),
        attempts: state.attempt,
        lastError: result.lastError,
      }),
    };
  }
  return { ...base, attempt: state.attempt, waitSeconds: 0 };
}

export type { AttemptOutput, StopReason };
export { parseInput, runAttempt };
