/**
 * Dead-letter queue operations done by hand with plain SQS calls, so they behave the same on AWS and on
 * fauxqs (which has no StartMessageMoveTask). A peek receives with a short visibility timeout and then
 * makes every message visible again; a redrive deletes a message only after its copy was sent.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { sqsClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';

interface DeadLetterQueue {
  readonly name: string;
  readonly url: string;
  readonly sourceQueue: string;
  readonly sourceUrl: string;
}

interface PeekedMessage {
  readonly messageId: string;
  readonly body: unknown;
  readonly receiveCount: number;
  readonly sentAt?: string;
  readonly attributes?: Record<string, string>;
}

const SQS_BATCH_SIZE = 10;
/** Long enough for one API call to finish; messages come back at once via ChangeMessageVisibility 0. */
const PEEK_VISIBILITY_SECONDS = 30;

/** Failed deliveries; redriving them sends redelivery requests to the dispatch queue. */
const WEBHOOK_DLQ_NAME = 'webhook-dlq';

function queueName(url: string): string {
  return url.split('/').pop() ?? url;
}

/** Every DLQ: one per work queue (HERALD_QUEUES) plus the webhook DLQ, which feeds the dispatch queue. */
function deadLetterQueues(): DeadLetterQueue[] {
  const queues: DeadLetterQueue[] = config
    .queues()
    .map((q) => ({ name: q.dlqName, url: q.dlqUrl, sourceQueue: q.name, sourceUrl: q.url }));
  const webhookDlqUrl = config.webhookDlqUrl();
  if (!queues.some((q) => q.url === webhookDlqUrl)) {
    const dispatchUrl = config.dispatchQueueUrl();
    const dispatch = queues.find((q) => q.sourceUrl === dispatchUrl);
    queues.push({
      name: WEBHOOK_DLQ_NAME,
      url: webhookDlqUrl,
      sourceQueue: dispatch?.sourceQueue ?? queueName(dispatchUrl),
      sourceUrl: dispatchUrl,
    });
  }
  return queues;
}

function findDeadLetterQueue(name: string): DeadLetterQueue | undefined {
  return deadLetterQueues().find((q) => q.name === name);
}

async function receive(url: string, max: number, visibilitySeconds: number): Promise<Message[]> {
  const result = await sqsClient().send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: Math.min(SQS_BATCH_SIZE, max),
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      MessageAttributeNames: ['All'],
    }),
  );
  return result.Messages ?? [];
}

async function makeVisible(url: string, receiptHandles: readonly string[]): Promise<void> {
  for (let i = 0; i < receiptHandles.length; i += SQS_BATCH_SIZE) {
    await sqsClient().send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: receiptHandles
          .slice(i, i + SQS_BATCH_SIZE)
          .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 })),
      }),
    );
  }
}

function sentAtOf(message: Message): string | undefined {
  const sent = Number(message.Attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined;
}

/** Depth, in-flight count and the age of one visible message (SQS has no age-of-oldest attribute). */
async function describeDeadLetterQueue(queue: DeadLetterQueue, now: number = Date.now()) {
  const attributes = await sqsClient().send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const depth = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
  let oldestMessageAgeSeconds: number | undefined;
  if (depth > 0) {
    // Visibility 0: the message stays available; only its (DLQ-side, harmless) receive count grows.
    const [message] = await receive(queue.url, 1, 0);
    const sentAt = message === undefined ? undefined : sentAtOf(message);
    if (sentAt !== undefined)
      oldestMessageAgeSeconds = Math.max(0, Math.floor((now - Date.parse(sentAt)) / 1000));
  }
  return {
    name: queue.name,
    sourceQueue: queue.sourceQueue,
    depth,
    inFlight: Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    ...(oldestMessageAgeSeconds !== undefined ? { oldestMessageAgeSeconds } : {}),
  };
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined) return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Up to `limit` messages; every one is made visible again before this returns, even on error. */
async function peekMessages(queue: DeadLetterQueue, limit: number): Promise<PeekedMessage[]> {
  const messages: Message[] = [];
  try {
    while (messages.length < limit) {
      const batch = await receive(queue.url, limit - messages.length, PEEK_VISIBILITY_SECONDS);
      if (batch.length === 0) break;
      messages.push(...batch);
    }
  } finally {
    await makeVisible(
      queue.url,
      messages.flatMap((m) => (m.ReceiptHandle ? [m.ReceiptHandle] : [])),
    );
  }
  return messages.map((m) => {
    const attributes = Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).flatMap(([k, v]) =>
        v.StringValue !== undefined ? [[k, v.StringValue]] : [],
      ),
    );
    const sentAt = sentAtOf(m);
    return {
      messageId: m.MessageId ?? '',
      body: parseBody(m.Body),
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
      ...(sentAt !== undefined ? { sentAt } : {}),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    };
  });
}

/**
 * Moves up to `limit` messages, and no more than the depth at the start, to the source queue:
 * receive → SendMessageBatch → DeleteMessageBatch of
 * exactly the entries that were sent. Messages whose send failed are made visible again at the end
 * (not inside the loop, so this call does not receive them twice).
 */
async function redrive(
  queue: DeadLetterQueue,
  requested: number,
): Promise<{ moved: number; failed: number }> {
  // At most what the queue holds now (visible or briefly hidden by a peek): a message that fails again
  // at once (a job's non-retryable error sends it straight back) must not be moved twice by one call.
  const { Attributes = {} } = await sqsClient().send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const held =
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  const limit = Math.min(requested, held);
  let moved = 0;
  const failedHandles: string[] = [];
  try {
    while (moved + failedHandles.length < limit) {
      const batch = await receive(queue.url, limit - moved - failedHandles.length, PEEK_VISIBILITY_SECONDS);
      if (batch.length === 0) break;
      const sent = await sqsClient().send(
        new SendMessageBatchCommand({
          QueueUrl: queue.sourceUrl,
          Entries: batch.map((m, index) => ({
            Id: String(index),
            MessageBody: m.Body ?? '',
            ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length > 0
              ? { MessageAttributes: m.MessageAttributes }
              : {}),
          })),
        }),
      );
      const sentIds = new Set((sent.Successful ?? []).map((s) => s.Id));
      const toDelete = batch.flatMap((m, index) =>
        sentIds.has(String(index)) && m.ReceiptHandle
          ? [{ Id: String(index), ReceiptHandle: m.ReceiptHandle }]
          : [],
      );
      if (toDelete.length > 0) {
        await sqsClient().send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: toDelete }));
      }
      moved += toDelete.length;
      batch.forEach((m, index) => {
        if (!sentIds.has(String(index)) && m.ReceiptHandle) failedHandles.push(m.ReceiptHandle);
      });
    }
  } finally {
    await makeVisible(queue.url, failedHandles);
  }
  return { moved, failed: failedHandles.length };
}

export type { DeadLetterQueue, PeekedMessage };
export {
  deadLetterQueues,
  describeDeadLetterQueue,
  findDeadLetterQueue,
  peekMessages,
  redrive,
  WEBHOOK_DLQ_NAME,
};
