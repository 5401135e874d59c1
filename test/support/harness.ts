/**
 * In-process emulators for the handler tests (API, jobs, webhooks): dynalite (tables as in
 * docs/internals.md) and fauxqs (events topic, a raw-delivery subscriber queue, dispatch queue, webhook
 * DLQ, one work queue + DLQ).
 * Requests go through the real authorizer, so auth is tested the way API Gateway wires it.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type FauxqsServer, interceptLocalhostDns, startFauxqs } from 'fauxqs';
import { handler as authorize } from '../../lambdas/api/authorizer.handler.js';
import type { ApiEvent } from '../../lambdas/api/router.js';
import { LocalKms, localKeyId } from '../../local/kms.js';

const REGION = 'us-east-1';
const MAIN_TABLE = 'herald-main';
const IDEMPOTENCY_TABLE = 'herald-idempotency';

interface Harness {
  readonly fauxqs: FauxqsServer;
  /** The local key service playing the secrets key; `counts` says how many KMS calls were made. */
  readonly kms: LocalKms;
  readonly sqs: SQSClient;
  readonly dynamo: DynamoDBClient;
  readonly queues: {
    readonly subscriber: string;
    readonly dispatch: string;
    readonly webhookDlq: string;
    readonly work: string;
    readonly workDlq: string;
  };
  stop(): Promise<void>;
}

const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

async function createTables(dynamo: DynamoDBClient): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: MAIN_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          // As lib/tables.ts: keys and `type` only, so the tests see what the stack's lists read.
          IndexName: 'gsi1k',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['type'] },
        },
      ],
    }),
  );
  await dynamo.send(
    new CreateTableCommand({
      TableName: IDEMPOTENCY_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
}

async function startHarness(): Promise<Harness> {
  const dynamoServer = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamoServer.listen(0, '127.0.0.1', resolve));
  const dynamoEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;
  const fauxqs = await startFauxqs({ port: 0, logger: false });
  // The handlers' SQS client has no explicit endpoint (as in Lambda), so the SDK sends to the queue
  // URL's host, sqs.<region>.localhost, which must resolve to fauxqs.
  const restoreDns = interceptLocalhostDns();
  const keyId = localKeyId('harness', 'SecretsKey');
  const secretsKeyArn = `arn:aws:kms:${REGION}:000000000000:key/${keyId}`;
  const kms = new LocalKms([{ logicalId: 'SecretsKey', keyId, arn: secretsKeyArn }]);
  const kmsEndpoint = await kms.listen(0);

  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: fauxqs.address,
    AWS_ENDPOINT_URL_SNS: fauxqs.address,
    AWS_ENDPOINT_URL_KMS: kmsEndpoint,
    HERALD_SECRETS_KEY_ID: secretsKeyArn,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });

  const dynamo = new DynamoDBClient({ region: REGION, endpoint: dynamoEndpoint });
  await createTables(dynamo);

  const { topicArn } = fauxqs.createTopic('herald-events');
  const subscriber = fauxqs.createQueue('subscriber');
  const dispatch = fauxqs.createQueue('dispatch');
  const webhookDlq = fauxqs.createQueue('webhook-dlq');
  const workDlq = fauxqs.createQueue('invoice-dlq');
  const work = fauxqs.createQueue('invoice');
  const sns = new SNSClient({ region: REGION, endpoint: fauxqs.address });
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: subscriber.queueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );

  Object.assign(process.env, {
    HERALD_TABLE: MAIN_TABLE,
    HERALD_IDEMPOTENCY_TABLE: IDEMPOTENCY_TABLE,
    HERALD_EVENTS_TOPIC_ARN: topicArn,
    HERALD_DISPATCH_QUEUE_URL: dispatch.queueUrl,
    HERALD_WEBHOOK_DLQ_URL: webhookDlq.queueUrl,
    HERALD_JOB_DLQ_URL: workDlq.queueUrl,
    HERALD_ALLOW_LOOPBACK_WEBHOOKS: 'true',
    // The deployment's configured portal URL (lib sets it); links never take the request's Host.
    HERALD_PORTAL_URL: 'http://127.0.0.1:3000/portal/',
    HERALD_SECRET_GRACE_SECONDS: '3600',
    HERALD_QUEUES: JSON.stringify([
      {
        name: work.queueName,
        url: work.queueUrl,
        arn: work.queueArn,
        dlqName: workDlq.queueName,
        dlqUrl: workDlq.queueUrl,
        dlqArn: workDlq.queueArn,
      },
    ]),
  });

  return {
    fauxqs,
    kms,
    sqs: new SQSClient({ region: REGION, endpoint: fauxqs.address }),
    dynamo,
    queues: {
      subscriber: subscriber.queueUrl,
      dispatch: dispatch.queueUrl,
      webhookDlq: webhookDlq.queueUrl,
      work: work.queueUrl,
      workDlq: workDlq.queueUrl,
    },
    async stop() {
      restoreDns();
      dynamo.destroy();
      await fauxqs.stop();
      await kms.close();
      await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
    },
  };
}

interface RequestOptions {
  readonly key?: string;
  readonly body?: unknown;
  /** Sent as-is instead of JSON.stringify(body). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  /** Payload-2.0 `cookies` (`name=value` entries), as API Gateway passes them. */
  readonly cookies?: string[];
}

/** An HTTP API payload-2.0 event, authorized by the real authorizer when a key is given. */
async function apiEvent(method: string, path: string, options: RequestOptions = {}): Promise<ApiEvent> {
  const headers: Record<string, string> = {
    ...(options.body !== undefined || options.rawBody !== undefined
      ? { 'content-type': 'application/json' }
      : {}),
    ...(options.key !== undefined ? { authorization: `Bearer ${options.key}` } : {}),
    ...options.headers,
  };
  const rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  const base = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers,
    ...(options.cookies ? { cookies: options.cookies } : {}),
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'req',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  };
  const auth = await authorize({
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:000000000000:local/$default/route',
    identitySource: [],
    cookies: [],
    pathParameters: {},
    stageVariables: {},
    ...base,
  } as unknown as Parameters<typeof authorize>[0]);
  return {
    ...base,
    requestContext: { ...base.requestContext, authorizer: { lambda: auth.context } },
  } as unknown as ApiEvent;
}

function fakeContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'herald-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:herald-ingest',
    memoryLimitInMB: '256',
    awsRequestId: 'req',
    logGroupName: '/aws/lambda/herald-ingest',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The response body as JSON (problem documents included). */
function json(response: APIGatewayProxyStructuredResultV2): Record<string, unknown> & { code?: string } {
  return response.body === undefined || response.body === '' ? {} : JSON.parse(response.body);
}

/** Drains what is receivable now from a queue (deleting nothing; short visibility). */
async function receiveAll(sqs: SQSClient, queueUrl: string, visibility = 1): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibility,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    if (!result.Messages || result.Messages.length === 0) return messages;
    messages.push(...result.Messages);
  }
}

export type { Harness, RequestOptions };
export { apiEvent, fakeContext, IDEMPOTENCY_TABLE, json, MAIN_TABLE, receiveAll, startHarness };
