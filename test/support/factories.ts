/**
 * Shared test factories: API Gateway HTTP API (payload 2.0) events, SQS events and records, and a fake
 * Lambda context. Every builder takes overrides, so a test states only what it is about.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** The authorizer context Herald's authorizer passes (docs/internals.md "Auth in the HTTP API"). */
interface AuthorizerContextInput {
  readonly role: 'admin' | 'publisher' | 'tenant';
  readonly keyId?: string;
  readonly tenantId?: string;
}

interface ApiEventInput {
  readonly method?: string;
  /** Raw path, optionally with a query string: `/v1/endpoints?tenantId=t_1`. */
  readonly path?: string;
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else is JSON-encoded (and content-type defaults to JSON). */
  readonly body?: unknown;
  readonly isBase64Encoded?: boolean;
  readonly pathParameters?: Record<string, string>;
  /** Authenticated caller; `null` for an unauthenticated request (authorizer said `authenticated: false`). */
  readonly auth?: AuthorizerContextInput | null;
  readonly routeKey?: string;
}

type ApiEventV2WithAuthorizer = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { lambda?: Record<string, string> };
  };
};

function authorizerLambdaContext(auth: AuthorizerContextInput | null | undefined): Record<string, string> {
  if (auth === undefined || auth === null) {
    return { authenticated: 'false', role: '', tenantId: '', keyId: '', reason: 'missing' };
  }
  return {
    authenticated: 'true',
    role: auth.role,
    tenantId: auth.tenantId ?? '',
    keyId: auth.keyId ?? 'key_0000000000000000',
    reason: '',
  };
}

/** An HTTP API payload-format-2.0 event; header names are lower-cased as API Gateway does. */
function apiGatewayEvent(input: ApiEventInput = {}): ApiEventV2WithAuthorizer {
  const method = input.method ?? 'GET';
  const [rawPath = '/', rawQueryString = ''] = (input.path ?? '/').split('?', 2);
  const headers: Record<string, string> = {};
  const hasJsonBody = input.body !== undefined && typeof input.body !== 'string';
  if (hasJsonBody) headers['content-type'] = 'application/json';
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters = rawQueryString === '' ? undefined : Object.fromEntries(query.entries());
  const body =
    input.body === undefined
      ? undefined
      : typeof input.body === 'string'
        ? input.body
        : JSON.stringify(input.body);
  const now = Date.now();
  const event: ApiEventV2WithAuthorizer = {
    version: '2.0',
    routeKey: input.routeKey ?? '$default',
    rawPath,
    rawQueryString,
    headers,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'api0000000',
      domainName: 'api0000000.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'api0000000',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: input.routeKey ?? '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      authorizer: { lambda: authorizerLambdaContext(input.auth) },
    },
  };
  if (queryStringParameters !== undefined) event.queryStringParameters = queryStringParameters;
  if (input.pathParameters !== undefined) event.pathParameters = input.pathParameters;
  if (body !== undefined) event.body = body;
  return event;
}

interface SqsRecordInput {
  /** A string is sent as is; anything else is JSON-encoded. */
  readonly body?: unknown;
  readonly messageId?: string;
  readonly receiveCount?: number;
  /** String message attributes. */
  readonly attributes?: Record<string, string>;
  readonly queueName?: string;
}

function sqsRecord(input: SqsRecordInput = {}): SQSRecord {
  const body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body ?? {});
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(input.attributes ?? {})) {
    messageAttributes[name] = { dataType: 'String', stringValue: value };
  }
  const now = Date.now();
  return {
    messageId: input.messageId ?? randomUUID(),
    receiptHandle: `receipt-${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(input.receiveCount ?? 1),
      SentTimestamp: String(now),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(now),
    },
    messageAttributes,
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${input.queueName ?? 'herald-queue'}`,
    awsRegion: REGION,
  };
}

/** An SQS event of one record per input (a string or object is that record's body). */
function sqsEvent(records: ReadonlyArray<SqsRecordInput | SQSRecord>): SQSEvent {
  return {
    Records: records.map((r) => ('receiptHandle' in r ? (r as SQSRecord) : sqsRecord(r as SqsRecordInput))),
  };
}

interface ContextInput {
  readonly functionName?: string;
  /** @default 30000 */
  readonly remainingTimeMs?: number;
}

/** A Lambda context whose remaining time counts down from `remainingTimeMs` in real time. */
function lambdaContext(input: ContextInput = {}): Context {
  const functionName = input.functionName ?? 'herald-test';
  const deadline = Date.now() + (input.remainingTimeMs ?? 30_000);
  const notSupported = (): never => {
    throw new Error('Deprecated Lambda context callbacks are not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/01/01/[$LATEST]0000',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: notSupported,
    fail: notSupported,
    succeed: notSupported,
  };
}

export type { ApiEventInput, ApiEventV2WithAuthorizer, AuthorizerContextInput, ContextInput, SqsRecordInput };
export { apiGatewayEvent, lambdaContext, sqsEvent, sqsRecord };
