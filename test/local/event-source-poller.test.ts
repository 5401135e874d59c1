import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSourcePoller, succeededIds } from '../../local/event-source-poller.js';

const region = 'us-east-1';
const record = (messageId: string) => ({ messageId }) as SQSRecord;

describe('succeededIds', () => {
  const records = [record('a'), record('b'), record('c')];
  it('deletes all but the reported failures', () => {
    expect(
      succeededIds(records, { ok: true, result: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, true),
    ).toEqual(['a', 'c']);
  });
  it('treats an empty or missing batchItemFailures as full success', () => {
    expect(succeededIds(records, { ok: true, result: { batchItemFailures: [] } }, true)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(succeededIds(records, { ok: true, result: null }, true)).toEqual(['a', 'b', 'c']);
  });
  it('fails the whole batch on an invalid response or an error', () => {
    expect(
      succeededIds(records, { ok: true, result: { batchItemFailures: [{ itemIdentifier: '' }] } }, true),
    ).toEqual([]);
    expect(
      succeededIds(records, { ok: true, result: { batchItemFailures: [{ itemIdentifier: 'zz' }] } }, true),
    ).toEqual([]);
    expect(succeededIds(records, { ok: false }, true)).toEqual([]);
  });
  it('ignores batchItemFailures when the mapping does not report them', () => {
    expect(
      succeededIds(records, { ok: true, result: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, false),
    ).toEqual(['a', 'b', 'c']);
  });
});

describe('EventSourcePoller against fauxqs', () => {
  let server: FauxqsServer;
  let sqs: SQSClient;
  beforeAll(async () => {
    server = await startFauxqs({ port: 0, logger: false });
    sqs = new SQSClient({
      endpoint: server.address,
      region,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      useQueueUrlAsEndpoint: false,
    });
  });
  afterAll(async () => {
    sqs.destroy();
    await server.stop();
  });

  it('deletes successes only; failures come back after the visibility timeout and reach the DLQ', async () => {
    const dlq = server.createQueue('poller-dlq');
    const queue = server.createQueue('poller-q', {
      attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: 2 }),
      },
    });
    const seen: string[] = [];
    const batchSizes: number[] = [];
    const poller = new EventSourcePoller(
      {
        queueUrl: queue.queueUrl,
        queueArn: queue.queueArn,
        functionName: 'fn',
        batchSize: 10,
        batchingWindowSeconds: 0,
        maxConcurrency: 1,
        reportBatchItemFailures: true,
        region,
      },
      sqs,
      async (event) => {
        batchSizes.push(event.Records.length);
        seen.push(...event.Records.map((r) => r.body));
        expect(event.Records[0]?.eventSourceARN).toBe(queue.queueArn);
        return {
          batchItemFailures: event.Records.filter((r) => r.body.startsWith('bad')).map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
    );
    for (const body of ['good-1', 'bad-1', 'good-2'])
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }));
    poller.start();
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && (server.inspectQueue('poller-dlq')?.messages.ready.length ?? 0) === 0) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await poller.stop();
    expect(seen.filter((b) => b === 'good-1')).toHaveLength(1);
    expect(seen.filter((b) => b === 'good-2')).toHaveLength(1);
    expect(seen.filter((b) => b === 'bad-1')).toHaveLength(2); // maxReceiveCount 2, then the DLQ
    expect(server.inspectQueue('poller-dlq')?.messages.ready.map((m) => m.body)).toEqual(['bad-1']);
    const main = server.inspectQueue('poller-q');
    expect((main?.messages.ready.length ?? 0) + (main?.messages.inflight.length ?? 0)).toBe(0);
    expect(poller.stats).toMatchObject({ succeeded: 2, failed: 2 });
  });

  it('with a heartbeat, a slow invocation keeps its batch invisible past a (scaled) 1 s visibility timeout', async () => {
    const queue = server.createQueue('poller-heartbeat', { attributes: { VisibilityTimeout: '1' } });
    const bodies: string[] = [];
    const poller = new EventSourcePoller(
      {
        queueUrl: queue.queueUrl,
        queueArn: queue.queueArn,
        functionName: 'fn',
        batchSize: 10,
        batchingWindowSeconds: 0,
        maxConcurrency: 2,
        reportBatchItemFailures: true,
        region,
        heartbeatVisibilitySeconds: 1,
      },
      sqs,
      async (event) => {
        bodies.push(...event.Records.map((r) => r.body));
        await new Promise((r) => setTimeout(r, 2500));
        return { batchItemFailures: [] };
      },
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'slow' }));
    poller.start();
    await new Promise((r) => setTimeout(r, 3500));
    await poller.stop();
    expect(bodies).toEqual(['slow']);
    expect(server.inspectQueue('poller-heartbeat')?.messages.ready.length).toBe(0);
  }, 10_000);
});
