/**
 * The retry watch (docs/internals.md "Retry workflow"): consumes the EventBridge "Step Functions
 * Execution Status Change" events of retry-workflow executions that ended FAILED, TIMED_OUT or ABORTED
 * (lib/retry-watch.ts routes them through an SQS queue), and makes sure their delivery ends `failed`
 * and on the webhook DLQ — an execution that times out in a Wait, or is stopped by an operator, sends
 * nothing itself. The decision is execution-end.ts; this file reads and writes around it.
 *
 * Order: close the delivery (conditional), send to the DLQ, note the send. A crash in between leaves
 * the delivery `failed` without `deadLetteredAt`, which the SQS redelivery of the same event sends.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { config } from '../shared/config.js';
import { logger, metrics } from '../shared/observability.js';
import { oldestEntries, releaseRecovery } from '../shared/store/backlog.js';
import { closeOpenDelivery, getDelivery, markDeadLettered } from '../shared/store/deliveries.js';
import { flushActivity, noteActivity } from './activity/recorder.js';
import { type ExecutionEnd, settle } from './execution-end.js';
import { ensureRecovery } from './recovery/park.js';
import { sendToWebhookDlq, webhookDlqMessage } from './webhook-dlq.js';

interface WatchedExecution extends ExecutionEnd {
  readonly eventId: string;
  readonly endpointId: string;
  readonly executionName: string;
}

/** `<eventId>-<endpointId>-g<generation>` (retry-workflow.ts executionName). */
const NAME_PATTERN = /^(evt_[0-9A-Za-z]+)-(ep_[0-9A-Za-z]+)-g(\d+)$/;

/**
 * The execution an EventBridge status-change event is about, or undefined when the body is not one
 * (nothing to retry: it is logged and dropped). The ids come from the execution's name, which
 * dispatch derives from them, so the event's (possibly truncated) input is not needed.
 */
function parseStatusChange(body: string): WatchedExecution | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const detail = (parsed as { detail?: Record<string, unknown> } | null)?.detail;
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { name, status, error } = detail;
  if (typeof name !== 'string' || typeof status !== 'string') return undefined;
  const match = NAME_PATTERN.exec(name);
  if (match === null) return undefined;
  return {
    executionName: name,
    eventId: match[1]!,
    endpointId: match[2]!,
    generation: Number(match[3]),
    status,
    ...(typeof error === 'string' ? { error } : {}),
  };
}

/** Reads, decides, acts; answers false when a conditional close lost a race (read and decide again). */
async function settleOnce(execution: WatchedExecution): Promise<boolean> {
  const { eventId, endpointId, generation } = execution;
  const delivery = await getDelivery(eventId, endpointId);
  const settlement = settle(execution, delivery);
  const context = { eventId, endpointId, generation, status: execution.status, action: settlement.action };
  if (settlement.action === 'none') {
    logger.info('retry watch: nothing to do', { ...context, why: settlement.why });
    return true;
  }
  const now = new Date().toISOString();
  let lastError = delivery?.lastError ?? settlement.lastError;
  let attempts = delivery?.attempts ?? 0;
  if (settlement.action === 'close' || settlement.action === 'close_and_dead_letter') {
    const closed = await closeOpenDelivery(eventId, endpointId, generation, now, settlement.lastError);
    // Moved on since the read: an attempt still running recorded its outcome, or a replay bumped it.
    if (closed === undefined) return false;
    lastError = settlement.lastError;
    attempts = closed.attempts;
    // Ended failed: the endpoint's activity chart counts it like any other failed delivery.
    noteActivity(endpointId, 'failed', new Date(now));
  }
  if (settlement.action !== 'close') {
    await sendToWebhookDlq(webhookDlqMessage({ eventId, endpointId, failedAt: now, attempts, lastError }));
    await markDeadLettered(eventId, endpointId, generation, now);
  }
  logger.warn('retry watch: delivery failed after its workflow ended', { ...context, lastError });
  return true;
}

/** `rcv-<endpointId>-<ms>` (recovery/park.ts recoveryName). */
const RECOVERY_PATTERN = /^rcv-(ep_[0-9A-Za-z]+)-\d+$/;

/**
 * A recovery that ended badly (its step kept failing, a timeout, an operator's stop): let go of its
 * lease and, while its backlog holds anything, start a new one — a parked delivery is never left
 * without a recovery (adrs/0011).
 */
async function restartRecovery(body: string): Promise<boolean> {
  let name: unknown;
  try {
    name = (JSON.parse(body) as { detail?: { name?: unknown } } | null)?.detail?.name;
  } catch {
    return false;
  }
  const match = typeof name === 'string' ? RECOVERY_PATTERN.exec(name) : null;
  if (match === null) return false;
  const endpointId = match[1]!;
  await releaseRecovery(endpointId, name as string);
  const waiting = (await oldestEntries(endpointId, 1)).length > 0;
  const started = waiting && (await ensureRecovery(endpointId));
  logger.warn('retry watch: endpoint recovery ended badly', {
    endpointId,
    execution: name,
    restarted: started,
  });
  return true;
}

async function handleRecord(record: SQSRecord): Promise<void> {
  if (await restartRecovery(record.body)) return;
  const execution = parseStatusChange(record.body);
  if (execution === undefined) {
    logger.warn('retry watch: not a retry-workflow status change; dropped', { messageId: record.messageId });
    return;
  }
  // A lost race means the delivery changed state; deciding again on the new state settles it (an
  // attempt that recorded `failed` still needs the DLQ send its dead workflow will never make).
  for (let round = 0; round < 3; round++) if (await settleOnce(execution)) return;
  throw new Error(`retry watch: ${execution.executionName} kept changing; SQS will redeliver it`);
}

const processor = new BatchProcessor(EventType.SQS);

async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  // Fail fast on a misconfigured deployment rather than per record.
  config.table();
  config.webhookDlqUrl();
  try {
    return await processPartialResponse(event, handleRecord, processor, { context });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    await flushActivity();
  }
}

export type { WatchedExecution };
export { handleRecord, handler, parseStatusChange };
