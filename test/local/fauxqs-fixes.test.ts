import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { afterAll, describe, expect, it } from 'vitest';
import { applyFauxqsFixes } from '../../local/fauxqs-fixes.js';

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** A persisted fauxqs with one queue holding `count` messages; the same dir can be started again. */
async function persistedQueue(dataDir: string, count: number) {
  const server = await startFauxqs({ port: 0, logger: false, dataDir });
  const sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'peeked' }));
  if (count > 0) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: count }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })),
      }),
    );
  }
  const depth = async () => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    };
  };
  /** What dlq peek does: receive with a visibility window, then make every message visible again. */
  const peek = async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    return sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: Messages.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  };
  const stop = async () => {
    sqs.destroy();
    await server.stop();
  };
  return { sqs, QueueUrl, depth, peek, stop };
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-fauxqs-'));
  dataDirs.push(dir);
  return dir;
}

// Sequential on purpose: the first test shows the upstream bug, before the fix patches the module.
describe('fauxqs with a data dir: making a received message visible again', () => {
  it('without the fix, loses the message until a restart (fauxqs 2.4.1; delete the fix once this fails)', async () => {
    const queue = await persistedQueue(newDataDir(), 3);
    try {
      await expect(queue.peek()).rejects.toThrow();
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    } finally {
      await queue.stop();
    }
  });

  it('with the fix, keeps every message visible and its receive count across a restart', async () => {
    await applyFauxqsFixes();
    await applyFauxqsFixes(); // idempotent
    const dataDir = newDataDir();
    const first = await persistedQueue(dataDir, 10);
    try {
      const answer = await first.peek();
      expect(answer.Failed ?? []).toEqual([]);
      expect(answer.Successful).toHaveLength(10);
      expect(await first.depth()).toEqual({ visible: 10, inFlight: 0 });
    } finally {
      await first.stop();
    }
    const second = await persistedQueue(dataDir, 0);
    try {
      expect(await second.depth()).toEqual({ visible: 10, inFlight: 0 });
      const { Messages = [] } = await second.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: second.QueueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      expect(Messages.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(Array(10).fill('2'));
    } finally {
      await second.stop();
    }
  });
});
