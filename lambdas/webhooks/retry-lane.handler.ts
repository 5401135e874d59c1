/**
 * The retry lane's consumer (SQS, partial batch responses; adrs/0013). Each message is a retry
 * (retry-workflow.ts `RetryState` with `waitUntil`): one not yet due goes back on the lane for another
 * hop; a due one is attempted exactly as the workflow's task attempts it (retry-step.ts), and what comes
 * next is scheduled — on the lane again, or in the workflow when the wait is long, or the webhook DLQ.
 * The lane is at-least-once, so an attempt already recorded is not made again (`afterDuplicate`).
 * Platform failures fail the record and SQS redelivers it; after 5 receives it rests on the lane's DLQ,
 * from which a redrive resumes it where it was.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import type { WebhookDlqMessage } from '../shared/messages.js';
import { logger, metrics } from '../shared/observability.js';
import { markDeadLettered } from '../shared/store/deliveries.js';
import { flushActivity } from './activity/recorder.js';
import { afterDuplicate, LANE_GRACE_SECONDS, scheduleRetry, sendToLane } from './retry-lane.js';
import { type AttemptOutput, parseInput, runAttempt } from './retry-step.js';
import { dueTime, type RetryState } from './retry-workflow.js';
import { sendToWebhookDlq, webhookDlqMessage } from './webhook-dlq.js';

/** The retry the output asks for: the same identity, the next (or the same, postponed) attempt. */
function nextRetry(output: AttemptOutput): RetryState {
  const {
    outcome: _o,
    stopped: _s,
    stored: _d,
    statusCode: _c,
    errorClass: _e,
    dlqMessage: _m,
    ...state
  } = output;
  return state;
}

async function deadLetter(state: RetryState, message: WebhookDlqMessage): Promise<void> {
  await sendToWebhookDlq(message);
  await markDeadLettered(state.eventId, state.endpointId, state.generation, message.failedAt);
}

async function settleDuplicate(state: RetryState, output: AttemptOutput): Promise<void> {
  const stored = output.stored;
  if (stored === undefined) return;
  const now = Date.now();
  const next = afterDuplicate(
    stored,
    state.attempt,
    now,
    LANE_GRACE_SECONDS * config.retryTimeScale() * 1000,
  );
  if (next.action === 'dead_letter') {
    const failedAt = new Date(now).toISOString();
    const { attempts, lastError } = stored;
    await deadLetter(state, webhookDlqMessage({ ...state, failedAt, attempts, lastError }));
  } else if (next.action === 'resume') {
    logger.warn('retry lane: next attempt was never scheduled; scheduling it', {
      eventId: state.eventId,
      endpointId: state.endpointId,
      attempt: next.attempt,
    });
    // Identity only: the rate slot and probe wait this message carried belonged to the attempt made.
    const { eventId, endpointId, generation } = state;
    await scheduleRetry({
      eventId,
      endpointId,
      generation,
      attempt: next.attempt,
      waitSeconds: 0,
      waitUntil: new Date(now).toISOString(),
    });
  } else if (next.action === 'watch') {
    await sendToLane({ ...state, waitUntil: next.at }, now);
  }
}

async function handleRecord(record: SQSRecord): Promise<void> {
  const state = parseInput(JSON.parse(record.body));
  const now = Date.now();
  const due = Date.parse(dueTime(state, now));
  // Waits longer than SQS's 15 min delay take several hops.
  if (due - now >= 1000) {
    await sendToLane({ ...state, waitUntil: new Date(due).toISOString() }, now);
    return;
  }
  if (due > now) await new Promise((resolve) => setTimeout(resolve, due - now));

  const output = await runAttempt(state, { once: true });
  if (output.stopped === 'duplicate') return settleDuplicate(state, output);
  if (output.stopped !== undefined) return;
  if (output.outcome === 'retry') {
    await scheduleRetry(nextRetry(output));
  } else if (output.outcome === 'failed' && output.dlqMessage !== undefined) {
    await deadLetter(state, output.dlqMessage);
  }
}

/**
 * A platform failure is tried again in seconds (2, 4, 8, 16, 32 s by receive), as the workflow's Retry
 * would, not after the queue's visibility timeout (minutes); the fifth failure still goes to the DLQ.
 */
async function retrySoon(record: SQSRecord): Promise<void> {
  const queueUrl = config.retryLaneUrl();
  if (queueUrl === undefined) return;
  const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
  try {
    await sqsClient().send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.min(60, 2 ** receives),
      }),
    );
  } catch (error) {
    logger.warn('retry lane: visibility not shortened', {
      messageId: record.messageId,
      error: error instanceof Error ? error.name : String(error),
    });
  }
}

async function recordHandler(record: SQSRecord): Promise<void> {
  try {
    await handleRecord(record);
  } catch (error) {
    logger.error('retry lane record failed', {
      messageId: record.messageId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    await retrySoon(record);
    throw error;
  }
}

const processor = new BatchProcessor(EventType.SQS);

async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  config.table();
  try {
    return await processPartialResponse(event, recordHandler, processor, { context });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    await flushActivity();
  }
}

export { handleRecord, handler };
