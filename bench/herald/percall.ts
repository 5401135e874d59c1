/**
 * CPU per AWS call on this machine, measured against the running local runtime's emulators: N
 * sequential calls of each kind from this (the main) thread, after a warm-up. The caller's side — AWS
 * SDK v3 client, SigV4, node:http — is this thread's CPU (getrusage per thread); dynalite's side is its
 * process's CPU from /proc. fauxqs runs on this thread, so an SQS/SNS figure is SDK and emulator
 * together. A Lambda invocation is the runtime's worker round trip with a handler that returns at once
 * (the authorizer without an Authorization header): main thread + that worker, from /proc.
 *
 * Used for the ceiling: counted calls per event × CPU per call ≈ the CPU an event needs at least.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { LIST_INDEX } from '../../lib/tables.js';
import type { HeraldLocal } from '../../local/runtime.js';
import { processCpuSeconds, threadCpuSeconds } from './cpu.js';

interface CallCost {
  /** `dynamodb:GetItem`, `sqs:SendMessage`, `lambda:invoke`, ... */
  readonly op: string;
  readonly calls: number;
  /** CPU ms per call on the calling side (SDK client; for fauxqs ops, SDK + emulator). */
  readonly callerMs: number;
  /** CPU ms per call in the emulator's own process (dynalite) or the function worker (Lambda). */
  readonly serverMs: number;
  readonly totalMs: number;
}

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const region = 'us-east-1';

const threadMs = (): number => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(
  op: string,
  calls: number,
  serverCpuSeconds: () => number,
  call: (i: number) => Promise<unknown>,
): Promise<CallCost> {
  for (let i = 0; i < Math.min(200, calls); i++) await call(-1 - i); // warm-up: JIT, sockets
  const server0 = serverCpuSeconds();
  const caller0 = threadMs();
  for (let i = 0; i < calls; i++) await call(i);
  const callerMs = (threadMs() - caller0) / calls;
  const serverMs = ((serverCpuSeconds() - server0) * 1000) / calls;
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { op, calls, callerMs: r(callerMs), serverMs: r(serverMs), totalMs: r(callerMs + serverMs) };
}

async function measureCallCosts(local: HeraldLocal, calls = 1000): Promise<CallCost[]> {
  const table =
    Object.entries(local.tables).find(([id]) => /Main/i.test(id))?.[1] ??
    Object.values(local.tables)[0] ??
    '';
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.dynamodbEndpoint, region, credentials }),
  );
  const sqs = new SQSClient({ endpoint: local.sqsEndpoint, region, credentials });
  const sns = new SNSClient({ endpoint: local.snsEndpoint, region, credentials });
  const dynalite = () => (local.dynamoPid === undefined ? 0 : processCpuSeconds(local.dynamoPid));
  const none = () => 0;
  const key = (i: number) => ({ pk: `BENCH#${i}`, sk: 'BENCH' });
  try {
    const out: CallCost[] = [];
    out.push(
      await measure('dynamodb:PutItem', calls, dynalite, (i) =>
        dynamo.send(
          new PutCommand({
            TableName: table,
            Item: { ...key(i), gsi1pk: 'BENCH', gsi1sk: String(i), n: i },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),
    );
    out.push(
      await measure('dynamodb:GetItem', calls, dynalite, (i) =>
        dynamo.send(new GetCommand({ TableName: table, Key: key(i), ConsistentRead: true })),
      ),
    );
    out.push(
      await measure('dynamodb:UpdateItem', calls, dynalite, (i) =>
        dynamo.send(
          new UpdateCommand({
            TableName: table,
            Key: key(i),
            UpdateExpression: 'SET n = :n, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':n': i + 1, ':at': new Date().toISOString() },
          }),
        ),
      ),
    );
    out.push(
      await measure('dynamodb:Query', calls, dynalite, (i) =>
        dynamo.send(
          new QueryCommand({
            TableName: table,
            IndexName: LIST_INDEX,
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
            ExpressionAttributeValues: { ':pk': 'BENCH', ':sk': String(Math.max(0, i)) },
          }),
        ),
      ),
    );
    const { QueueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: `bench-percall-${Date.now()}` }),
    );
    out.push(
      await measure('sqs:SendMessage', calls, none, () =>
        sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"bench":true}' })),
      ),
    );
    const handles: string[] = [];
    out.push(
      await measure('sqs:ReceiveMessage', calls, none, async () => {
        const r = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }),
        );
        for (const m of r.Messages ?? []) if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
      }),
    );
    out.push(
      await measure('sqs:DeleteMessageBatch', Math.min(calls, handles.length), none, async () => {
        const handle = handles.pop();
        if (handle === undefined) return;
        await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: '0', ReceiptHandle: handle }] }),
        );
      }),
    );
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: `bench-percall-${Date.now()}` }));
    out.push(
      await measure('sns:(query)', calls, none, () =>
        sns.send(new PublishCommand({ TopicArn, Message: '{"bench":true}' })),
      ),
    );
    const authorizer = Object.keys(local.functions).find((id) => /Authorizer/i.test(id));
    if (authorizer !== undefined) {
      const label = `fn:${authorizer.replace(/[0-9A-F]{8}$/, '')}`.slice(0, 15);
      const event = {
        version: '2.0',
        type: 'REQUEST',
        routeKey: 'GET /v1/x',
        headers: {},
        requestContext: {},
      };
      out.push(
        await measure(
          'lambda:invoke',
          calls,
          () => threadCpuSeconds(label),
          () => local.invokeFunction(authorizer, event),
        ),
      );
    }
    return out;
  } finally {
    dynamo.destroy();
    sqs.destroy();
    sns.destroy();
  }
}

/** CPU ms one call of `op` costs: measured for the kind, else the mean of its service's measured kinds. */
function costOf(op: string, costs: readonly CallCost[]): number | undefined {
  const exact = costs.find((c) => c.op === op);
  if (exact !== undefined) return exact.totalMs;
  const service = op.startsWith('lambda:') ? 'lambda:' : `${op.slice(0, op.indexOf(':'))}:`;
  const same = costs.filter((c) => c.op.startsWith(service));
  const pool = same.length > 0 ? same : costs.filter((c) => c.op.startsWith('sqs:'));
  return pool.length === 0 ? undefined : pool.reduce((n, c) => n + c.totalMs, 0) / pool.length;
}

interface Ceiling {
  /** CPU ms per event the counted calls need: Σ calls per event × CPU per call. */
  readonly callsCpuMsPerEvent: number;
  /** cores × 1000 / callsCpuMsPerEvent: what the machine could do if calls were all it did. */
  readonly eventsPerSecond: number;
  readonly cores: number;
}

function ceilingOf(
  perEvent: Readonly<Record<string, number>>,
  costs: readonly CallCost[],
  cores: number,
): Ceiling {
  let ms = 0;
  for (const [op, n] of Object.entries(perEvent)) ms += n * (costOf(op, costs) ?? 0);
  const r = Math.round(ms * 100) / 100;
  return { callsCpuMsPerEvent: r, eventsPerSecond: ms > 0 ? Math.round((cores * 1000) / ms) : 0, cores };
}

export type { CallCost, Ceiling };
export { ceilingOf, costOf, measureCallCosts };
