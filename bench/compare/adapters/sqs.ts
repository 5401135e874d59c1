/**
 * SQS, played by fauxqs started in-process. An emulator: its figures show SQS semantics (visibility
 * timeout, receive counts, redrive) but not SQS latency or throughput, which are network-bound on AWS.
 */

import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import type { BrokerAdapter, ConsumerHandle, Handler, JobMessage, QueueSpec } from '../types.js';

const BATCH = 10; // SQS maximum per SendMessageBatch / ReceiveMessage / DeleteMessageBatch
const PUBLISH_PARALLELISM = 16;

interface QueueUrls {
  readonly url: string;
  readonly dlqUrl: string;
}

class SqsAdapter implements BrokerAdapter {
  readonly name = 'SQS (fauxqs)';
  readonly note = 'fauxqs in-process emulator: semantics are SQS, speed is not (real SQS is network-bound)';
  private server: FauxqsServer | undefined;
  private readonly queues = new Map<string, QueueUrls>();

  async connect(): Promise<void> {
    this.server = await startFauxqs({ port: 0, logger: false });
  }

  private client(): SQSClient {
    if (!this.server) throw new Error('SqsAdapter.connect() was not called');
    // An explicit endpoint: fauxqs queue URLs use sqs.<region>.localhost, which does not resolve.
    return new SQSClient({
      endpoint: this.server.address,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
  }

  private urls(queue: string): QueueUrls {
    const urls = this.queues.get(queue);
    if (!urls) throw new Error(`unknown queue ${queue}`);
    return urls;
  }

  async createQueue(spec: QueueSpec): Promise<void> {
    const sqs = this.client();
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${spec.name}-dlq` }));
    const dlqUrl = dlq.QueueUrl as string;
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const main = await sqs.send(
      new CreateQueueCommand({
        QueueName: spec.name,
        Attributes: {
          VisibilityTimeout: String(Math.max(1, Math.round(spec.redeliveryDelayMs / 1000))),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: attrs.Attributes?.QueueArn,
            maxReceiveCount: String(spec.maxDeliveries),
          }),
        },
      }),
    );
    this.queues.set(spec.name, { url: main.QueueUrl as string, dlqUrl });
  }

  async publish(queue: string, messages: readonly JobMessage[]): Promise<void> {
    const sqs = this.client();
    const { url } = this.urls(queue);
    const batches: JobMessage[][] = [];
    for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++] as JobMessage[];
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: batch.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) })),
          }),
        );
        if (out.Failed && out.Failed.length > 0)
          throw new Error(`SendMessageBatch failed: ${out.Failed[0]?.Code}`);
      }
    };
    await Promise.all(Array.from({ length: PUBLISH_PARALLELISM }, worker));
  }

  async startConsumer(
    queue: string,
    handler: Handler,
    options: { concurrency: number },
  ): Promise<ConsumerHandle> {
    const sqs = this.client();
    const { url } = this.urls(queue);
    const abort = new AbortController();
    let running = true;
    // Each poller is one long-poll loop of up to 10 messages; `concurrency` pollers in parallel.
    const poller = async (): Promise<void> => {
      while (running) {
        let messages: Message[];
        try {
          const out = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: BATCH,
              WaitTimeSeconds: 1,
              MessageSystemAttributeNames: ['ApproximateReceiveCount'],
            }),
            { abortSignal: abort.signal },
          );
          messages = out.Messages ?? [];
        } catch (error) {
          if (!running) return;
          throw error;
        }
        const toDelete: { Id: string; ReceiptHandle: string }[] = [];
        for (const [i, m] of messages.entries()) {
          if (!running) return; // crashed mid-batch: the rest stays invisible until the timeout
          const outcome = await handler({
            message: JSON.parse(m.Body as string) as JobMessage,
            deliveryCount: Number(m.Attributes?.ApproximateReceiveCount ?? Number.NaN),
          });
          if (outcome === 'ack') toDelete.push({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string });
          if (outcome === 'retry') {
            await sqs.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: url,
                ReceiptHandle: m.ReceiptHandle as string,
                VisibilityTimeout: 0,
              }),
            );
          }
        }
        if (toDelete.length > 0 && running) {
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: toDelete }));
        }
      }
    };
    const loops = Array.from({ length: Math.max(1, options.concurrency) }, poller);
    const finished = Promise.allSettled(loops);
    const halt = async (): Promise<void> => {
      running = false;
      abort.abort();
      await finished;
      sqs.destroy();
    };
    // SQS has no connection to drop: a crashed consumer simply stops deleting; visibility expiry redelivers.
    return { stop: halt, crash: halt };
  }

  async drainDeadLetters(queue: string): Promise<JobMessage[]> {
    const sqs = this.client();
    const { dlqUrl } = this.urls(queue);
    const found: JobMessage[] = [];
    for (let round = 0; round < 100; round++) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: BATCH }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) found.push(JSON.parse(m.Body as string) as JobMessage);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
    sqs.destroy();
    return found;
  }

  async deleteQueue(queue: string): Promise<void> {
    const sqs = this.client();
    const { url, dlqUrl } = this.urls(queue);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    sqs.destroy();
    this.queues.delete(queue);
  }

  async close(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }
}

export { SqsAdapter };
