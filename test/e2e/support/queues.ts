/**
 * Direct SQS access to the local runtime's emulator, for injecting messages and reading depths the way
 * an operator's console would. Queue names come from the synthesized template, so they are matched by
 * pattern (e.g. /invoice/ and not /dlq/).
 */
import {
  GetQueueAttributesCommand,
  type MessageAttributeValue,
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

export { depth, findQueue, inject, isDlqName, QueueNotFoundError, total };
export type { QueueDepth };
