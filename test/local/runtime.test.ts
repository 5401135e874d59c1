import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldLocal, startHerald } from '../../local/runtime.js';
import { synthFixture } from './fixtures/stack.js';

const credentials = { accessKeyId: 'l', secretAccessKey: 'l' };
const region = 'us-east-1';

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('startHerald on a CDK-built fixture assembly', () => {
  let outdir: string;
  let herald: HeraldLocal;
  const lines: string[] = [];
  beforeAll(async () => {
    outdir = mkdtempSync(join(process.cwd(), 'cdk.out.test-runtime-'));
    synthFixture(outdir);
    herald = await startHerald({
      skipSynth: true,
      outdir,
      timeScale: 0.2,
      quiet: true,
      stateFile: null,
      log: (l) => lines.push(l),
    });
  }, 30_000);
  afterAll(async () => {
    await herald?.stop();
    rmSync(outdir, { recursive: true, force: true });
  });

  const logicalId = (ids: string[], prefix: string) =>
    ids.find((id) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id)) ?? '';
  const queueKey = (prefix: string) => logicalId(Object.keys(herald.queues), prefix);
  const fnName = (prefix: string) => herald.functions[logicalId(Object.keys(herald.functions), prefix)] ?? '';

  it('fans SNS out through the filtered raw subscription to the consumer; failures reach the DLQ', async () => {
    const sns = new SNSClient({ endpoint: herald.snsEndpoint, region, credentials });
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    const TopicArn = Topics[0]?.TopicArn ?? '';
    const attrs = (type: string) => ({ type: { DataType: 'String', StringValue: type } });
    await sns.send(
      new PublishCommand({ TopicArn, Message: '{"ok":1}', MessageAttributes: attrs('order.placed') }),
    );
    await sns.send(
      new PublishCommand({ TopicArn, Message: '{"bad":1}', MessageAttributes: attrs('order.placed') }),
    );
    await sns.send(
      new PublishCommand({ TopicArn, Message: '{"ignored":1}', MessageAttributes: attrs('other.thing') }),
    );
    sns.destroy();
    type Q = { logicalId: string; visible: number; inFlight: number };
    const queues = () => herald.metrics().queues as Q[];
    const dlq = await until(
      () => queues().find((q) => q.logicalId === queueKey('WorkDlq') && q.visible === 1),
      15_000,
    );
    expect(dlq.visible).toBe(1);
    const work = queues().find((q) => q.logicalId === queueKey('Work'));
    expect(work).toMatchObject({ visible: 0, inFlight: 0 });
    // The successful record printed one EMF JobsProcessed metric; the filtered message never arrived.
    expect((herald.metrics().metrics as Record<string, number>).JobsProcessed).toBe(1);
    expect(lines.some((l) => l.startsWith('[consumer] ') && l.includes('"_aws"'))).toBe(true);
  }, 20_000);

  it('serves the HTTP API with payload 2.0 events, path parameters and the Lambda authorizer', async () => {
    const health = await fetch(`${herald.apiUrl}/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ routeKey: 'GET /v1/health', auth: null });
    expect((await fetch(`${herald.apiUrl}/v1/things/42`)).status).toBe(401); // identity source missing
    const authed = await fetch(`${herald.apiUrl}/v1/things/42%2Fx`, {
      headers: { authorization: 'Bearer good' },
    });
    expect(await authed.json()).toMatchObject({
      routeKey: 'GET /v1/things/{id}',
      pathParameters: { id: '42/x' },
      auth: { authenticated: 'true' },
    });
    expect((await fetch(`${herald.apiUrl}/v1/nothing`)).status).toBe(404);
  });

  it('runs the state machine behind the local Step Functions endpoint; a duplicate name is ExecutionAlreadyExists', async () => {
    const sfn = new SFNClient({ endpoint: herald.sfnEndpoint, region, credentials });
    const input = JSON.stringify({
      eventId: 'evt_1',
      endpointId: 'ep_1',
      generation: 1,
      attempt: 1,
      waitSeconds: 0,
    });
    const arn = Object.values(herald.stateMachines)[0] ?? '';
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'evt_1-ep_1-g1', input }),
    );
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'evt_1-ep_1-g1', input })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const done = await until(async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({ outcome: 'delivered', attempt: 3 });
    sfn.destroy();
  });

  it('creates an admin API key item in the main table', async () => {
    expect(herald.adminApiKey).toMatch(/^hrld_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);
    const ddb = new DynamoDBClient({ endpoint: herald.dynamodbEndpoint, region, credentials });
    const { Items = [] } = await ddb.send(new ScanCommand({ TableName: Object.values(herald.tables)[0] }));
    ddb.destroy();
    expect(Items.map((i) => i.pk?.S)).toContain(`APIKEY#key_${herald.adminApiKey.slice(5, 21)}`);
  });

  it('exposes metrics over HTTP and fault-injection hooks', async () => {
    const body = (await (await fetch(herald.metricsUrl)).json()) as {
      queues: unknown[];
      functions: Array<{ name: string; invocations: number }>;
    };
    expect(body.queues.length).toBe(3);
    expect(body.functions.find((f) => f.name === fnName('Consumer'))?.invocations).toBeGreaterThan(0);
    await herald.killFunctionWorkers(fnName('Consumer'));
    await herald.injectSqsMessage(queueKey('Work'), 'injected');
    await until(() =>
      (herald.metrics().metrics as Record<string, number>).JobsProcessed === 2 ? true : undefined,
    );
  });
});
