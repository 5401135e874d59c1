/**
 * Direct SQS access to the local runtime's emulator, for injecting messages and reading depths the way
 * an operator's console would. Queue names come from the synthesized template, so they are matched by
 * pattern (e.g. /invoice/ and not /dlq/).
 */
import { randomBytes } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

class QueueNotFoundError extends Error {
  readonly code = 'queue_not_found';
  readonly status = 404;
  readonly retryable = false;
  constructor(pattern: RegExp, names: readonly string[]) {
    super(`No queue matches ${pattern} (have: ${names.join(', ')})`);
    this.name = 'QueueNotFoundError';
  }
}

const isDlqName = (name: string): boolean => /dlq|dead/i.test(name);

/** The URL of the one work queue (dlq: false) or DLQ (dlq: true) whose name matches `pattern`. */
function findQueue(queues: Readonly<Record<string, string>>, pattern: RegExp, dlq: boolean): string {
  const entries = Object.entries(queues).filter(([name, url]) => {
    const label = `${name} ${url.split('/').pop() ?? ''}`;
    return pattern.test(label) && isDlqName(label) === dlq;
  });
  if (entries.length === 0) throw new QueueNotFoundError(pattern, Object.keys(queues));
  // Prefer the shortest name: "invoice" over "invoice-something-else".
  entries.sort(([a], [b]) => a.length - b.length);
  return entries[0]![1];
}

async function depth(sqs: SQSClient, url: string): Promise<QueueDepth> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = result.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

const total = (d: QueueDepth): number => d.visible + d.inFlight + d.delayed;

/** Sends a raw message, as SNS raw delivery would (body + `type`/`tenantId` attributes). */
async function inject(
  sqs: SQSClient,
  url: string,
  body: string,
  attributes: Record<string, string> = {},
): Promise<string> {
  const messageAttributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    messageAttributes[name] = { DataType: 'String', StringValue: value };
  }
  const result = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: messageAttributes }),
  );
  return result.MessageId ?? '';
}

/** Sends up to 10 messages in one call, so a consumer is likely to receive them as one batch. */
async function injectBatch(
  sqs: SQSClient,
  url: string,
  messages: ReadonlyArray<{ body: string; attributes?: Record<string, string> }>,
): Promise<void> {
  const result = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: messages.map((m, index) => ({
        Id: String(index),
        MessageBody: m.body,
        MessageAttributes: Object.fromEntries(
          Object.entries(m.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      })),
    }),
  );
  if ((result.Failed ?? []).length > 0)
    throw new Error(`SendMessageBatch failed: ${JSON.stringify(result.Failed)}`);
}

/** The queue's visibility timeout (s) and, when it has a DLQ, its maxReceiveCount. */
async function queueSettings(
  sqs: SQSClient,
  url: string,
): Promise<{ visibilityTimeoutSeconds: number; maxReceiveCount: number | undefined }> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }),
  );
  const redrive = result.Attributes?.RedrivePolicy;
  const parsed = redrive ? (JSON.parse(redrive) as { maxReceiveCount?: number | string }) : undefined;
  return {
    visibilityTimeoutSeconds: Number(result.Attributes?.VisibilityTimeout ?? 30),
    maxReceiveCount: parsed?.maxReceiveCount === undefined ? undefined : Number(parsed.maxReceiveCount),
  };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An `evt_` id in the ULID shape (10 time characters + 16 random), for messages injected by hand. */
function eventId(now = Date.now()): string {
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  let random = '';
  for (const byte of randomBytes(16)) random += CROCKFORD[byte % 32];
  return `evt_${time}${random}`;
}

/** The SNS raw-delivery body of an event (docs/internals.md "Messages") and its attributes. */
function eventMessage(
  type: string,
  tenantId: string,
  data: Record<string, unknown>,
): { id: string; body: string; attributes: Record<string, string> } {
  const id = eventId();
  const body = JSON.stringify({ id, type, tenantId, createdAt: new Date().toISOString(), data });
  return { id, body, attributes: { type, tenantId } };
}

export type { QueueDepth };
export { depth, eventMessage, findQueue, inject, injectBatch, queueSettings, total };
