// Plays an SQS event source mapping: long-polls the queue, invokes the function with batches and deletes
// only what succeeded (partial batch responses); the rest reappear after the visibility timeout and
// reach the DLQ through the queue's redrive policy, as on AWS.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  MessageSystemAttributeName,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

export interface EventSourceMappingSpec {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly functionName: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly maxConcurrency: number;
  readonly reportBatchItemFailures: boolean;
  readonly region: string;
  /**
   * When visibility timeouts are scaled down (HERALD_LOCAL_TIME_SCALE), keep a batch invisible while its
   * invocation runs, so a scaled timeout never falls below the function's run time (the invariant CDK
   * and AWS ask for). Undefined: no heartbeat, as on AWS.
   */
  readonly heartbeatVisibilitySeconds?: number;
}

export type Invoke = (event: { Records: SQSRecord[] }) => Promise<unknown>;

export interface PollerStats {
  received: number;
  succeeded: number;
  failed: number;
  invocations: number;
}

const RECEIVE_WAIT_SECONDS = 1; // short long-poll, so stop() returns quickly

/** Converts an SQS message to the record shape Lambda's SQS event source delivers. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attrs = message.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      stringValue: value.StringValue,
      binaryValue:
        value.BinaryValue === undefined ? undefined : Buffer.from(value.BinaryValue).toString('base64'),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which message ids succeeded, given the function's outcome. An invalid response (a failure without an id)
 * fails the whole batch, as Lambda does.
 */
export function succeededIds(
  records: readonly SQSRecord[],
  outcome: { ok: true; result: unknown } | { ok: false },
  reportBatchItemFailures: boolean,
): string[] {
  if (!outcome.ok) return [];
  const all = records.map((r) => r.messageId);
  if (!reportBatchItemFailures) return all;
  const failures = (outcome.result as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (failures === undefined || failures === null) return all;
  if (!Array.isArray(failures)) return [];
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !all.includes(id)) return [];
    failed.add(id);
  }
  return all.filter((id) => !failed.has(id));
}

export class EventSourcePoller {
  readonly stats: PollerStats = { received: 0, succeeded: 0, failed: 0, invocations: 0 };
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    readonly spec: EventSourceMappingSpec,
    private readonly sqs: SQSClient,
    private readonly invoke: Invoke,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: Math.max(1, this.spec.maxConcurrency) }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const batch = await this.collectBatch();
        if (batch.length > 0) await this.process(batch);
      } catch (error) {
        if (!this.running) return;
        this.onError(error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Receives until the batch is full or the batching window has passed (one receive when the window is 0). */
  private async collectBatch(): Promise<Message[]> {
    const batch: Message[] = [];
    const windowEnds = Date.now() + this.spec.batchingWindowSeconds * 1000;
    do {
      const remainingWindow = Math.ceil((windowEnds - Date.now()) / 1000);
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.spec.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.spec.batchSize - batch.length),
          WaitTimeSeconds:
            batch.length === 0
              ? RECEIVE_WAIT_SECONDS
              : Math.max(0, Math.min(RECEIVE_WAIT_SECONDS, remainingWindow)),
          MessageSystemAttributeNames: [MessageSystemAttributeName.All],
          MessageAttributeNames: ['All'],
        }),
      );
      batch.push(...Messages);
      if (batch.length === 0 && this.spec.batchingWindowSeconds === 0) break;
    } while (
      this.running &&
      batch.length > 0 &&
      batch.length < this.spec.batchSize &&
      Date.now() < windowEnds
    );
    return batch;
  }

  private async process(batch: Message[]): Promise<void> {
    const records = batch.map((m) => toSqsRecord(m, this.spec.queueArn, this.spec.region));
    this.stats.received += records.length;
    this.stats.invocations++;
    let outcome: { ok: true; result: unknown } | { ok: false };
    const heartbeat = this.startHeartbeat(records);
    try {
      outcome = { ok: true, result: await this.invoke({ Records: records }) };
    } catch (error) {
      this.onError(error);
      outcome = { ok: false };
    } finally {
      if (heartbeat) clearInterval(heartbeat);
    }
    const ok = new Set(succeededIds(records, outcome, this.spec.reportBatchItemFailures));
    this.stats.succeeded += ok.size;
    this.stats.failed += records.length - ok.size;
    const toDelete = records.filter((r) => ok.has(r.messageId));
    for (let i = 0; i < toDelete.length; i += 10) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.spec.queueUrl,
          Entries: toDelete
            .slice(i, i + 10)
            .map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  }

  private startHeartbeat(records: readonly SQSRecord[]): NodeJS.Timeout | undefined {
    const seconds = this.spec.heartbeatVisibilitySeconds;
    if (seconds === undefined) return undefined;
    const timer = setInterval(
      () => {
        const entries = records
          .slice(0, 10)
          .map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle, VisibilityTimeout: seconds }));
        this.sqs
          .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.spec.queueUrl, Entries: entries }))
          .catch((e: unknown) => this.onError(e));
      },
      Math.max(200, (seconds * 1000) / 2),
    );
    return timer;
  }
}
